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
    static func table(_ path: String, required: [String], known: [String]? = nil) throws -> [(line: Int, fields: Row)] {
        let name = (path as NSString).lastPathComponent
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ReadError(file: path, line: 0, message: "cannot read the file")
        }
        let all = rows(text)
        guard let header = all.first else { throw ReadError(file: path, line: 1, message: "the file is empty") }
        for column in required where !header.contains(column) {
            throw ReadError(file: path, line: 1, message: "no column \(column) in \(name)'s header")
        }
        // A column sambabench never writes means the file was not written by it, or was edited: refused, not ignored.
        if let known, let unknown = header.first(where: { !known.contains($0) }) {
            throw ReadError(file: path, line: 1, message: "unknown column '\(unknown)' in \(name)'s header (a file as sambabench wrote it, unedited)")
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

    /// Every record of a run directory, in memory (small runs and tests; `report` streams with `forEachRecord`).
    public static func records(directory: String) throws -> [RequestRecord] {
        var records: [RequestRecord] = []
        try forEachRecord(directory: directory) { records.append($0) }
        return records
    }

    /// A header's column indexes, after checking that every required column is there and that no column is one
    /// sambabench never writes.
    static func header(_ stream: CSVStream, required: [String], known: [String]) throws -> [String: Int] {
        let name = (stream.path as NSString).lastPathComponent
        guard stream.next() else { throw ReadError(file: stream.path, line: 1, message: "the file is empty") }
        let header = (0..<stream.fields.count).map { stream.string($0) ?? "" }
        for column in required where !header.contains(column) {
            throw ReadError(file: stream.path, line: 1, message: "no column \(column) in \(name)'s header")
        }
        if let unknown = header.first(where: { !known.contains($0) }) {
            throw ReadError(file: stream.path, line: 1, message: "unknown column '\(unknown)' in \(name)'s header (a file as sambabench wrote it, unedited)")
        }
        var columns: [String: Int] = [:]
        for (index, column) in header.enumerated() where columns[column] == nil { columns[column] = index }
        return columns
    }

    /// Streams a run's records in the order they were written, each with its chunks when `withChunks` (chunks.csv
    /// holds each request's chunks together, before its row in requests.csv). Memory stays bounded by one record.
    public static func forEachRecord(directory: String, withChunks: Bool = true, _ body: (RequestRecord) throws -> Void) throws {
        let reader = try RecordReader(directory: directory, withChunks: withChunks)
        while let record = try reader.next() { try body(record) }
    }

    /// A run directory's records one at a time, in file order, each with its chunks (`withChunks`): what
    /// `forEachRecord` hands on, for a reader that takes records from several runs in turn (`RunMerge`).
    public final class RecordReader {
        let requestsPath: String
        let requests: CSVStream
        let columns: [String: Int]
        var chunks: ChunkReader?
        private var done = false

        public init(directory: String, withChunks: Bool = true) throws {
            requestsPath = directory + "/requests.csv"
            requests = try CSVStream(path: requestsPath)
            columns = try RunFiles.header(requests, required: RecordCSV.requests.requiredNames, known: RecordCSV.requests.columns.map(\.name))
            chunks = withChunks ? ChunkReader(try CSVStream(path: directory + "/chunks.csv")) : nil
            try chunks?.start()
        }

        /// The next record, or nil after the last (when every chunk row has been matched to its request).
        public func next() throws -> RequestRecord? {
            guard !done else { return nil }
            while requests.next() {
                if requests.fields.count == 1 && requests.fields[0].isEmpty { continue }
                let row = Row(columns: columns, fields: (0..<requests.fields.count).map { requests.string($0) ?? "" })
                var record = RequestRecord()
                if let column = RecordCSV.requests.read(row, into: &record) {
                    throw ReadError(file: requestsPath, line: requests.line, message: "column \(column): '\(row[column] ?? "")' is not valid")
                }
                if var reader = chunks {
                    record.chunks = try reader.chunks(of: record.seq, expected: record.storedChunkSummary?.count, requestLine: requests.line)
                    chunks = reader
                }
                return record
            }
            done = true
            if let reader = chunks { try reader.finish() }
            return nil
        }
    }

    /// The requests whose chunks chunks.csv holds (its groups of rows).
    static func chunkRequests(directory: String) throws -> Int {
        let stream = try CSVStream(path: directory + "/chunks.csv")
        let columns = try header(stream, required: RecordCSV.chunks.requiredNames, known: RecordCSV.chunks.columns.map(\.name))
        let seqColumn = columns["seq"]!
        var count = 0
        var last: Int?
        while stream.next() {
            guard let seq = stream.int(seqColumn) else { continue }
            if seq != last { count += 1 }
            last = seq
        }
        return count
    }

    /// chunks.csv read alongside requests.csv: each request's chunks are the next group of rows with its seq.
    struct ChunkReader {
        let stream: CSVStream
        var seq = 0, arrival = 0, tokens = 0, answer = 0, reasoning = 0, tool = 0
        /// The next row, read but not yet taken.
        var pending: (seq: Int, chunk: ChunkRecord, line: Int)?

        init(_ stream: CSVStream) { self.stream = stream }

        mutating func start() throws {
            let columns = try RunFiles.header(stream, required: RecordCSV.chunks.requiredNames, known: RecordCSV.chunks.columns.map(\.name))
            seq = columns["seq"]!
            arrival = columns["arrival_ms"]!
            tokens = columns["tokens"]!
            answer = columns["answer_bytes"]!
            reasoning = columns["reasoning_bytes"]!
            tool = columns["tool_bytes"]!
            try advance()
        }

        mutating func advance() throws {
            pending = nil
            while stream.next() {
                if stream.fields.count == 1 && stream.fields[0].isEmpty { continue }
                guard let seq = stream.int(seq), let arrival = stream.nanoseconds(arrival), let tokens = stream.int(tokens),
                      let answer = stream.int(answer), let reasoning = stream.int(reasoning), let tool = stream.int(tool) else {
                    throw ReadError(file: stream.path, line: stream.line, message: "a field is missing or not a number")
                }
                pending = (seq, ChunkRecord(arrivalNs: arrival, tokens: tokens, answerBytes: answer, reasoningBytes: reasoning,
                                            toolBytes: tool), stream.line)
                return
            }
        }

        /// The chunks of request `seq` (none when the next rows are another request's).
        mutating func chunks(of seq: Int, expected: Int?, requestLine: Int) throws -> [ChunkRecord] {
            var result: [ChunkRecord] = []
            if let expected, expected > 0 { result.reserveCapacity(expected) }
            while let next = pending, next.seq == seq {
                result.append(next.chunk)
                try advance()
            }
            // No rows: the request's chunks were not kept (`chunk_rows`); some rows must be all of them.
            if let expected, !result.isEmpty, result.count != expected {
                throw ReadError(file: stream.path, line: pending?.line ?? stream.line,
                                message: "request \(seq) (requests.csv line \(requestLine)) has \(expected) chunks but \(result.count) rows here come before the next request's")
            }
            return result
        }

        func finish() throws {
            if let next = pending {
                throw ReadError(file: stream.path, line: next.line,
                                message: "chunks of request \(next.seq), which requests.csv has no row for after its rows so far (files written by one run, unedited)")
            }
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
        return try table(path, required: LevelsCSV.table.requiredNames).map { line, row in
            var level = LevelResult(index: 0, name: "", concurrency: 0, rate: nil, startNs: 0, windowStartNs: 0, windowEndNs: 0,
                                    endNs: 0, warmupDispatched: 0, measuredDispatched: 0, stopReason: "")
            if let column = LevelsCSV.table.read(row, into: &level) {
                throw ReadError(file: path, line: line, message: "column \(column): '\(row[column] ?? "")' is not valid")
            }
            return level
        }
    }
}
