import Foundation
import LoadGen
import Metrics
import MockServer
import Synchronization

/// `sambabench calibrate`: the client against the mock on loopback at rising load, measuring itself. Four steps, each
/// against a mock whose answers fit it, and each level of a step a closed loop of `seconds` after a second of warm-up:
/// - memory: `streams` slow streams held open at once; resident memory per open stream;
/// - accuracy: medium streams at rising concurrency; the client's TTFT error against the mock's stamped send times;
/// - requests: short streams (16 tokens) as fast as they go; requests per second and CPU per request;
/// - chunks: one-token chunks as fast as they go; chunks per second and CPU per chunk.
/// The mock runs as a child process of this build by default, so its CPU time is counted apart from the client's.
public struct Calibration: Sendable {
    public var accuracyLevels = [1, 16, 64, 256]
    public var requestLevels = [8, 32, 128]
    public var chunkLevels = [8, 32, 64]
    public var streams = 1000
    public var seconds = 3.0
    public var mock = CalibrationMock.Kind.childProcess(binary: ProcessResources.executablePath, threads: 1)
    public var transportPriority = TransportPriority.realtime
    public var say: @Sendable (String) -> Void = { _ in }

    /// Medium answers: 128-384 tokens in chunks of 8 at 500 tokens/s after a 10 ms first token. Their lengths differ
    /// so the streams drift apart after the warm-up, as a server's do, instead of sending every first token at once.
    static let accuracyProfile = MockProfile(ttftNs: 10_000_000, decodeTokensPerSecond: 500, tokensPerChunk: 8...8,
                                             outputTokens: 128...384, stampSendTimes: true)
    /// Short answers, at once: 16 tokens in chunks of 4.
    static let requestProfile = MockProfile(ttftNs: 0, decodeTokensPerSecond: 1_000_000, tokensPerChunk: 4...4,
                                            outputTokens: 16...16, stampSendTimes: true)
    /// One-token chunks at 4,000 per second per stream, capped by max_tokens.
    static let chunkProfile = MockProfile(ttftNs: 1_000_000, decodeTokensPerSecond: 4000, tokensPerChunk: 1...1,
                                          outputTokens: 1_000_000...1_000_000, stampSendTimes: true)
    static let chunkMaxTokens = 12_000
    /// Slow streams that stay open: a 4-token chunk a second.
    static let memoryProfile = MockProfile(ttftNs: 10_000_000, decodeTokensPerSecond: 4, tokensPerChunk: 4...4,
                                           outputTokens: 1_000_000...1_000_000)

    public init() {}

    /// The calibration the command line asks for (`sambabench calibrate`'s flags), each checked: an error names the
    /// flag and what would be valid.
    public init(accuracy: String, requests: String, chunks: String, streams: Int, seconds: Double, mockThreads: Int,
                inProcessMock: Bool, transportPriority: TransportPriority?) throws(Invalid) {
        accuracyLevels = try Self.levels(accuracy, option: "--accuracy")
        requestLevels = try Self.levels(requests, option: "--requests")
        chunkLevels = try Self.levels(chunks, option: "--chunks")
        guard streams >= 0 else { throw Invalid(description: "--streams must be 0 or more") }
        guard seconds > 0 && seconds <= 3600 else { throw Invalid(description: "--seconds: \(seconds) is out of range (above 0, at most 3600)") }
        guard mockThreads >= 1 else { throw Invalid(description: "--mock-threads must be at least 1") }
        self.streams = streams
        self.seconds = seconds
        mock = inProcessMock ? .inProcess : .childProcess(binary: ProcessResources.executablePath, threads: mockThreads)
        self.transportPriority = transportPriority ?? .realtime
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Raises the open-file limit to its hard limit; a note when `streams` still need more (each stream is a socket
    /// here and another in the mock, besides the files both keep open).
    public static func raiseOpenFileLimit(streams: Int) -> String? {
        let limit = ProcessResources.raiseOpenFileLimit()
        return streams + 64 > limit ? "the open-file limit is \(limit); \(streams) streams need more (raise it with ulimit -n)" : nil
    }

    /// A comma-separated list of concurrencies (empty: the step is skipped).
    public static func levels(_ text: String, option: String) throws(Invalid) -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: true)
        let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == parts.count, values.allSatisfy({ $0 >= 1 }) else {
            throw Invalid(description: "\(option): '\(text)' is not a comma-separated list of concurrencies (1 or more)")
        }
        return values
    }

    /// The setup in one line: CPUs, libcurl, the transport thread's priority as granted (and whether `asked` was
    /// refused), where the mock runs.
    public func setup(asked: TransportPriority?) -> String {
        let granted = CurlTransport(clock: RunClock(), priority: transportPriority)
        granted.shutdown()
        let where_: String
        switch mock {
        case .inProcess: where_ = "in this process"
        case .childProcess(_, let threads): where_ = "in a child process (\(threads) thread\(threads == 1 ? "" : "s"))"
        }
        return "\(ProcessInfo.processInfo.activeProcessorCount) CPUs, \(CurlTransport.libcurlVersion), transport thread priority "
            + granted.priority.rawValue + (asked.map { $0 == granted.priority ? "" : " (\($0.rawValue) was not permitted)" } ?? "")
            + ", mock \(where_)"
    }

    public func run() async throws -> (levels: [CalibrationLevel], memory: CalibrationMemory?) {
        var memory: CalibrationMemory?
        // First, while the process is small: later steps leave freed memory that would blur the baseline.
        if streams > 0 { memory = try await measureMemory() }
        var levels: [CalibrationLevel] = []
        let steps: [(String, [Int], MockProfile, Int)] = [
            ("accuracy", accuracyLevels, Self.accuracyProfile, 384),
            ("requests", requestLevels, Self.requestProfile, 16),
            ("chunks", chunkLevels, Self.chunkProfile, Self.chunkMaxTokens),
        ]
        for (step, concurrencies, profile, maxTokens) in steps where !concurrencies.isEmpty {
            let server = try await CalibrationMock.start(mock, profile: profile)
            defer { server.stop() }
            for concurrency in concurrencies {
                if Task.isCancelled { break }
                let level = await measure(step: step, concurrency: concurrency, baseURL: server.baseURL, maxTokens: maxTokens,
                                          mockPID: server.pid, index: levels.count)
                say("\(step) c\(concurrency): \(Int(level.requestRate.rounded())) req/s, \(Int(level.chunkRate.rounded())) chunks/s, "
                    + "TTFT error p50 \(level.ttftError.map { CSVFormat.number($0.p50, digits: 3) } ?? "-") ms, transport busy "
                    + "\(level.transport.map { CSVFormat.number($0.busyFraction * 100, digits: 0) } ?? "-")%")
                levels.append(level)
            }
        }
        return (levels, memory)
    }

    private func engine(_ transport: CurlTransport, baseURL: String, maxTokens: Int,
                        sinks: [any RecordSink]) -> RunEngine<CurlTransport, MonotonicSleepClock> {
        var scenario = Scenario(name: "calibrate", baseURL: baseURL, model: "gpt-oss-120b", prompts: [.text("Count to three.")])
        scenario.request.maxTokens = maxTokens
        let executor = RequestExecutor(transport: transport, factory: RequestFactory(scenario: scenario, baseURL: baseURL, apiKey: "sambabench-calibration"))
        return RunEngine(scenario: scenario, executor: executor, sinks: sinks)
    }

    private func measure(step: String, concurrency: Int, baseURL: String, maxTokens: Int, mockPID: Int32?,
                         index: Int) async -> CalibrationLevel {
        let transport = CurlTransport(clock: RunClock(), priority: transportPriority)
        defer { transport.shutdown() }
        let plan = LevelPlan(index: index, name: "\(step)\(concurrency)", load: .concurrency(concurrency), requests: nil,
                             durationNs: Int64(seconds * 1e9), warmupNs: 1_000_000_000, drainTimeoutNs: 30_000_000_000)
        let collected = RecordCollector()
        let engine = self.engine(transport, baseURL: baseURL, maxTokens: maxTokens, sinks: [collected])
        let clientBefore = ProcessResources.cpuNs()
        let mockBefore = mockPID.flatMap(ProcessResources.cpuNs(ofProcess:))
        let loadBefore = transport.load()
        let result = await engine.runLevel(plan)
        let loadAfter = transport.load()
        let clientCPU = ProcessResources.cpuNs() - clientBefore
        let mockCPU = mockBefore.flatMap { before in mockPID.flatMap(ProcessResources.cpuNs(ofProcess:)).map { $0 - before } }
        let records = collected.records
        let summary = LevelSummary(level: result, records: records)
        let windowChunks = records.reduce(0) { count, record in
            count + record.chunks.filter { $0.arrivalNs >= result.windowStartNs && $0.arrivalNs <= result.windowEndNs }.count
        }
        return CalibrationLevel(
            step: step, concurrency: concurrency, windowSeconds: result.windowSeconds, windowRequests: summary.windowRequests,
            windowChunks: windowChunks, requests: records.count, chunks: records.reduce(0) { $0 + $1.chunks.count },
            errors: records.filter { !$0.succeeded }.count, ttftError: summary.stats(.ttftError),
            lateness: summary.stats(.lateness), transport: result.transport, clientCPUNs: clientCPU,
            transportCPUNs: loadAfter.cpuNs.flatMap { after in loadBefore.cpuNs.map { after - $0 } }, mockCPUNs: mockCPU)
    }

    /// Opens `streams` slow streams, waits until all are in flight and have had time to receive, reads resident
    /// memory, and cancels them.
    private func measureMemory() async throws -> CalibrationMemory {
        let server = try await CalibrationMock.start(mock, profile: Self.memoryProfile)
        defer { server.stop() }
        let transport = CurlTransport(clock: RunClock(), priority: transportPriority)
        defer { transport.shutdown() }
        let baseline = ProcessResources.residentBytes() ?? 0
        let plan = LevelPlan(index: 0, name: "memory", load: .concurrency(streams), requests: streams, durationNs: nil)
        let engine = self.engine(transport, baseURL: server.baseURL, maxTokens: 1_000_000, sinks: [])
        let load = Task { await engine.runLevel(plan) }
        // Every stream connected and sent; then a few seconds so each has received its first chunks.
        let deadline = MonotonicClock.nanoseconds() + 120_000_000_000
        while transport.inFlight < streams && MonotonicClock.nanoseconds() < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
        }
        let open = transport.inFlight
        try? await Task.sleep(for: .seconds(2.5))
        let held = ProcessResources.residentBytes() ?? 0
        say("memory: \(open) streams open, \(held / 1_048_576) MiB resident (\(baseline / 1_048_576) MiB before)")
        load.cancel()
        _ = await load.value
        return CalibrationMemory(streams: open, baselineBytes: baseline, openBytes: held)
    }
}

/// The mock a calibration step runs against.
public final class CalibrationMock: Sendable {
    public enum Kind: Sendable {
        /// `sambabench mock` from this build as a child process, with this many event-loop threads: its CPU time is
        /// read apart from the client's.
        case childProcess(binary: String, threads: Int)
        /// In this process (tests): no CPU figures of its own.
        case inProcess
    }

    let baseURL: String
    let pid: Int32?
    private let process: Process?
    private let server: MockServer?

    private init(baseURL: String, process: Process?, server: MockServer?) {
        self.baseURL = baseURL
        self.process = process
        self.pid = process?.processIdentifier
        self.server = server
    }

    static func start(_ kind: Kind, profile: MockProfile) async throws -> CalibrationMock {
        switch kind {
        case .inProcess:
            let server = try await MockServer.start(profile: profile)
            return CalibrationMock(baseURL: server.baseURL, process: nil, server: server)
        case .childProcess(let binary, let threads):
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["mock", "--port", "0", "--threads", String(threads), "--ttft", "\(profile.ttftNs)ns",
                                 "--decode-rate", String(profile.decodeTokensPerSecond),
                                 "--tokens-per-chunk", "\(profile.tokensPerChunk.lowerBound)-\(profile.tokensPerChunk.upperBound)",
                                 "--output-tokens", "\(profile.outputTokens.lowerBound)-\(profile.outputTokens.upperBound)"]
                + (profile.stampSendTimes ? ["--stamp-send-times"] : [])
            // The mock writes its bound URL to a file once it listens (`--address-file`).
            let addressFile = NSTemporaryDirectory() + "sambabench-calibrate-\(UUID().uuidString).url"
            defer { try? FileManager.default.removeItem(atPath: addressFile) }
            process.arguments! += ["--address-file", addressFile]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            do {
                let url = try await MockAddressFile.wait(at: addressFile, timeout: .seconds(30), isRunning: { process.isRunning })
                return CalibrationMock(baseURL: url, process: process, server: nil)
            } catch {
                if process.isRunning { process.terminate() }
                throw CalibrationError.mockDidNotStart("\(error)")
            }
        }
    }

    func stop() {
        if let process, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        if let server {
            // Shut down off the caller's task: the server's threads must not wait on it.
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                await server.shutdown()
                done.signal()
            }
            done.wait()
        }
    }
}

public enum CalibrationError: Error, CustomStringConvertible {
    case mockDidNotStart(String)

    public var description: String { "the calibration mock did not start: \(mockDidNotStart)" }

    private var mockDidNotStart: String {
        switch self { case .mockDidNotStart(let output): output.isEmpty ? "no output" : output }
    }
}

/// Keeps every record it receives: a calibration level's, for its figures.
final class RecordCollector: RecordSink {
    private let collected = Mutex<[RequestRecord]>([])

    func receive(_ record: RequestRecord) { collected.withLock { $0.append(record) } }

    var records: [RequestRecord] { collected.withLock { $0 } }
}
