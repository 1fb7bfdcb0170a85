import LoadGen

/// What `sambabench calibrate` measured at one load: the client's timestamp error against the mock's stamped send
/// times, the rates it carried, what they cost in CPU, and whether the client stayed healthy.
public struct CalibrationLevel: Sendable, Equatable {
    /// `accuracy`, `requests` or `chunks`: the step's answer shape (see `Calibration`).
    public var step: String
    public var concurrency: Int
    /// The measurement window, seconds.
    public var windowSeconds: Double
    /// Requests that ended and chunks that arrived inside the window.
    public var windowRequests: Int
    public var windowChunks: Int
    /// Everything the level ran, warm-up and drain included, which the CPU figures below cover.
    public var requests: Int
    public var chunks: Int
    public var errors: Int
    /// Client TTFT - the mock's stamped send time of the first chunk, ms; and sent - scheduled, ms.
    public var ttftError: Stats?
    public var lateness: Stats?
    public var transport: TransportUtilisation?
    /// CPU time over the whole level: the client process, its transport thread, the mock process.
    public var clientCPUNs: Int64
    public var transportCPUNs: Int64?
    public var mockCPUNs: Int64?

    public init(step: String, concurrency: Int, windowSeconds: Double, windowRequests: Int, windowChunks: Int,
                requests: Int, chunks: Int, errors: Int, ttftError: Stats?, lateness: Stats?,
                transport: TransportUtilisation?, clientCPUNs: Int64, transportCPUNs: Int64?, mockCPUNs: Int64?) {
        self.step = step
        self.concurrency = concurrency
        self.windowSeconds = windowSeconds
        self.windowRequests = windowRequests
        self.windowChunks = windowChunks
        self.requests = requests
        self.chunks = chunks
        self.errors = errors
        self.ttftError = ttftError
        self.lateness = lateness
        self.transport = transport
        self.clientCPUNs = clientCPUNs
        self.transportCPUNs = transportCPUNs
        self.mockCPUNs = mockCPUNs
    }

    public var requestRate: Double { windowSeconds > 0 ? Double(windowRequests) / windowSeconds : 0 }
    public var chunkRate: Double { windowSeconds > 0 ? Double(windowChunks) / windowSeconds : 0 }
    /// Client CPU per request and per chunk, microseconds (each the whole client's CPU over that count).
    public var clientCPUPerRequestUs: Double? { requests > 0 ? Double(clientCPUNs) / Double(requests) / 1e3 : nil }
    public var clientCPUPerChunkUs: Double? { chunks > 0 ? Double(clientCPUNs) / Double(chunks) / 1e3 : nil }
    public var transportCPUPerChunkUs: Double? {
        guard chunks > 0, let transportCPUNs else { return nil }
        return Double(transportCPUNs) / Double(chunks) / 1e3
    }
    public var mockCPUPerChunkUs: Double? {
        guard chunks > 0, let mockCPUNs else { return nil }
        return Double(mockCPUNs) / Double(chunks) / 1e3
    }

    /// The client kept up: no errors, its transport thread busy at most `TransportUtilisation.busyLimit`, and
    /// requests sent within 1 ms of their virtual user being free at p99.
    public var healthy: Bool { unhealthyBecause.isEmpty }

    /// Why the level is not healthy, each reason with its figure and threshold; empty when it is.
    public var unhealthyBecause: [String] {
        var reasons: [String] = []
        if errors > 0 { reasons.append("\(errors) request\(errors == 1 ? "" : "s") failed") }
        if let busy = transport?.busyFraction, busy > TransportUtilisation.busyLimit {
            reasons.append("transport busy \(CSVFormat.number(busy * 100, digits: 0))% > \(CSVFormat.number(TransportUtilisation.busyLimit * 100, digits: 0))%")
        }
        if let late = lateness?.p99, late > 1 { reasons.append("lateness p99 \(CSVFormat.number(late, digits: 3)) ms > 1 ms") }
        return reasons
    }
}

/// Memory held per open stream: resident memory while `streams` streams were open, minus before they opened.
public struct CalibrationMemory: Sendable, Equatable {
    public var streams: Int
    public var baselineBytes: Int
    public var openBytes: Int

    public init(streams: Int, baselineBytes: Int, openBytes: Int) {
        self.streams = streams
        self.baselineBytes = baselineBytes
        self.openBytes = openBytes
    }

    public var bytesPerStream: Double? { streams > 0 ? Double(openBytes - baselineBytes) / Double(streams) : nil }
}

/// The calibration's findings and its printed table.
public enum CalibrationReport {
    /// The highest rate among healthy levels of `step`, and the level that carried it.
    public static func highest(_ levels: [CalibrationLevel], step: String, rate: (CalibrationLevel) -> Double) -> CalibrationLevel? {
        levels.filter { $0.step == step && $0.healthy }.max { rate($0) < rate($1) }
    }

    public static func text(levels: [CalibrationLevel], memory: CalibrationMemory?) -> String {
        func number(_ value: Double?, _ digits: Int) -> String { value.map { CSVFormat.number($0, digits: digits) } ?? "-" }
        func percent(_ value: Double?) -> String { value.map { CSVFormat.number($0 * 100, digits: 0) + "%" } ?? "-" }
        let header = ["step", "streams", "req/s", "chunks/s", "TTFT err p50 ms", "p99 ms", "lateness p99 ms", "transport busy",
                      "cpu", "client µs/req", "client µs/chunk", "transport µs/chunk", "mock µs/chunk", "errors", "healthy"]
        var rows = [header]
        for level in levels {
            rows.append([level.step, String(level.concurrency), number(level.requestRate, 0), number(level.chunkRate, 0),
                         number(level.ttftError?.p50, 3), number(level.ttftError?.p99, 3), number(level.lateness?.p99, 3),
                         percent(level.transport?.busyFraction), percent(level.transport?.cpuFraction),
                         number(level.clientCPUPerRequestUs, 1), number(level.clientCPUPerChunkUs, 2),
                         number(level.transportCPUPerChunkUs, 2), number(level.mockCPUPerChunkUs, 2), String(level.errors),
                         level.healthy ? "yes" : "NO: " + level.unhealthyBecause.joined(separator: "; ")])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = rows.map { row in
            row.indices.map { column in
                column < 1 ? row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - row[column].count) + row[column]
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n\n"
        let accuracy = levels.filter { $0.step == "accuracy" && $0.ttftError != nil }
        if let widest = accuracy.max(by: { $0.concurrency < $1.concurrency }), let error = widest.ttftError {
            text += "TTFT error at \(widest.concurrency) streams (client TTFT - the mock's stamped send time): median "
                + "\(number(error.p50, 3)) ms, p99 \(number(error.p99, 3)) ms\n"
        }
        if let best = highest(levels, step: "requests", rate: \.requestRate) {
            text += "highest sustainable request rate: \(number(best.requestRate, 0)) requests/s (short streams, "
                + "\(best.concurrency) streams; client \(number(best.clientCPUPerRequestUs, 1)) µs CPU per request)\n"
        } else if levels.contains(where: { $0.step == "requests" }) {
            text += "highest sustainable request rate: none of the request levels kept the client healthy\n"
        }
        if let best = highest(levels, step: "chunks", rate: \.chunkRate) {
            text += "highest sustainable chunk rate: \(number(best.chunkRate, 0)) chunks/s (\(best.concurrency) streams; "
                + "client \(number(best.clientCPUPerChunkUs, 2)) µs CPU per chunk, transport thread "
                + "\(number(best.transportCPUPerChunkUs, 2)) µs)\n"
        } else if levels.contains(where: { $0.step == "chunks" }) {
            text += "highest sustainable chunk rate: none of the chunk levels kept the client healthy\n"
        }
        if let memory, let perStream = memory.bytesPerStream {
            text += "memory: \(memory.streams) open streams held \(number(Double(memory.openBytes) / 1_048_576, 1)) MiB resident "
                + "(\(number(Double(memory.baselineBytes) / 1_048_576, 1)) MiB before): \(number(perStream / 1024, 1)) KiB per stream\n"
        }
        return text
    }
}
