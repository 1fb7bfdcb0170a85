import Foundation
import LoadGen
import Metrics
import Synchronization

/// The run engine: the levels one after another (or the SLO search's levels), each by its runner; the policies that
/// stop a run (abort on error rate, interrupts with a grace period); and the record fan-out. Records flow one way:
/// transfers -> runner -> the engine's tally (which the policies read) -> every sink. Generic over the transport and
/// the clock, so its tests run on a scripted transport and a manual clock.
public final class RunEngine<T: Transport, C: RunTimeClock>: Sendable {
    public let scenario: Scenario
    public let executor: RequestExecutor<T, C>
    public let control: RunControl
    private let sinks: [any RecordSink]
    private let observer: any RunObserver
    private let tally = LevelTally()
    private let state = Mutex(State())
    /// After a first interrupt, how long requests in flight may take before they are cancelled.
    public let graceNs: Int64
    /// Runs before each level and returns when it may start (a sharded run's start time and per-level barrier,
    /// `ShardStart`), or why the run must stop instead.
    private let levelGate: (@Sendable (LevelPlan) async -> String?)?
    private let interrupts: AsyncStream<Void>
    private let interruptSink: AsyncStream<Void>.Continuation

    private struct State {
        var levels: [LevelResult] = []
        var ranPlans: [LevelPlan] = []
        var nextSeq = 0
        /// Models that answered in place of the one asked, each warned about once.
        var otherModels: Set<String> = []
    }

    public var timeline: Timeline<C> { executor.timeline }
    public var transport: T { executor.transport }

    public init(scenario: Scenario, executor: RequestExecutor<T, C>, sinks: [any RecordSink],
                observer: any RunObserver = SilentObserver(), graceNs: Int64 = 10_000_000_000, control: RunControl = RunControl(), firstSeq: Int = 0,
                levelGate: (@Sendable (LevelPlan) async -> String?)? = nil) {
        self.scenario = scenario
        self.levelGate = levelGate
        self.control = control
        state.withLock { $0.nextSeq = firstSeq }
        self.graceNs = graceNs
        (interrupts, interruptSink) = AsyncStream.makeStream(of: Void.self)
        self.executor = executor
        self.sinks = sinks
        self.observer = observer
        let transport = executor.transport
        let control = self.control
        control.onCancelInFlight { transport.cancelAll(reason: "cancelled: \(control.stopReason ?? "run stopped")") }
    }

    /// What a run did: its levels in order, the plans that ran, the search's outcome, and why it stopped early.
    public struct Outcome: Sendable {
        public var levels: [LevelResult]
        public var plans: [LevelPlan]
        public var search: SearchOutcome?
        /// `interrupted`, `aborted: ...`, `cancelled`, or nil when the run went to its end.
        public var stopReason: String?
    }

    /// Runs the scenario's levels (`plans`), or its SLO search when it has one, then tells every sink the run ended.
    public func run(plans: [LevelPlan]) async throws -> Outcome {
        let search = await withTaskGroup(of: SearchOutcome?.self) { group in
            // The interrupt policy's grace period runs beside the levels, on the run's clock.
            group.addTask { [self] in
                for await _ in interrupts {
                    try? await timeline.sleep(forNs: graceNs)
                    control.cancelInFlight()
                    break
                }
                return nil
            }
            let search = await runLevels(plans)
            group.cancelAll()
            return search
        }
        var firstError: Error?
        for sink in sinks {
            do { try await sink.finish() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
        let (levels, ran) = state.withLock { ($0.levels, $0.ranPlans) }
        return Outcome(levels: levels, plans: ran, search: search,
                       stopReason: control.stopReason ?? (Task.isCancelled ? "cancelled" : nil))
    }

    private func runLevels(_ plans: [LevelPlan]) async -> SearchOutcome? {
        if let settings = scenario.search { return await runSearch(settings) }
        for plan in plans {
            if let levelGate, let reason = await levelGate(plan) {
                stop(reason)
                break
            }
            if Task.isCancelled || control.isStopped { break }
            _ = await runLevel(plan)
            if Task.isCancelled || control.isStopped { break }
            if plan.cooldownNs > 0 && plan.index < plans.count - 1 {
                try? await timeline.sleep(forNs: plan.cooldownNs)
            }
        }
        return nil
    }

    /// One level by its runner: closed loop for a concurrency, open loop for a rate or a ramp. Its records go to the
    /// tally, then to every sink; the transport's effort over the level is measured around it.
    public func runLevel(_ plan: LevelPlan) async -> LevelResult {
        observer.say("level \(plan.name): \(Self.describe(plan.load, arrival: plan.arrival)), "
            + [plan.warmup > 0 ? "\(plan.warmup) warm-up" : nil,
               plan.warmupNs > 0 ? "\(DurationText.format(plan.warmupNs)) warm-up" : nil,
               plan.requests.map { "\($0) requests" }, plan.durationNs.map { "up to \(DurationText.format($0))" }]
                .compactMap { $0 }.joined(separator: ", "))
        tally.begin(level: plan, summarising: scenario.search != nil ? scenario.slos : nil)
        let now = timeline.now()
        for sink in sinks { sink.levelStarted(plan, atNs: now) }
        let firstSeq = state.withLock { $0.nextSeq }
        let shard = plan.shard?.index
        let onRecord: @Sendable (RequestRecord) -> Void = { [self] record in
            var record = record
            record.shard = shard
            let counts = tally.add(record)
            for sink in sinks { sink.receive(record) }
            if let other = record.responseModel { warnOtherModel(other, asked: record.model, seq: record.seq) }
            if !record.warmup, !control.isStopped, let abort = scenario.abort,
               let reason = abort.decide(finished: counts.finished, failed: counts.failed) {
                stop(reason)
            }
        }
        let loadBefore = transport.load()
        var result: LevelResult
        switch plan.load {
        case .concurrency:
            result = await ClosedLoopRunner(executor: executor).run(plan, firstSeq: firstSeq, control: control, onRecord: onRecord)
        case .rate, .ramp:
            result = await OpenLoopRunner(executor: executor).run(plan, firstSeq: firstSeq, control: control, onRecord: onRecord)
        }
        result.transport = TransportUtilisation(from: loadBefore, to: transport.load())
        let levels = state.withLock { state -> [LevelResult] in
            state.levels.append(result)
            state.ranPlans.append(plan)
            state.nextSeq = result.nextSeq ?? state.nextSeq + result.warmupDispatched + result.measuredDispatched
            return state.levels
        }
        for sink in sinks { sink.levelEnded(levels) }
        observer.say("level \(plan.name) done: \(result.measuredDispatched) measured requests, window "
            + "\(String(format: "%.2f", result.windowSeconds)) s, stopped by \(result.stopReason)"
            + (result.transport.map { ", transport thread busy \(String(format: "%.0f", $0.busyFraction * 100))%" } ?? ""))
        if let warning = SelfHealth.standard.transport(level: plan.name, busy: result.transport?.busyFraction,
                                                      cpu: result.transport?.cpuFraction,
                                                      seconds: Double(max(result.endNs - result.startNs, 0)) / 1e9) {
            observer.say("warning: \(warning)")
        }
        return result
    }

    /// The SLO search: levels chosen one by one from the verdict on the last (`SLOSearch`), until it settles.
    private func runSearch(_ settings: SLOSearchSettings) async -> SearchOutcome {
        let closed = scenario.load.mode == .closed
        var search = SLOSearch(settings: settings, integral: closed)
        var tried: [String] = []
        while let load = search.next(), !Task.isCancelled, !control.isStopped {
            let plan = LevelPlan.level(index: tried.count, load: closed ? .concurrency(Int(load)) : .rate(load),
                                       settings: scenario.load)
            let result = await runLevel(plan)
            let summary = tally.summary(closedWith: result) ?? LevelSummary(level: result, slos: scenario.slos)
            let results = SLOEvaluation.evaluate(scenario.slos, summary)
            let met = results.allSatisfy(\.met)
            search.record(load: load, met: met)
            tried.append(plan.name)
            observer.say("search: \(plan.name) \(met ? "meets every objective" : "misses"): "
                + results.map { "\($0.slo) (\($0.value.map { CSVFormat.number($0, digits: 3) } ?? "no value"))" }
                    .joined(separator: ", "))
            if plan.cooldownNs > 0 { try? await timeline.sleep(forNs: plan.cooldownNs) }
        }
        let outcome = SearchOutcome(loadLabel: closed ? "concurrency" : "rate (requests/s)", answer: search.answer, tried: tried)
        observer.say("search: " + (search.answer.map { "the highest \(outcome.loadLabel) meeting every objective is \(CSVFormat.number($0))" }
                                   ?? "no level tried met every objective"))
        return outcome
    }

    /// The first answer from each model other than the one asked is a warning; every one is in requests.csv.
    private func warnOtherModel(_ other: String, asked: String, seq: Int) {
        guard state.withLock({ $0.otherModels.insert(other).inserted }) else { return }
        observer.say("warning: request \(seq) asked for model \(asked) and was answered by \(other); such requests are "
                     + "counted in summary.csv (response_model_differs) and marked in requests.csv (response_model)")
    }

    /// The abort policy: dispatching stops, requests in flight are cancelled, everything measured is kept.
    private func stop(_ reason: String) {
        guard !control.isStopped else { return }
        control.stop(reason, now: timeline.now())
        observer.say(reason + "; cancelling the requests in flight and writing everything measured")
        control.cancelInFlight()
    }

    /// The interrupt policy: the first interrupt stops dispatching and gives requests in flight `graceNs` to finish;
    /// the next one (or the grace's end) cancels them. `count` is 1 for the first interrupt.
    public func interrupt(count: Int, signal name: String) {
        if count == 1 {
            control.stop("interrupted", now: timeline.now())
            observer.say("\(name): dispatching stopped; requests in flight have \(DurationText.format(graceNs)) to finish "
                         + "(send it again to cancel them now); everything measured is being written")
            interruptSink.yield()
        } else {
            observer.say("\(name) again: cancelling the requests in flight")
            control.cancelInFlight()
        }
    }

    static func describe(_ load: LevelLoad, arrival: ArrivalProcess) -> String {
        switch load {
        case .concurrency(let users): return "closed loop, concurrency \(users)"
        case .rate(let rate): return "open loop, \(LevelPlan.compact(rate)) requests/s (\(arrival.rawValue))"
        case .ramp(let from, let to): return "open loop, ramp \(LevelPlan.compact(from)) to \(LevelPlan.compact(to)) requests/s"
        }
    }
}
