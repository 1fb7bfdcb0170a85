import Testing
@testable import LoadGen

/// Issue 18's shares: how a level's users, requests, warm-up and arrivals are dealt to N shards so that the shards
/// together run the one-process workload, and how a shard is named on the command line.
@Suite struct ShardTests {
    @Test func sharesAreEvenAndSumToTheWhole() {
        let shards = (0..<4).map { Shard(index: $0, count: 4) }
        #expect(shards.map { $0.share(of: 10) } == [3, 3, 2, 2])
        #expect(shards.map { $0.share(of: 4) } == [1, 1, 1, 1])
        #expect(shards.map { $0.share(of: 0) } == [0, 0, 0, 0])
        // Items 2..<7 of the round robin: 2, 3, 0, 1, 2.
        #expect(shards.map { $0.share(of: 5, startingAt: 2) } == [1, 1, 2, 1])
        for total in 0..<40 {
            for first in 0..<9 {
                #expect(shards.map { $0.share(of: total, startingAt: first) }.reduce(0, +) == total)
            }
        }
    }

    @Test func theShardsArrivalsTogetherAreTheOneProcessSchedule() {
        for make in [{ PoissonPacer(rate: 40, seed: 9) as any Pacer }, { GammaPacer(rate: 40, burstiness: 0.5, seed: 3) },
                     { ConstantPacer(rate: 40) }, { RampPacer(from: 5, to: 50, overNs: 10_000_000_000) }] {
            let whole = offsets(AnyPacerBox(make()), count: 120)
            var union: [Duration] = []
            for index in 0..<4 {
                let mine = offsets(ShardPacer(make(), shard: Shard(index: index, count: 4)), count: 30)
                // Shard i keeps arrivals i, i+4, i+8, ...
                #expect(mine == stride(from: index, to: 120, by: 4).map { whole[$0] })
                union += mine
            }
            #expect(union.sorted() == whole)
        }
    }

    @Test func aLevelsShareMatchesTheArrivalsItKeeps() throws {
        var scenario = Scenario(name: "s", baseURL: "http://h/v1", model: "m", prompts: [.text("hi")])
        scenario.load.mode = .open
        scenario.load.rates = [40]
        scenario.load.requests = 10
        scenario.load.warmup = 3
        scenario.load.maxInFlight = 6
        let plan = LevelPlan.levels(scenario.load)[0]
        let shares = try (0..<4).map { try Shard(index: $0, count: 4).plan(plan, file: "s.yaml") }
        // Arrivals 0-2 are warm-up (shards 0, 1, 2), 3-12 measured: shard 3 gets 3, 7, 11; shard 0 gets 4, 8, 12.
        #expect(shares.map(\.warmup) == [1, 1, 1, 0])
        #expect(shares.map { $0.requests ?? -1 } == [3, 2, 2, 3])
        #expect(shares.map(\.maxInFlight) == [2, 2, 1, 1])
        #expect(shares.map(\.name) == ["r40", "r40", "r40", "r40"])
        #expect(shares.map(\.seqStride) == [4, 4, 4, 4])
        #expect(shares[0].offeredRate == 10 && shares[0].rate == 40)
    }

    @Test func whatCannotBeSplitIsRefused() throws {
        var scenario = Scenario(name: "s", baseURL: "http://h/v1", model: "m", prompts: [.text("hi")])
        scenario.load.concurrency = [3]
        scenario.load.requests = 12
        let shard = Shard(index: 0, count: 4)
        let users = #expect(throws: ScenarioError.self) { try shard.plans(LevelPlan.levels(scenario.load), scenario: scenario, file: "s.yaml") }
        #expect(users?.description == "s.yaml: load.concurrency: level c3 has 3 virtual users, fewer than the 4 shards (give each shard at least one user: concurrency of 4 or more, or fewer shards)")
        scenario.load.concurrency = [4]
        scenario.load.requests = 3
        let requests = #expect(throws: ScenarioError.self) { try shard.plans(LevelPlan.levels(scenario.load), scenario: scenario, file: "s.yaml") }
        #expect(requests?.description.contains("level c4 has 3 requests, fewer than the 4 shards") == true)
        scenario.load.requests = 8
        scenario.search = SLOSearchSettings(start: 1, max: 64, budget: 6, resolution: 1)
        let search = #expect(throws: ScenarioError.self) { try shard.plans(LevelPlan.levels(scenario.load), scenario: scenario, file: "s.yaml") }
        #expect(search?.description.contains("an SLO search cannot run sharded") == true)
        // One shard of one is the whole run.
        let whole = try Shard(index: 0, count: 1).plans(LevelPlan.levels(scenario.load), scenario: scenario, file: "s.yaml")
        #expect(whole == LevelPlan.levels(scenario.load))
    }

    @Test func aShardIsNamedOnTheCommandLineOrByItsEngine() throws {
        #expect(try Shard.resolve("2/4", environment: [:]) == Shard(index: 2, count: 4))
        #expect(try Shard.resolve("auto", environment: ["SLURM_PROCID": "3", "SLURM_NTASKS": "4"]) == Shard(index: 3, count: 4))
        #expect(try Shard.resolve("auto/5", environment: ["JOB_COMPLETION_INDEX": "1"]) == Shard(index: 1, count: 5))
        #expect(try Shard.resolve("auto/4", environment: ["SLURM_PROCID": "2", "SLURM_NTASKS": "4"]) == Shard(index: 2, count: 4))
        let cases: [(String, [String: String], String)] = [
            ("4/4", [:], "the shard index must be from 0 to 3 (it is 4)"),
            ("1/0", [:], "the shard count must be at least 1"),
            ("a/b", [:], "is not I/N with whole numbers"),
            ("auto", [:], "'auto' needs SLURM_PROCID and SLURM_NTASKS"),
            ("auto/4", [:], "needs JOB_COMPLETION_INDEX"),
            ("auto/3", ["SLURM_PROCID": "0", "SLURM_NTASKS": "4"], "gives 3 shards but SLURM_NTASKS is 4"),
            ("auto/4", ["JOB_COMPLETION_INDEX": "x"], "JOB_COMPLETION_INDEX is 'x', not a whole number"),
            ("auto/4", ["JOB_COMPLETION_INDEX": "4"], "the shard index must be from 0 to 3 (it is 4)"),
        ]
        for (text, environment, message) in cases {
            let error = #expect(throws: ScenarioError.self) { try Shard.resolve(text, environment: environment) }
            #expect(error?.description.hasPrefix("--shard: ") == true)
            #expect(error?.description.contains(message) == true, "\(text): \(error?.description ?? "")")
        }
    }

    @Test func shardSeedsDiffer() {
        let seeds = (0..<4).map { Shard(index: $0, count: 4).seed(42) }
        #expect(Set(seeds).count == 4)
        #expect(Shard(index: 0, count: 1).seed(42) == 42)
    }
}

/// `offsets` takes a concrete pacer; this carries an existential one.
struct AnyPacerBox: Pacer {
    var base: any Pacer
    init(_ base: any Pacer) { self.base = base }
    mutating func next() -> Duration? { base.next() }
}
