import Foundation
import LoadGen
import Metrics
import MockServer

/// A run against a real endpoint or the embedded mock: the composition the CLI asks for. It makes the output
/// directory and the manifest, starts the mock when the scenario asks for it, puts libcurl's transport on
/// CLOCK_MONOTONIC under the engine, wires the sinks (the run's files, the live progress line), runs the engine, and
/// writes everything derived at the end.
public struct BenchmarkRun: Sendable {
    public struct Configuration: Sendable {
        public var scenario: Scenario
        public var scenarioFile: String
        public var outputDirectory: String?
        public var commandLine: [String]
        public var toolVersion: String
        /// After a first interrupt, how long requests in flight may take before they are cancelled.
        public var graceNs: Int64 = 10_000_000_000
        /// Catch SIGINT and SIGTERM (the command line does; tests that run in-process do not).
        public var handlesInterrupts = false
        /// Replace an existing output directory that holds an earlier run.
        public var force = false
        /// How the transport thread asks to be scheduled; nil: realtime where permitted.
        public var transportPriority: TransportPriority?
        /// One shard of a sharded run (`--shard`), with how it starts together with the others; nil: the whole run.
        public var shard: ShardSettings?

        public init(scenario: Scenario, scenarioFile: String, outputDirectory: String?, commandLine: [String],
                    toolVersion: String) {
            self.scenario = scenario
            self.scenarioFile = scenarioFile
            self.outputDirectory = outputDirectory
            self.commandLine = commandLine
            self.toolVersion = toolVersion
        }
    }

    public struct Result: Sendable {
        public var directory: String
        public var summaries: [LevelSummary]
        public var table: String
        public var problems: [String]
        public var search: SearchOutcome?
        /// Why the run stopped early (`interrupted`, `aborted: ...`), or nil.
        public var stopReason: String?
        /// What the exit code says; nil when the run met its objectives.
        public var verdict: RunVerdict?

        /// The run's summary.json as written (what `--json` prints).
        public func summaryJSON() throws -> String {
            try String(contentsOfFile: directory + "/summary.json", encoding: .utf8)
        }
    }

    public let configuration: Configuration
    public let observer: any RunObserver

    public init(_ configuration: Configuration, observer: any RunObserver) {
        self.configuration = configuration
        self.observer = observer
    }

    public func run() async throws -> Result {
        let scenario = configuration.scenario
        let apiKey = try scenario.apiKey()
        let startedAt = Date()
        let directory = configuration.outputDirectory
            ?? RunOutput.defaultDirectory(output: scenario.output, scenario: scenario.name, at: startedAt)
        var plans = LevelPlan.levels(scenario.load, matrix: scenario.matrix)
        if let shard = configuration.shard {
            plans = try shard.shard.plans(plans, scenario: scenario, file: configuration.scenarioFile)
            try shard.validate(levels: plans.count)
        }
        let output = try RunOutput(directory: directory, replacing: configuration.force, scenario: scenario, startedAt: startedAt)

        var mock: MockServer?
        // The embedded mock wants a key, as the service does: `mock.api_key`, or one made for this run.
        let mockKey = scenario.usesMock ? scenario.mock.apiKey ?? "sambabench-mock-\(UUID().uuidString)" : nil
        if scenario.usesMock {
            var profile = MockProfile(scenario.mock, apiKey: mockKey)
            // Each shard's embedded mock draws its own plans, as one mock would for the whole run's requests.
            if let shard = configuration.shard?.shard { profile.seed = shard.seed(profile.seed) }
            mock = try await MockServer.start(profile: profile)
        }
        let baseURL = mock?.baseURL ?? scenario.baseURL
        var manifest = RunManifest(scenario: scenario, scenarioFile: configuration.scenarioFile, effectiveBaseURL: baseURL,
                                   startedAt: startedAt, levels: plans, toolVersion: configuration.toolVersion,
                                   libcurlVersion: CurlTransport.libcurlVersion, apiKeyPresent: apiKey != nil,
                                   commandLine: configuration.commandLine)
        try output.writeManifest(manifest)
        observer.say("sambabench \(configuration.toolVersion): \(scenario.name) -> \(URLRedaction.masked(baseURL)) (\(scenario.api.rawValue), \(scenario.model)); writing \(directory)")

        // The run's origin, with the wall clock beside it: a shard's records go on one time axis with the others'.
        let anchor = ClockAnchor.now()
        let transport = CurlTransport(clock: anchor.clock, priority: configuration.transportPriority ?? .realtime)
        manifest.transportPriority = transport.priority
        try output.writeManifest(manifest)
        if let asked = configuration.transportPriority, transport.priority != asked {
            observer.say("note: the transport thread runs at \(transport.priority.rawValue) priority; \(asked.rawValue) was not permitted (it needs root or CAP_SYS_NICE)")
        }
        let executor = RequestExecutor(transport: transport,
                                       factory: RequestFactory(scenario: scenario, baseURL: baseURL, apiKey: apiKey ?? mockKey, levels: plans))
        let timeline = executor.timeline
        // What a server sent back reaches the files and the console only with the key and the URL's secrets redacted.
        let redactor = SecretRedactor(apiKey: apiKey ?? mockKey, baseURL: baseURL)
        let files = RunFilesSink(output)
        let sinks: [any RecordSink] = [files, LiveProgressSink(observer: observer, now: { timeline.now() })]
        let scrape = try ServerMetricsScraper.start(scenario, directory: directory, mockBaseURL: mock?.baseURL, timeline: timeline)
        defer { scrape?.shutdown() }
        let control = RunControl()
        let start = configuration.shard.map { settings -> ShardStart in
            ShardStart(settings: settings, anchor: anchor, timeline: timeline, isStopped: { control.isStopped })
        }
        let host = ProcessInfo.processInfo.hostName
        manifest.shard = start?.info(host: host)
        try output.writeManifest(manifest)
        var gate: (@Sendable (LevelPlan) async -> String?)?
        if let start { gate = { plan in await start.beforeLevel(plan) } }
        let engine = RunEngine(scenario: scenario, executor: executor,
                               sinks: sinks.map { RedactingSink($0, redactor: redactor) } + (scrape.map { [$0.scraper] } ?? []),
                               observer: observer, graceNs: configuration.graceNs, control: control,
                               firstSeq: configuration.shard?.shard.index ?? 0, levelGate: gate)
        if let shard = configuration.shard {
            let when: [String?] = [shard.startAtNs.map { "starts at \(ShardInfo.seconds($0)) (Unix time)" },
                                   shard.barrierDirectory.map { "barrier \($0) before every level" }]
            observer.say("shard \(shard.shard): " + when.compactMap { $0 }.joined(separator: "; "))
        }
        let watcher = configuration.handlesInterrupts ? InterruptWatcher { count, name in
            engine.interrupt(count: count, signal: name)
        } : nil
        defer { watcher?.cancel() }
        let outcome: RunEngine<CurlTransport, MonotonicSleepClock>.Outcome
        do {
            outcome = try await engine.run(plans: plans)
        } catch {
            transport.shutdown()
            await mock?.shutdown()
            throw error
        }
        transport.shutdown()
        await mock?.shutdown()

        manifest.levels = outcome.plans
        manifest.recorder = (files.backlog.largest, files.backlog.blockedNs)
        if files.backlog.blockedNs > 0 {
            observer.say(String(format: "note: the record writers fell behind; the load waited %.1f ms for them in all (the client, not the server, set the pace then)",
                                Double(files.backlog.blockedNs) / 1e6))
        }
        manifest.finishedAt = Date()
        manifest.interrupted = Task.isCancelled || outcome.stopReason == "interrupted"
        manifest.stopReason = outcome.stopReason
        manifest.shard = start?.info(host: host)
        let (summaries, problems) = try output.finish(levels: outcome.levels, manifest: manifest, search: outcome.search)
        return Result(directory: directory, summaries: summaries, table: SummaryTable.text(summaries), problems: problems,
                      search: outcome.search, stopReason: outcome.stopReason,
                      verdict: RunVerdict.judge(summaries: summaries, search: outcome.search, stopReason: outcome.stopReason,
                                                scenario: scenario))
    }
}

extension MockFaults {
    public init(_ faults: MockSettings.Faults) {
        self.init(rateLimited: faults.rateLimited, retryAfterMs: faults.retryAfterMs, overloaded: faults.overloaded,
                  streamError: faults.streamError, disconnect: faults.disconnect, stall: faults.stall,
                  stallNs: faults.stallNs, malformed: faults.malformed, drip: faults.drip, afterChunks: faults.afterChunks)
    }
}

extension MockProfile {
    /// The mock's profile from a scenario's `mock:` section.
    public init(_ settings: MockSettings, apiKey: String? = nil) {
        self.init(ttftNs: settings.ttftNs, decodeTokensPerSecond: settings.decodeTokensPerSecond,
                  tokensPerChunk: settings.tokensPerChunk, outputTokens: settings.outputTokens, seed: settings.seed,
                  capacity: settings.capacity.map { capacity in
                      MockCapacity(slots: capacity.slots, maxQueue: capacity.maxQueue,
                                   decodeRateAtCapacity: capacity.decodeRateAtCapacity,
                                   batching: capacity.batchWindowNs.map { MockBatching(windowNs: $0, maxBatch: capacity.maxBatch) })
                  }, reasoningShare: settings.reasoningShare, toolCallShare: settings.toolCallShare, apiKey: apiKey,
                  faults: MockFaults(settings.faults), stampSendTimes: settings.stampSendTimes,
                  wordLengths: settings.variedWordLengths ? .varied : .uniform)
    }
}
