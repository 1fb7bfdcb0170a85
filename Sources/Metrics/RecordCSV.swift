import LoadGen

/// The columns of `requests.csv` (a row per request) and `chunks.csv` (a row per token-carrying chunk).
/// Units are in the column names; times are milliseconds from the run origin with nanosecond digits.
public enum RecordCSV {
    typealias Column = (name: String, value: @Sendable (RequestRecord, RequestMetrics) -> String)

    static let requestColumns: [Column] = [
        ("level", { r, _ in String(r.level) }),
        ("level_name", { r, _ in CSVFormat.field(r.levelName) }),
        ("seq", { r, _ in String(r.seq) }),
        ("warmup", { r, _ in r.warmup ? "1" : "0" }),
        ("conversation", { r, _ in String(r.conversation) }),
        ("turn", { r, _ in String(r.turn) }),
        ("api", { r, _ in r.api.rawValue }),
        ("model", { r, _ in CSVFormat.field(r.model) }),
        ("stream", { r, _ in r.stream ? "1" : "0" }),
        ("status", { r, _ in String(r.status) }),
        ("error_class", { r, _ in r.errorClass?.rawValue ?? "" }),
        ("error_type", { r, _ in CSVFormat.field(r.errorType ?? "") }),
        ("error_code", { r, _ in CSVFormat.field(r.errorCode ?? "") }),
        ("error_message", { r, _ in CSVFormat.field(r.errorMessage ?? "") }),
        ("finish_reason", { r, _ in CSVFormat.field(r.finishReason ?? "") }),
        ("scheduled_ms", { r, _ in CSVFormat.milliseconds(r.scheduledNs) }),
        ("sent_ms", { r, _ in CSVFormat.milliseconds(r.sentNs) }),
        ("headers_ms", { r, _ in CSVFormat.milliseconds(r.headersNs) }),
        ("first_byte_ms", { r, _ in CSVFormat.milliseconds(r.firstByteNs) }),
        ("end_ms", { r, _ in CSVFormat.milliseconds(r.endNs) }),
        ("ttft_ms", { _, m in CSVFormat.milliseconds(m.ttftNs) }),
        ("ttft_sched_ms", { _, m in CSVFormat.milliseconds(m.ttftScheduledNs) }),
        ("ttfo_ms", { _, m in CSVFormat.milliseconds(m.ttfoNs) }),
        ("e2e_ms", { _, m in CSVFormat.milliseconds(m.e2eNs) }),
        ("e2e_sched_ms", { _, m in CSVFormat.milliseconds(m.e2eScheduledNs) }),
        ("decode_tps", { _, m in CSVFormat.number(m.decodeRate, digits: 3) }),
        ("tpot_ms", { _, m in CSVFormat.number(m.tpotNs.map { $0 / 1e6 }) }),
        ("e2e_tps", { _, m in CSVFormat.number(m.e2eRate, digits: 3) }),
        ("chunks", { r, _ in String(r.chunks.count) }),
        ("input_tokens", { r, _ in CSVFormat.int(r.inputTokens) }),
        ("output_tokens", { r, _ in String(r.outputTokens) }),
        ("reasoning_tokens", { r, _ in CSVFormat.int(r.reasoningTokens) }),
        ("token_source", { r, _ in r.tokenSource.rawValue }),
        ("input_token_source", { r, _ in r.inputTokenSource?.rawValue ?? "" }),
        // The server's figures as it sent them (seconds), in full precision, so `report` rebuilds them exactly.
        ("server_ttft_s", { r, _ in CSVFormat.exact(r.server.timeToFirstToken) }),
        ("server_latency_s", { r, _ in CSVFormat.exact(r.server.totalLatency) }),
        ("server_completion_tps", { r, _ in CSVFormat.exact(r.server.completionTokensPerSec) }),
        ("server_decode_tps", { r, _ in CSVFormat.exact(r.server.completionTokensAfterFirstPerSec) }),
        ("server_total_tps", { r, _ in CSVFormat.exact(r.server.totalTokensPerSec) }),
        ("server_start_s", { r, _ in CSVFormat.exact(r.server.startTime) }),
        ("server_end_s", { r, _ in CSVFormat.exact(r.server.endTime) }),
        ("server_acceptance_rate", { r, _ in CSVFormat.exact(r.server.acceptanceRate) }),
        ("client_minus_server_ttft_ms", { _, m in CSVFormat.number(m.clientMinusServerTTFTNs.map { $0 / 1e6 }) }),
        ("new_connection", { r, _ in r.connection.newConnection ? "1" : "0" }),
        ("dns_ms", { r, _ in CSVFormat.milliseconds(r.connection.dnsNs) }),
        ("connect_ms", { r, _ in CSVFormat.milliseconds(r.connection.connectNs) }),
        ("tls_ms", { r, _ in CSVFormat.milliseconds(r.connection.tlsNs) }),
        ("ttfb_ms", { r, _ in CSVFormat.milliseconds(r.connection.ttfbNs) }),
        ("bytes_received", { r, _ in String(r.bytesReceived) }),
        ("attempt", { r, _ in String(r.attempt) }),
        ("retry_after_ms", { r, _ in CSVFormat.exact(r.rateLimit.retryAfterMs) }),
        ("ratelimit", { r, _ in CSVFormat.field(r.rateLimit.limits.joined(separator: ";")) }),
        // Filled only against a mock that stamps its send times: the ground truth and the client's error against it.
        ("mock_sent_ms", { r, _ in CSVFormat.milliseconds(r.mockSentNs) }),
        ("ttft_error_ms", { _, m in CSVFormat.milliseconds(m.ttftErrorNs) }),
    ]

    public static var requestsHeader: String { requestColumns.map(\.name).joined(separator: ",") + "\n" }

    public static let chunksHeader = "seq,chunk,arrival_ms,since_sent_ms,tokens,bytes,answer_bytes,reasoning_bytes,tool_bytes\n"

    public static func requestRow(_ record: RequestRecord) -> String {
        let metrics = RequestMetrics(record)
        return requestColumns.map { $0.value(record, metrics) }.joined(separator: ",") + "\n"
    }

    public static func chunkRows(_ record: RequestRecord) -> String {
        var text = ""
        for (index, chunk) in record.chunks.enumerated() {
            text += "\(record.seq),\(index),\(CSVFormat.milliseconds(chunk.arrivalNs)),"
            text += "\(CSVFormat.milliseconds(chunk.arrivalNs - record.sentNs)),\(chunk.tokens),\(chunk.bytes),"
            text += "\(chunk.answerBytes),\(chunk.reasoningBytes),\(chunk.toolBytes)\n"
        }
        return text
    }
}
