import Foundation
import Testing
@testable import Engine
import LoadGen
import LoadGenTesting

/// A shard's start: the command line's checks, and a barrier that never fills or holds an earlier run's files.
@Suite struct ShardStartTests {
    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("shard-start-\(UUID().uuidString)").path
    }

    @Test func aShardNeedsAStartAndSeveralLevelsABarrier() throws {
        let alone = ShardSettings(shard: Shard(index: 1, count: 4))
        let none = #expect(throws: ScenarioError.self) { try alone.validate(levels: 1) }
        #expect(none?.description.contains("needs a common start") == true)
        let timed = ShardSettings(shard: Shard(index: 1, count: 4), startAtNs: 1)
        try timed.validate(levels: 1)
        let levels = #expect(throws: ScenarioError.self) { try timed.validate(levels: 3) }
        #expect(levels?.description.contains("a sharded run of 3 levels cannot start its levels together with a start time alone") == true)
        try ShardSettings(shard: Shard(index: 0, count: 1)).validate(levels: 3)
        #expect(try ShardSettings.instant("2026-12-01T12:00:00Z") == 1_796_126_400_000_000_000)
        #expect(try ShardSettings.instant("2026-12-01T12:00:00.25Z") == 1_796_126_400_250_000_000)
        let bad = #expect(throws: ScenarioError.self) { try ShardSettings.instant("tomorrow") }
        #expect(bad?.description == "--start-at: 'tomorrow' is not an ISO 8601 instant (give UTC with a zone, e.g. 2026-12-01T12:00:00Z or 2026-12-01T12:00:00.5Z)")
        let orphan = #expect(throws: ScenarioError.self) {
            try ShardSettings.from(shard: nil, startAt: nil, barrier: "/tmp/b", environment: [:])
        }
        #expect(orphan?.description.hasPrefix("--barrier: only a shard of a sharded run waits for a start") == true)
    }

    static func start(_ settings: ShardSettings) -> ShardStart {
        let anchor = ClockAnchor.now()
        return ShardStart(settings: settings, anchor: anchor, timeline: Timeline(anchor.clock), isStopped: { false })
    }

    @Test func aBarrierNobodyElseReachesGivesUpNamingTheMissingShards() async throws {
        let root = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var settings = ShardSettings(shard: Shard(index: 1, count: 3), barrierDirectory: root)
        settings.barrierTimeoutNs = 50_000_000
        let reason = await Self.start(settings).beforeLevel(LevelPlan(index: 0, name: "c3", load: .concurrency(1), requests: 1, durationNs: nil))
        #expect(reason == "barrier: level 0 gave up after waiting for shards 0, 2 (1 of 3 arrived)")
        // The file it left is an earlier run's to the next shard 1 that comes: refused, not joined.
        let again = await Self.start(settings).beforeLevel(LevelPlan(index: 0, name: "c3", load: .concurrency(1), requests: 1, durationNs: nil))
        #expect(again == "barrier: \(root)/level-0/shard-1-of-3 exists already (an earlier run's?): give each run a fresh --barrier directory")
    }

    @Test func aFullBarrierAgreesOnTheLatestArrivalPlusTheMargin() async throws {
        let root = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Shard 0 arrived earlier (its file says when); shard 1 arrives now and finds the barrier full.
        try FileManager.default.createDirectory(atPath: root + "/level-0", withIntermediateDirectories: true)
        let earlier = ClockAnchor.wallNanoseconds() - 5_000_000_000
        try String(earlier).write(toFile: root + "/level-0/shard-0-of-2", atomically: true, encoding: .utf8)
        var settings = ShardSettings(shard: Shard(index: 1, count: 2), barrierDirectory: root)
        settings.marginNs = 10_000_000
        let start = Self.start(settings)
        let before = ClockAnchor.wallNanoseconds()
        #expect(await start.beforeLevel(LevelPlan(index: 0, name: "c2", load: .concurrency(1), requests: 1, durationNs: nil)) == nil)
        let written = try #require(Int64(try String(contentsOfFile: root + "/level-0/shard-1-of-2", encoding: .utf8)))
        let info = start.info(host: "h")
        // The agreed start is shard 1's own arrival (the later one) plus the margin, not shard 0's.
        #expect(written >= before && info.startAtNs == written + 10_000_000)
        #expect(info.levelLatenessNs.count == 1 && info.storageClockOffsetNs != nil)
        #expect(ClockAnchor.wallNanoseconds() >= written + 10_000_000)
    }
}

/// Issue 18's split on the engine itself (scripted transport, manual clock): four shards' engines, each with its
/// share of the levels, send together exactly the requests one process sends, level after level.
@Suite struct ShardedEngineTests {
    static func run(_ scenario: Scenario, shard: Shard?) async throws -> [RequestRecord] {
        let sink = CollectingSink()
        let clock = ManualClock()
        let transport = ScriptedTransport(clock: clock) { _, _ in steadyAnswer }
        let executor = RequestExecutor(transport: transport,
                                       factory: RequestFactory(scenario: scenario, baseURL: scenario.baseURL, apiKey: nil),
                                       timeline: transport.timeline)
        let engine = RunEngine(scenario: scenario, executor: executor, sinks: [sink], firstSeq: shard?.index ?? 0)
        let whole = LevelPlan.levels(scenario.load)
        let plans = try shard.map { try $0.plans(whole, scenario: scenario, file: "s.yaml") } ?? whole
        let outcome = try await Simulation.run(clock: clock) { try! await engine.run(plans: plans) }
        #expect(outcome.stopReason == nil)
        return sink.records
    }

    static func union(_ scenario: Scenario) async throws -> [RequestRecord] {
        var records: [RequestRecord] = []
        for index in 0..<4 {
            let mine = try await run(scenario, shard: Shard(index: index, count: 4))
            #expect(mine.allSatisfy { $0.shard == index && $0.seq % 4 == index })
            records += mine
        }
        return records
    }

    static func key(_ record: RequestRecord) -> String { "\(record.level) \(record.seq) \(record.warmup)" }

    @Test func closedLoopLevelsSplitIntoTheOneProcessRequests() async throws {
        let scenario = scriptedScenario(concurrency: [4, 8], requests: 10, warmup: 3)
        let whole = try await Self.run(scenario, shard: nil)
        let union = try await Self.union(scenario)
        // 13 requests a level, sequence numbers 0-25 once each, the same three warm-up ones in each level.
        #expect(whole.count == 26 && union.count == 26)
        #expect(Set(union.map(Self.key)) == Set(whole.map(Self.key)))
        #expect(union.filter(\.warmup).map(\.seq).sorted() == [0, 1, 2, 13, 14, 15])
    }

    @Test func openLoopLevelsSplitIntoTheOneProcessSchedule() async throws {
        var scenario = scriptedScenario(requests: 9, warmup: 2)
        scenario.load.mode = .open
        scenario.load.rates = [20, 40]
        scenario.load.arrival = .poisson
        let whole = try await Self.run(scenario, shard: nil)
        let union = try await Self.union(scenario)
        #expect(whole.count == 22 && union.count == 22)
        #expect(Set(union.map(Self.key)) == Set(whole.map(Self.key)))
    }
}
