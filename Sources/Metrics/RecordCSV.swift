import LoadGen

/// The columns of `requests.csv` (a row per request) and `chunks.csv` (a row per token-carrying chunk).
/// Units are in the column names; times are milliseconds from the run origin with nanosecond digits.
public enum RecordCSV {
    typealias Column = CSVColumn<RequestRecord, RequestMetrics>

    /// `requests.csv`: written as requests finish, read back by `report`. Columns derived from others (the metrics)
    /// are only written; `report` recomputes them.
    static let requests = CSVTable<RequestRecord, RequestMetrics>(columns: [
        .int("level", \.level, required: true),
        .text("level_name", \.levelName, required: true),
        .int("seq", \.seq, required: true),
        .flag("warmup", \.warmup, required: true),
        // Runs written before conversations existed have neither column: each request its own turn 1.
        Column("conversation", write: { r, _ in String(r.conversation) }, read: { r, field in
            guard let value = Int(field) else { return false }
            r.conversation = value
            return true
        }, absent: { $0.conversation = $0.seq }),
        .int("turn", \.turn),
        .name("api", \.api, required: true),
        .text("model", \.model, required: true),
        // Empty unless the response named another model.
        .optionalText("response_model", \.responseModel),
        .flag("stream", \.stream, required: true),
        .int("status", \.status, required: true),
        .optionalName("error_class", \.errorClass, required: true),
        .optionalText("error_type", \.errorType),
        .optionalText("error_code", \.errorCode),
        .optionalText("error_message", \.errorMessage),
        .optionalText("finish_reason", \.finishReason),
        .time("scheduled_ms", \.scheduledNs, required: true),
        .time("sent_ms", \.sentNs, required: true),
        .optionalTime("headers_ms", \.headersNs),
        .optionalTime("first_byte_ms", \.firstByteNs),
        .time("end_ms", \.endNs, required: true),
        .derived("ttft_ms") { _, m in CSVFormat.milliseconds(m.ttftNs) },
        .derived("ttft_sched_ms") { _, m in CSVFormat.milliseconds(m.ttftScheduledNs) },
        .derived("ttfo_ms") { _, m in CSVFormat.milliseconds(m.ttfoNs) },
        .derived("e2e_ms") { _, m in CSVFormat.milliseconds(m.e2eNs) },
        .derived("e2e_sched_ms") { _, m in CSVFormat.milliseconds(m.e2eScheduledNs) },
        .derived("decode_tps") { _, m in CSVFormat.number(m.decodeRate, digits: 3) },
        .derived("tpot_ms") { _, m in CSVFormat.number(m.tpotNs.map { $0 / 1e6 }) },
        .derived("e2e_tps") { _, m in CSVFormat.number(m.e2eRate, digits: 3) },
        // The chunks' summary (`ChunkSummary`): what TTFT, TTFO and the decode rate need, kept with the request so
        // they stay exact when its chunk rows are not kept (`chunk_rows`). Runs written before it have none of them.
        Column("chunks", write: { r, _ in String(r.chunkSummary.count) }, read: { r, field in
            guard let count = Int(field) else { return false }
            r.chunkSummary.count = count
            return true
        }),
        chunkTime("first_chunk_ms", \.firstArrivalNs),
        Column("first_chunk_tokens", write: { r, _ in String(r.chunkSummary.firstTokens) }, read: { r, field in
            guard let tokens = Int(field) else { return false }
            r.chunkSummary.firstTokens = tokens
            return true
        }),
        chunkTime("last_chunk_ms", \.lastArrivalNs),
        chunkTime("first_answer_ms", \.firstAnswerNs),
        .optionalInt("input_tokens", \.inputTokens),
        .int("output_tokens", \.outputTokens, required: true),
        .optionalInt("reasoning_tokens", \.reasoningTokens),
        .name("token_source", \.tokenSource, required: true),
        .optionalName("input_token_source", \.inputTokenSource),
        // The server's figures as it sent them (seconds), in full precision, so `report` rebuilds them exactly.
        .exact("server_ttft_s", \.server.timeToFirstToken),
        .exact("server_latency_s", \.server.totalLatency),
        .exact("server_completion_tps", \.server.completionTokensPerSec),
        .exact("server_decode_tps", \.server.completionTokensAfterFirstPerSec),
        .exact("server_total_tps", \.server.totalTokensPerSec),
        .exact("server_start_s", \.server.startTime),
        .exact("server_end_s", \.server.endTime),
        .exact("server_acceptance_rate", \.server.acceptanceRate),
        .derived("client_minus_server_ttft_ms") { _, m in CSVFormat.number(m.clientMinusServerTTFTNs.map { $0 / 1e6 }) },
        .flag("new_connection", \.connection.newConnection, required: true),
        .optionalTime("dns_ms", \.connection.dnsNs),
        .optionalTime("connect_ms", \.connection.connectNs),
        .optionalTime("tls_ms", \.connection.tlsNs),
        .optionalTime("ttfb_ms", \.connection.ttfbNs),
        .int("bytes_received", \.bytesReceived),
        .int("attempt", \.attempt),
        .exact("retry_after_ms", \.rateLimit.retryAfterMs),
        Column("ratelimit", write: { r, _ in CSVFormat.field(r.rateLimit.limits.joined(separator: ";")) }, read: { r, field in
            r.rateLimit.limits = field.isEmpty ? [] : field.split(separator: ";").map(String.init)
            return true
        }),
        // Filled only against a mock that stamps its send times: the ground truth and the client's error against it.
        .optionalTime("mock_sent_ms", \.mockSentNs),
        .derived("ttft_error_ms") { _, m in CSVFormat.milliseconds(m.ttftErrorNs) },
        // The scenario's tokenizer: its count of the output, and that count - usage (README: Exact tokens per chunk).
        .optionalInt("tokenizer_tokens", \.tokenizerTokens),
        .derived("tokenizer_vs_usage") { r, _ in r.tokenizerVsUsage.map(String.init) ?? "" },
        .derived("ttft_token_ms") { _, m in CSVFormat.number(m.ttftTokenNs.map { $0 / 1e6 }) },
        // The shard of a sharded run that sent the request; empty in a one-process run.
        .optionalInt("shard", \.shard),
        // Input tokens from the server's prompt cache (part of input_tokens), and the finish in one word across APIs.
        .optionalInt("cached_input_tokens", \.cachedInputTokens),
        .optionalName("finish", \.finish),
    ])

    /// A time of the chunks' summary, empty when the request had no such chunk.
    static func chunkTime(_ name: String, _ path: WritableKeyPath<ChunkSummary, Int64?> & Sendable) -> Column {
        Column(name, write: { r, _ in CSVFormat.milliseconds(r.chunkSummary[keyPath: path]) }, read: { r, field in
            if field.isEmpty { return true }
            guard let ns = RunFiles.nanoseconds(field) else { return false }
            r.chunkSummary[keyPath: path] = ns
            return true
        })
    }

    public static var requestsHeader: String { requests.header }

    /// One chunk's row: the chunk and the request it belongs to.
    struct ChunkRow: Sendable {
        var seq = 0
        var index = 0
        var sentNs: Int64 = 0
        var chunk = ChunkRecord(arrivalNs: 0)
    }

    /// `chunks.csv`: a row per token-carrying chunk.
    static let chunks = CSVTable<ChunkRow, Void>(columns: [
        .int("seq", \.seq, required: true),
        .derived("chunk") { row, _ in String(row.index) },
        .time("arrival_ms", \.chunk.arrivalNs, required: true),
        .derived("since_sent_ms") { row, _ in CSVFormat.milliseconds(row.chunk.arrivalNs - row.sentNs) },
        .int("tokens", \.chunk.tokens, required: true),
        .derived("bytes") { row, _ in String(row.chunk.bytes) },
        .int("answer_bytes", \.chunk.answerBytes, required: true),
        .int("reasoning_bytes", \.chunk.reasoningBytes, required: true),
        .int("tool_bytes", \.chunk.toolBytes, required: true),
    ])

    public static var chunksHeader: String { chunks.header }

    public static func requestRow(_ record: RequestRecord) -> String {
        requests.row(record, RequestMetrics(record, gaps: false))
    }

    /// A record's chunk rows: the hot path of a run's writer (a row per chunk, millions in a long run), so written
    /// byte by byte rather than through the columns' closures. `genericChunkRows` is the same through `chunks`; a test
    /// holds them equal.
    public static func chunkRows(_ record: RequestRecord) -> String {
        chunkRows(record, record.chunks.indices)
    }

    /// The rows of the chunks in `range` (a request of a million chunks is written a slice at a time).
    static func chunkRows(_ record: RequestRecord, _ range: Range<Int>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count * 64)
        for index in range {
            let chunk = record.chunks[index]
            appendInt(record.seq, to: &bytes)
            bytes.append(0x2C)
            appendInt(index, to: &bytes)
            bytes.append(0x2C)
            appendMilliseconds(chunk.arrivalNs, to: &bytes)
            bytes.append(0x2C)
            appendMilliseconds(chunk.arrivalNs - record.sentNs, to: &bytes)
            bytes.append(0x2C)
            appendInt(chunk.tokens, to: &bytes)
            bytes.append(0x2C)
            appendInt(chunk.bytes, to: &bytes)
            bytes.append(0x2C)
            appendInt(chunk.answerBytes, to: &bytes)
            bytes.append(0x2C)
            appendInt(chunk.reasoningBytes, to: &bytes)
            bytes.append(0x2C)
            appendInt(chunk.toolBytes, to: &bytes)
            bytes.append(0x0A)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func genericChunkRows(_ record: RequestRecord) -> String {
        var text = ""
        for (index, chunk) in record.chunks.enumerated() {
            text += chunks.row(ChunkRow(seq: record.seq, index: index, sentNs: record.sentNs, chunk: chunk), ())
        }
        return text
    }

    @inline(__always)
    static func appendInt(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 {
            bytes.append(0x2D)
            appendDigits(value.magnitude, to: &bytes)
        } else {
            appendDigits(UInt(value), to: &bytes)
        }
    }

    @inline(__always)
    static func appendDigits(_ value: UInt, to bytes: inout [UInt8]) {
        if value < 10 {
            bytes.append(UInt8(value) + 48)
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = UInt8(rest % 10) + 48
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    /// As `CSVFormat.milliseconds`: whole milliseconds, a point and six digits.
    @inline(__always)
    static func appendMilliseconds(_ ns: Int64, to bytes: inout [UInt8]) {
        if ns < 0 { bytes.append(0x2D) }
        let magnitude = ns.magnitude
        appendDigits(UInt(magnitude / 1_000_000), to: &bytes)
        bytes.append(0x2E)
        var fraction = UInt(magnitude % 1_000_000)
        var divisor: UInt = 100_000
        for _ in 0..<6 {
            bytes.append(UInt8(fraction / divisor) + 48)
            fraction %= divisor
            divisor /= 10
        }
    }
}
