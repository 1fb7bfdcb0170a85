import ArgumentParser
import Foundation
import LoadGen
import Metrics
import MockServer
import Synchronization

/// Wires one run: the mock (when asked), the transport, the levels one after another, and the outputs. Records
/// flow from the runner into one stream; the writer consumes it, so the load never waits on the disk.
struct BenchmarkSession {
    let scenario: Scenario
    let scenarioFile: String
    let outputDirectory: String?
    let commandLine: [String]
    let console: Console
    /// After a first interrupt, how long requests in flight may take before they are cancelled.
    var graceNs: Int64 = 10_000_000_000
    /// Catch SIGINT and SIGTERM (the command line does; tests that run sessions in-process do not).
    var handlesInterrupts = false
    /// Replace an existing output directory that holds an earlier run.
    var force = false
    /// How the transport thread asks to be scheduled (see `TransportPriority`); nil: realtime where permitted.
    var transportPriority: TransportPriority?

    struct Result {
        var directory: String
        var summaries: [LevelSummary]
        var table: String
        var problems: [String]
        var search: SearchOutcome?
        /// Why the run stopped early (`interrupted`, `aborted: ...`), or nil.
        var stopReason: String?
    }

    func run() async throws -> Result {
        let apiKey = try scenario.apiKey()
        let startedAt = Date()
        let directory = outputDirectory
            ?? RunOutput.defaultDirectory(output: scenario.output, scenario: scenario.name, at: startedAt)
        let output = try RunOutput(directory: directory, replacing: force)

        var mock: MockServer?
        if scenario.usesMock { mock = try await MockServer.start(profile: MockProfile(scenario.mock)) }
        let baseURL = mock?.baseURL ?? scenario.baseURL
        let plans = LevelPlan.levels(scenario.load, matrix: scenario.matrix)
        var manifest = RunManifest(scenario: scenario, scenarioFile: scenarioFile, effectiveBaseURL: baseURL,
                                   startedAt: startedAt, levels: plans, toolVersion: Sambabench.version,
                                   libcurlVersion: CurlTransport.libcurlVersion, apiKeyPresent: apiKey != nil,
                                   commandLine: commandLine)
        try output.writeManifest(manifest)
        say("sambabench \(Sambabench.version): \(scenario.name) -> \(baseURL) (\(scenario.api.rawValue), \(scenario.model)); writing \(directory)")

        let transport = CurlTransport(clock: RunClock(), priority: transportPriority ?? .realtime)
        manifest.transportPriority = transport.priority
        try output.writeManifest(manifest)
        if let asked = transportPriority, transport.priority != asked {
            say("note: the transport thread runs at \(transport.priority.rawValue) priority; \(asked.rawValue) was not permitted (it needs root or CAP_SYS_NICE)")
        }
        let control = RunControl()
        control.onCancelInFlight { transport.cancelAll(reason: "cancelled: \(control.stopReason ?? "run stopped")") }
        let console = self.console
        let grace = graceNs
        let watcher = handlesInterrupts ? InterruptWatcher { count, name in
            if count == 1 {
                control.stop("interrupted", now: transport.clock.now())
                console.say("\(name): dispatching stopped; requests in flight have \(DurationText.format(grace)) to finish "
                            + "(send it again to cancel them now); everything measured is being written")
                Task {
                    try? await Task.sleep(for: .nanoseconds(grace))
                    control.cancelInFlight()
                }
            } else {
                console.say("\(name) again: cancelling the requests in flight")
                control.cancelInFlight()
            }
        } : nil
        defer { watcher?.cancel() }
        let monitor = scenario.abort.map { ErrorRateMonitor(policy: $0) }
        let executor = RequestExecutor(transport: transport,
                                       factory: RequestFactory(scenario: scenario, baseURL: baseURL, apiKey: apiKey,
                                                                levels: plans))
        // One stream into the writer: records as they finish, and the levels so far after each level, so the
        // files on disk always describe whole levels (an interrupted run can be rebuilt with `report`).
        let (events, sink) = AsyncStream.makeStream(of: OutputEvent.self)
        let writer = Task { () throws -> Void in
            for await event in events {
                switch event {
                case .record(let record): try output.add(record)
                case .levelsFinished(let levels): try output.writeLevels(levels)
                }
            }
        }
        let levelRecords = LevelRecords()
        let live = LiveProgress()
        var levels: [LevelResult] = []
        var ranPlans: [LevelPlan] = []
        var nextSeq = 0
        func run(_ plan: LevelPlan) async -> LevelResult {
            say("level \(plan.name): \(Self.describe(plan.load, arrival: plan.arrival)), "
                + [plan.warmup > 0 ? "\(plan.warmup) warm-up" : nil,
                   plan.warmupNs > 0 ? "\(DurationText.format(plan.warmupNs)) warm-up" : nil,
                   plan.requests.map { "\($0) requests" }, plan.durationNs.map { "up to \(DurationText.format($0))" }]
                    .compactMap { $0 }.joined(separator: ", "))
            let collect = scenario.search != nil
            live.begin(plan, at: transport.clock.now())
            monitor?.reset()
            let onRecord: @Sendable (RequestRecord) -> Void = { record in
                sink.yield(.record(record))
                live.add(record)
                if collect { levelRecords.add(record) }
                if let monitor, !record.warmup, !control.isStopped, let reason = monitor.add(failed: !record.succeeded) {
                    control.stop(reason, now: transport.clock.now())
                    console.say(reason + "; cancelling the requests in flight and writing everything measured")
                    control.cancelInFlight()
                }
            }
            let console = self.console
            let clock = transport.clock
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: console.progressInterval)
                    if Task.isCancelled { break }
                    console.progress(LiveProgress.line(live.snapshot(at: clock.now())), final: false)
                }
            }
            var result: LevelResult
            let loadBefore = transport.load()
            switch plan.load {
            case .concurrency:
                result = await ClosedLoopRunner(executor: executor).run(plan, firstSeq: nextSeq, control: control,
                                                                        onRecord: onRecord)
            case .rate, .ramp:
                result = await OpenLoopRunner(executor: executor).run(plan, firstSeq: nextSeq, control: control,
                                                                      onRecord: onRecord)
            }
            result.transport = TransportUtilisation(from: loadBefore, to: transport.load())
            ticker.cancel()
            console.progress(LiveProgress.line(live.snapshot(at: transport.clock.now())), final: true)
            levels.append(result)
            sink.yield(.levelsFinished(levels))
            ranPlans.append(plan)
            say("level \(plan.name) done: \(result.measuredDispatched) measured requests, window "
                + "\(String(format: "%.2f", result.windowSeconds)) s, stopped by \(result.stopReason)"
                + (result.transport.map { ", transport thread busy \(String(format: "%.0f", $0.busyFraction * 100))%" } ?? ""))
            if let transport = result.transport, transport.busyFraction > TransportUtilisation.busyLimit {
                say("warning: level \(plan.name): the transport thread was busy over \(Int(TransportUtilisation.busyLimit * 100))% of the time: the client may be the limit")
            }
            nextSeq = result.nextSeq ?? nextSeq + result.warmupDispatched + result.measuredDispatched
            return result
        }
        var searchOutcome: SearchOutcome?
        if let settings = scenario.search {
            let closed = scenario.load.mode == .closed
            var search = SLOSearch(settings: settings, integral: closed)
            var tried: [String] = []
            while let load = search.next(), !Task.isCancelled, !control.isStopped {
                let plan = LevelPlan.level(index: tried.count, load: closed ? .concurrency(Int(load)) : .rate(load),
                                           settings: scenario.load)
                levelRecords.reset()
                let result = await run(plan)
                let summary = LevelSummary(level: result, records: levelRecords.all, slos: scenario.slos)
                let results = SLOEvaluation.evaluate(scenario.slos, summary)
                let met = results.allSatisfy(\.met)
                search.record(load: load, met: met)
                tried.append(plan.name)
                say("search: \(plan.name) \(met ? "meets every objective" : "misses"): "
                    + results.map { "\($0.slo) (\($0.value.map { CSVFormat.number($0, digits: 3) } ?? "no value"))" }
                        .joined(separator: ", "))
                if plan.cooldownNs > 0 { try? await Task.sleep(for: .nanoseconds(plan.cooldownNs)) }
            }
            searchOutcome = SearchOutcome(loadLabel: closed ? "concurrency" : "rate (requests/s)", answer: search.answer,
                                          tried: tried)
            say("search: " + (search.answer.map { "the highest \(searchOutcome!.loadLabel) meeting every objective is \(CSVFormat.number($0))" }
                              ?? "no level tried met every objective"))
        } else {
            for plan in plans {
                _ = await run(plan)
                if Task.isCancelled || control.isStopped { break }
                if plan.cooldownNs > 0 && plan.index < plans.count - 1 {
                    try? await Task.sleep(for: .nanoseconds(plan.cooldownNs))
                }
            }
        }
        sink.finish()
        let writeError: Error?
        do { try await writer.value; writeError = nil } catch { writeError = error }
        transport.shutdown()
        await mock?.shutdown()
        if let writeError { throw writeError }

        manifest.levels = ranPlans
        manifest.finishedAt = Date()
        manifest.interrupted = Task.isCancelled || control.stopReason == "interrupted"
        manifest.stopReason = control.stopReason ?? (Task.isCancelled ? "cancelled" : nil)
        let (summaries, problems) = try output.finish(levels: levels, manifest: manifest, search: searchOutcome)
        return Result(directory: directory, summaries: summaries, table: SummaryTable.text(summaries), problems: problems,
                      search: searchOutcome, stopReason: manifest.stopReason)
    }

    /// What the run's exit code says about its results (nil when they are fine): errors over the threshold first,
    /// then a missed objective (with a search, only when no level met them all).
    static func verdict(_ result: Result, scenario: Scenario) -> (code: ExitCode, reason: String)? {
        if let limit = scenario.maxErrorRate,
           let worst = result.summaries.max(by: { $0.errorRate < $1.errorRate }), worst.errorRate > limit {
            return (ExitCodes.tooManyErrors, "level \(worst.level.name) failed \(CSVFormat.number(worst.errorRate * 100, digits: 2))% of its requests, above max_error_rate \(CSVFormat.number(limit * 100, digits: 2))%")
        }
        guard !scenario.slos.isEmpty else { return nil }
        if let search = result.search {
            return search.answer == nil ? (ExitCodes.sloMissed, "no level tried met every objective") : nil
        }
        for summary in result.summaries {
            if let missed = SLOEvaluation.evaluate(scenario.slos, summary).first(where: { !$0.met }) {
                return (ExitCodes.sloMissed, "level \(summary.level.name) missed \(missed.slo) (\(missed.value.map { CSVFormat.number($0, digits: 3) } ?? "no value"))")
            }
        }
        return nil
    }

    static func describe(_ load: LevelLoad, arrival: ArrivalProcess) -> String {
        switch load {
        case .concurrency(let users): return "closed loop, concurrency \(users)"
        case .rate(let rate): return "open loop, \(LevelPlan.compact(rate)) requests/s (\(arrival.rawValue))"
        case .ramp(let from, let to): return "open loop, ramp \(LevelPlan.compact(from)) to \(LevelPlan.compact(to)) requests/s"
        }
    }

    private func say(_ line: String) {
        console.say(line)
    }
}

enum OutputEvent: Sendable {
    case record(RequestRecord)
    case levelsFinished([LevelResult])
}

/// The records of the level running, for the SLO search's verdict on it.
final class LevelRecords: Sendable {
    private let records = Mutex<[RequestRecord]>([])

    func add(_ record: RequestRecord) { records.withLock { $0.append(record) } }
    func reset() { records.withLock { $0.removeAll() } }
    var all: [RequestRecord] { records.withLock { $0 } }
}

extension MockFaults {
    init(_ faults: MockSettings.Faults) {
        self.init(rateLimited: faults.rateLimited, retryAfterMs: faults.retryAfterMs, overloaded: faults.overloaded,
                  streamError: faults.streamError, disconnect: faults.disconnect, stall: faults.stall,
                  stallNs: faults.stallNs, malformed: faults.malformed, drip: faults.drip, afterChunks: faults.afterChunks)
    }
}

extension MockProfile {
    init(_ settings: MockSettings) {
        self.init(ttftNs: settings.ttftNs, decodeTokensPerSecond: settings.decodeTokensPerSecond,
                  tokensPerChunk: settings.tokensPerChunk, outputTokens: settings.outputTokens, seed: settings.seed,
                  capacity: settings.capacity.map {
                      MockCapacity(slots: $0.slots, maxQueue: $0.maxQueue, decodeRateAtCapacity: $0.decodeRateAtCapacity)
                  }, reasoningShare: settings.reasoningShare, toolCallShare: settings.toolCallShare,
                  faults: MockFaults(settings.faults))
    }
}
