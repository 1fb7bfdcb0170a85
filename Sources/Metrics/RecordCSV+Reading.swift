import Foundation
import LoadGen

/// Reading `requests.csv`, `chunks.csv` and `levels.csv` back into records, for `sambabench report DIR`.
public enum RunFiles {
    public struct ReadError: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }

        public init(file: String, line: Int, message: String) {
            self.file = file
            self.line = line
            self.message = message
        }
    }

    /// Splits CSV text into rows of fields (quoted fields may hold commas, quotes and line breaks). Rows end at LF
    /// or CRLF. Reads the UTF-8 bytes, not characters: a run's chunks.csv has millions of fields.
    static func rows(_ text: String) -> [[String]] {
        var text = text
        return text.withUTF8 { bytes in
            var rows: [[String]] = []
            var row: [String] = []
            var field: [UInt8] = []
            var quoted = false
            var index = 0
            let count = bytes.count
            func endField() {
                row.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            }
            while index < count {
                let byte = bytes[index]
                index += 1
                if quoted {
                    if byte == 0x22 {
                        if index < count && bytes[index] == 0x22 {
                            field.append(0x22)
                            index += 1
                        } else {
                            quoted = false
                        }
                    } else {
                        field.append(byte)
                    }
                    continue
                }
                switch byte {
                case 0x22: quoted = true
                case 0x2C: endField()
                case 0x0A:
                    endField()
                    rows.append(row)
                    row = []
                case 0x0D where index < count && bytes[index] == 0x0A:
                    index += 1
                    endField()
                    rows.append(row)
                    row = []
                default: field.append(byte)
                }
            }
            if !field.isEmpty || !row.isEmpty {
                endField()
                rows.append(row)
            }
            return rows
        }
    }

    /// One row of a table: its fields, found by column name through the header's index (shared by every row).
    struct Row {
        let columns: [String: Int]
        let fields: [String]

        subscript(_ column: String) -> String? {
            guard let index = columns[column], index < fields.count else { return nil }
            return fields[index]
        }
    }

    /// A table's rows, keyed by the header; checks that every `required` column is there.
    static func table(_ path: String, required: [String]) throws -> [(line: Int, fields: Row)] {
        let name = (path as NSString).lastPathComponent
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ReadError(file: path, line: 0, message: "cannot read the file")
        }
        let all = rows(text)
        guard let header = all.first else { throw ReadError(file: path, line: 1, message: "the file is empty") }
        for column in required where !header.contains(column) {
            throw ReadError(file: path, line: 1, message: "no column \(column) in \(name)'s header")
        }
        // The first of two columns with one name wins.
        var columns: [String: Int] = [:]
        for (index, column) in header.enumerated() where columns[column] == nil { columns[column] = index }
        return all.dropFirst().enumerated().map { index, fields in (index + 2, Row(columns: columns, fields: fields)) }
    }

    /// Milliseconds written with nanosecond digits, read back exactly.
    static func nanoseconds(_ text: String) -> Int64? {
        guard !text.isEmpty else { return nil }
        let negative = text.hasPrefix("-")
        let digits = negative ? String(text.dropFirst()) : text
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let decimals = String(parts[1].prefix(6)).padding(toLength: 6, withPad: "0", startingAt: 0)
            guard let value = Int64(decimals) else { return nil }
            fraction = value
        }
        let ns = whole * 1_000_000 + fraction
        return negative ? -ns : ns
    }

    public static func records(directory: String) throws -> [RequestRecord] {
        let requestsPath = directory + "/requests.csv"
        var chunksBySeq: [Int: [ChunkRecord]] = [:]
        let chunksPath = directory + "/chunks.csv"
        for (line, row) in try table(chunksPath, required: ["seq", "arrival_ms", "tokens", "answer_bytes", "reasoning_bytes", "tool_bytes"]) {
            guard let seq = Int(row["seq"] ?? ""), let arrival = nanoseconds(row["arrival_ms"] ?? ""),
                  let tokens = Int(row["tokens"] ?? ""), let answer = Int(row["answer_bytes"] ?? ""),
                  let reasoning = Int(row["reasoning_bytes"] ?? ""), let tool = Int(row["tool_bytes"] ?? "") else {
                throw ReadError(file: chunksPath, line: line, message: "a field is missing or not a number")
            }
            chunksBySeq[seq, default: []].append(ChunkRecord(arrivalNs: arrival, tokens: tokens, answerBytes: answer,
                                                             reasoningBytes: reasoning, toolBytes: tool))
        }
        let required = ["level", "level_name", "seq", "warmup", "api", "model", "stream", "status", "error_class",
                        "scheduled_ms", "sent_ms", "end_ms", "output_tokens", "token_source", "new_connection"]
        return try table(requestsPath, required: required).map { line, row in
            func fail(_ column: String) -> ReadError {
                ReadError(file: requestsPath, line: line, message: "column \(column): '\(row[column] ?? "")' is not valid")
            }
            func int(_ column: String) throws -> Int {
                guard let value = Int(row[column] ?? "") else { throw fail(column) }
                return value
            }
            func optionalInt(_ column: String) throws -> Int? {
                guard let text = row[column], !text.isEmpty else { return nil }
                guard let value = Int(text) else { throw fail(column) }
                return value
            }
            func time(_ column: String) throws -> Int64 {
                guard let value = nanoseconds(row[column] ?? "") else { throw fail(column) }
                return value
            }
            func optionalTime(_ column: String) throws -> Int64? {
                guard let text = row[column], !text.isEmpty else { return nil }
                guard let value = nanoseconds(text) else { throw fail(column) }
                return value
            }
            func double(_ column: String) throws -> Double? {
                guard let text = row[column], !text.isEmpty else { return nil }
                guard let value = Double(text) else { throw fail(column) }
                return value
            }
            func text(_ column: String) -> String? {
                guard let value = row[column], !value.isEmpty else { return nil }
                return value
            }
            guard let api = APIKind(rawValue: row["api"] ?? "") else { throw fail("api") }
            guard let source = TokenSource(rawValue: row["token_source"] ?? "") else { throw fail("token_source") }
            var inputSource: TokenSource?
            if let name = text("input_token_source") {
                guard let value = TokenSource(rawValue: name) else { throw fail("input_token_source") }
                inputSource = value
            }
            var errorClass: ErrorClass?
            if let name = text("error_class") {
                guard let value = ErrorClass(rawValue: name) else { throw fail("error_class") }
                errorClass = value
            }
            let seq = try int("seq")
            let newConnection = try int("new_connection") == 1
            var record = RequestRecord(
                level: try int("level"), levelName: row["level_name"] ?? "", seq: seq, warmup: try int("warmup") == 1,
                // Runs written before conversations existed have neither column: each request its own turn 1.
                conversation: try optionalInt("conversation") ?? seq, turn: try optionalInt("turn") ?? 1, api: api, model: row["model"] ?? "", stream: try int("stream") == 1, status: try int("status"),
                errorClass: errorClass, errorType: text("error_type"), errorCode: text("error_code"),
                errorMessage: text("error_message"), finishReason: text("finish_reason"),
                scheduledNs: try time("scheduled_ms"), sentNs: try time("sent_ms"), headersNs: try optionalTime("headers_ms"),
                firstByteNs: try optionalTime("first_byte_ms"), endNs: try time("end_ms"), chunks: chunksBySeq[seq] ?? [],
                inputTokens: try optionalInt("input_tokens"), outputTokens: try int("output_tokens"),
                reasoningTokens: try optionalInt("reasoning_tokens"), tokenSource: source,
                server: ServerUsage(timeToFirstToken: try double("server_ttft_s"), totalLatency: try double("server_latency_s"),
                                    completionTokensPerSec: try double("server_completion_tps"),
                                    completionTokensAfterFirstPerSec: try double("server_decode_tps"),
                                    totalTokensPerSec: try double("server_total_tps"), startTime: try double("server_start_s"),
                                    endTime: try double("server_end_s"), acceptanceRate: try double("server_acceptance_rate")),
                connection: ConnectionTimings(dnsNs: try optionalTime("dns_ms"), connectNs: try optionalTime("connect_ms"),
                                              tlsNs: try optionalTime("tls_ms"), ttfbNs: try optionalTime("ttfb_ms"),
                                              newConnection: newConnection),
                bytesReceived: try optionalInt("bytes_received") ?? 0)
            record.attempt = try optionalInt("attempt") ?? 1
            record.rateLimit = RateLimitHeaders(retryAfterMs: try double("retry_after_ms"),
                                                limits: text("ratelimit")?.split(separator: ";").map(String.init) ?? [])
            record.inputTokenSource = inputSource
            record.mockSentNs = try optionalTime("mock_sent_ms")
            return record
        }
    }

    /// The SLO search a run made, from its `search.csv` (nil when it made none).
    public static func search(directory: String, closedLoop: Bool) throws -> SearchOutcome? {
        let path = directory + "/search.csv"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let rows = try table(path, required: ["level_name", "load", "met_all"])
        let met = rows.filter { $0.fields["met_all"] == "1" }.compactMap { Double($0.fields["load"] ?? "") }
        return SearchOutcome(loadLabel: closedLoop ? "concurrency" : "rate (requests/s)", answer: met.max(),
                             tried: rows.map { $0.fields["level_name"] ?? "" })
    }

    public static func levels(directory: String) throws -> [LevelResult] {
        let path = directory + "/levels.csv"
        return try table(path, required: ["level", "level_name", "concurrency", "rate_rps", "start_ms", "window_start_ms",
                                          "window_end_ms", "end_ms", "warmup_dispatched", "measured_dispatched",
                                          "stop_reason"]).map { line, row in
            func time(_ column: String) throws -> Int64 {
                guard let value = nanoseconds(row[column] ?? "") else {
                    throw ReadError(file: path, line: line, message: "column \(column) is not a time")
                }
                return value
            }
            guard let index = Int(row["level"] ?? ""), let concurrency = Int(row["concurrency"] ?? ""),
                  let warmup = Int(row["warmup_dispatched"] ?? ""), let measured = Int(row["measured_dispatched"] ?? "") else {
                throw ReadError(file: path, line: line, message: "a count is missing or not a number")
            }
            var level = LevelResult(index: index, name: row["level_name"] ?? "", concurrency: concurrency,
                                    rate: Double(row["rate_rps"] ?? ""), startNs: try time("start_ms"),
                                    windowStartNs: try time("window_start_ms"), windowEndNs: try time("window_end_ms"),
                                    endNs: try time("end_ms"), warmupDispatched: warmup, measuredDispatched: measured,
                                    stopReason: row["stop_reason"] ?? "")
            // Runs written before self-health was measured have neither column.
            if let busy = Double(row["transport_busy_fraction"] ?? "") {
                level.transport = TransportUtilisation(busyFraction: busy, cpuFraction: Double(row["transport_cpu_fraction"] ?? ""))
            }
            return level
        }
    }
}
