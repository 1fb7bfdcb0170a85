import Engine
import LoadGen
import LoadGenTesting
import Metrics
import Testing

/// The engine's levels, policies and record flow on a scripted transport and a manual clock: every time below is
/// exact, because nothing reads the wall clock.
@Suite struct RunEngineTests {
    @Test func closedLoopLevelsRunInOrderWithExactTimes() async throws {
        let sink = CollectingSink()
        let scenario = scriptedScenario(concurrency: [1, 2], requests: 4, warmup: 1)
        let (engine, transport, _) = scriptedEngine(scenario, sinks: [sink]) { _, _ in steadyAnswer }
        let outcome = try await Simulation.run(clock: transport.clock) {
            try! await engine.run(plans: LevelPlan.levels(engine.scenario.load))
        }
        #expect(outcome.levels.map(\.name) == ["c1", "c2"])
        #expect(outcome.stopReason == nil)
        #expect(sink.finished && sink.levelEnds == 2)
        let records = sink.records.sorted { $0.seq < $1.seq }
        // Sequence numbers run on across levels: 1 warm-up + 4 measured each.
        #expect(records.map(\.seq) == Array(0..<10))
        #expect(records.filter(\.warmup).map(\.seq) == [0, 5])
        // One user: back to back, 131 ms each; TTFT exactly the scripted 100 ms, ten tokens in four chunks.
        let c1 = records.filter { $0.level == 0 }
        #expect(c1.map(\.sentNs) == [0, 131_000_000, 262_000_000, 393_000_000, 524_000_000])
        #expect(c1.allSatisfy { RequestMetrics($0).ttftNs == 100_000_000 && $0.outputTokens == 10 && $0.chunks.map(\.tokens) == [3, 3, 3, 1] })
        #expect(outcome.levels[0].windowStartNs == 131_000_000 && outcome.levels[0].windowEndNs == 524_000_000)
        // Two users in the second level: sent in pairs.
        let c2 = records.filter { $0.level == 1 }
        let start = outcome.levels[1].startNs
        #expect(c2.map { $0.sentNs - start }.sorted() == [0, 0, 131_000_000, 131_000_000, 262_000_000])
        #expect(transport.requests.count == 10)
    }

    @Test func durationClosesTheWindowOnTime() async throws {
        var scenario = scriptedScenario(concurrency: [2], requests: nil)
        scenario.load.durationNs = 1_000_000_000
        let sink = CollectingSink()
        let (engine, transport, _) = scriptedEngine(scenario, sinks: [sink]) { _, _ in steadyAnswer }
        let outcome = try await Simulation.run(clock: transport.clock) {
            try! await engine.run(plans: LevelPlan.levels(engine.scenario.load))
        }
        let level = try #require(outcome.levels.first)
        // Each user sends at 0, 131, ..., 917 ms: eight each inside the second.
        #expect(level.stopReason == "duration")
        #expect(level.measuredDispatched == 16 && sink.records.count == 16)
        #expect(level.windowStartNs == 0 && level.windowEndNs == 1_000_000_000)
    }

    @Test func abortPolicyStopsTheRunFromTheEnginesTally() async throws {
        var scenario = scriptedScenario(concurrency: [1, 2], requests: 50)
        scenario.abort = AbortPolicy(errorRate: 0.5, minRequests: 5)
        let sink = CollectingSink()
        let (engine, transport, _) = scriptedEngine(scenario, sinks: [sink]) { index, _ in
            index % 4 == 0 ? steadyAnswer : .status(503, afterNs: 20_000_000)
        }
        let outcome = try await Simulation.run(clock: transport.clock) {
            try! await engine.run(plans: LevelPlan.levels(engine.scenario.load))
        }
        // Judged after the fifth request: 3 of 5 failed (every fourth succeeds), 60% > 50%. The second level never starts.
        #expect(outcome.stopReason == "aborted: 3 of 5 requests failed (60.0%), above abort.error_rate 50.0%")
        #expect(outcome.levels.count == 1 && sink.records.count == 5)
        let verdict = RunVerdict.judge(summaries: [], search: nil, stopReason: outcome.stopReason, scenario: scenario)
        #expect(verdict?.exitCode == 4)
    }

    @Test func interruptStopsDispatchThenCancelsAfterTheGrace() async throws {
        let slow = ScriptedTransport.Answer(ttftNs: 100_000_000, chunkGapNs: 100_000_000, chunkTokens: Array(repeating: 2, count: 20))
        let scenario = scriptedScenario(concurrency: [3], requests: 30)
        let sink = CollectingSink()
        let (engine, _, clock) = scriptedEngine(scenario, sinks: [sink], graceNs: 250_000_000) { _, _ in slow }
        let outcome = try await Simulation.run(clock: clock) {
            async let run = try! engine.run(plans: LevelPlan.levels(scenario.load))
            // Ctrl-C at 0.5 s with a 0.25 s grace: the three streams in flight (2 s each) are cancelled at 0.75 s.
            try? await clock.sleep(until: .init(nanoseconds: 500_000_000), tolerance: nil)
            engine.interrupt(count: 1, signal: "SIGINT")
            return await run
        }
        #expect(outcome.stopReason == "interrupted")
        #expect(sink.records.count == 3)
        #expect(sink.records.map(\.errorClass) == [.cancelled, .cancelled, .cancelled])
        #expect(sink.records.map(\.endNs) == [750_000_000, 750_000_000, 750_000_000])
        #expect(sink.records.map(\.errorMessage) == Array(repeating: "cancelled: interrupted", count: 3))
        let verdict = RunVerdict.judge(summaries: [], search: nil, stopReason: outcome.stopReason, scenario: scenario)
        #expect(verdict?.exitCode == 130)
    }

    @Test func sloSearchFindsTheScriptedCapacity() async throws {
        var scenario = scriptedScenario(concurrency: [1], requests: 8)
        scenario.slos = [SLO(statistic: .percentile(99), metric: "ttft_ms", comparison: .below, threshold: 250)]
        scenario.search = SLOSearchSettings(start: 1, max: 32, budget: 10, resolution: 1)
        let sink = CollectingSink()
        // A server with 4 slots: TTFT 100 ms while at most 4 requests are in flight, 400 ms beyond.
        let box = InFlightBox()
        let (engine, transport, _) = scriptedEngine(scenario, sinks: [sink]) { _, _ in
            let busy = box.value > 4
            return ScriptedTransport.Answer(ttftNs: busy ? 400_000_000 : 100_000_000, chunkTokens: [2, 2])
        }
        box.transport = transport
        let outcome = try await Simulation.run(clock: transport.clock) {
            try! await engine.run(plans: [])
        }
        let search = try #require(outcome.search)
        #expect(search.answer == 4)
        #expect(search.tried.first == "c1")
        #expect(RunVerdict.judge(summaries: [], search: search, stopReason: nil, scenario: scenario) == nil)
    }

    /// Issue 14, item 10: a run in which every measured request failed exits 4 with the classes, unless the scenario
    /// accepts it with `max_error_rate: 1`.
    @Test func everyRequestFailedExitsFourUnlessMaxErrorRateAcceptsIt() async throws {
        var scenario = scriptedScenario(concurrency: [1, 2], requests: 3)
        let sink = CollectingSink()
        let (engine, transport, _) = scriptedEngine(scenario, sinks: [sink]) { index, _ in
            index == 0 ? .status(429) : .status(503)
        }
        let outcome = try await Simulation.run(clock: transport.clock) {
            try! await engine.run(plans: LevelPlan.levels(engine.scenario.load))
        }
        let summaries = outcome.levels.map { level in LevelSummary(level: level, records: sink.records) }
        #expect(summaries.map(\.failed) == [3, 3])
        let verdict = RunVerdict.judge(summaries: summaries, search: nil, stopReason: outcome.stopReason, scenario: scenario)
        #expect(verdict?.exitCode == 4)
        #expect(verdict?.reason == "every one of the 6 measured requests failed (server_error 5, rate_limited 1); nothing "
            + "was measured of the server (set max_error_rate: 1 in the scenario to accept such a run)")
        scenario.maxErrorRate = 1
        #expect(RunVerdict.judge(summaries: summaries, search: nil, stopReason: outcome.stopReason, scenario: scenario) == nil)
        // One success anywhere is a result to judge by the scenario's own limits, not this rule.
        scenario.maxErrorRate = nil
        var mixed = summaries
        mixed[1] = LevelSummary(level: outcome.levels[1], records: sink.records.filter { $0.level == 1 }.dropLast() + [
            RequestRecord(level: 1, levelName: "c2", seq: 99, status: 200, scheduledNs: 0, sentNs: 0, endNs: 1, tokenSource: .usage,
                          connection: ConnectionTimings(newConnection: false))])
        #expect(RunVerdict.judge(summaries: mixed, search: nil, stopReason: nil, scenario: scenario) == nil)
    }

    @Test func verdictOrder() {
        var scenario = scriptedScenario()
        scenario.slos = [SLO(statistic: .percentile(99), metric: "ttft_ms", comparison: .below, threshold: 1)]
        let missed = SearchOutcome(loadLabel: "concurrency", answer: nil, tried: ["c1"])
        #expect(RunVerdict.judge(summaries: [], search: missed, stopReason: nil, scenario: scenario)?.exitCode == 3)
        #expect(RunVerdict.judge(summaries: [], search: missed, stopReason: "interrupted", scenario: scenario)?.exitCode == 130)
        #expect(RunVerdict.judge(summaries: [], search: missed, stopReason: "aborted: x", scenario: scenario)?.reason == "aborted: x")
    }
}

/// The scripted server's view of how many requests are in flight (the transport's own count, the one being
/// answered included).
final class InFlightBox: @unchecked Sendable {
    var transport: ScriptedTransport?
    var value: Int { transport?.inFlight ?? 0 }
}
