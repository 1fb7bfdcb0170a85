import BenchSupport
import Foundation

/// One shard of a run split over N processes (a Kubernetes Indexed Job's pod, a Slurm task): shard `index` of
/// `count`, from 0. Each shard runs its share of every level so that the shards together run the one-process
/// workload, and `sambabench merge` makes one run of their directories.
///
/// How a level is split (`plan(_:)`):
/// - closed loop: the virtual users, as evenly as possible (shard i gets one more while i < users % count);
/// - open loop (rates, ramps): every shard plans the whole run's arrival schedule from the same seed and keeps
///   arrivals i, i+N, i+2N, ... (`ShardPacer`), so the shards' schedules together are exactly the one-process
///   schedule: a Poisson run stays that same Poisson process, whatever N;
/// - request counts, warm-up counts and the in-flight cap: split like the users, each shard's share matching the
///   arrivals it keeps;
/// - sequence numbers: shard i's are i, i+N, i+2N, ... (`LevelPlan.seqStride`), so no two shards share one and the
///   prompts (picked by sequence number) are the ones the one-process run would send; each level's arrivals are dealt
///   from the slot that makes a shard's sequence numbers the ones one process gives them (`LevelPlan.shardSlot`).
public struct Shard: Sendable, Equatable, Codable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// This shard's share of `total` items dealt round robin from item 0: item k goes to shard k % count.
    public func share(of total: Int) -> Int { share(of: total, startingAt: 0) }

    /// The share when dealing starts at item `first` (items `first..<first+total` of the round robin).
    public func share(of total: Int, startingAt first: Int) -> Int {
        guard total > 0 else { return 0 }
        // Items k in [first, first + total) with k % count == index.
        func upTo(_ end: Int) -> Int { end <= index ? 0 : (end - index + count - 1) / count }
        return upTo(first + total) - upTo(first)
    }

    /// A seed of this shard's own, derived from the run's (for what each shard draws independently, such as an
    /// embedded mock's plans): shard 0 of 1 keeps `seed`.
    public func seed(_ seed: UInt64) -> UInt64 {
        guard count > 1 else { return seed }
        var mix = SplitMix64(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        return mix.next()
    }

    /// `I/N`, `auto` (Slurm's `SLURM_PROCID` of `SLURM_NTASKS`) or `auto/N` (the index from `JOB_COMPLETION_INDEX`,
    /// a Kubernetes Indexed Job's, else `SLURM_PROCID`; the count given once).
    public static func resolve(_ text: String, environment: [String: String], flag: String = "--shard") throws -> Shard {
        func invalid(_ message: String) -> ScenarioError {
            ScenarioError(file: flag, path: "", message: message,
                          hint: "give I/N (shard I of N, from 0, e.g. 2/4), auto (Slurm: SLURM_PROCID of SLURM_NTASKS), "
                              + "or auto/N (the index from JOB_COMPLETION_INDEX or SLURM_PROCID)")
        }
        func number(_ name: String) throws -> Int? {
            guard let value = environment[name] else { return nil }
            guard let number = Int(value.trimmingCharacters(in: .whitespaces)), number >= 0 else {
                throw invalid("\(name) is '\(value)', not a whole number of 0 or more")
            }
            return number
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let index: Int
        let count: Int
        switch (parts.first, parts.count) {
        case ("auto", 1):
            guard let procid = try number("SLURM_PROCID"), let tasks = try number("SLURM_NTASKS") else {
                throw invalid("'auto' needs SLURM_PROCID and SLURM_NTASKS (set inside a Slurm task); neither is set")
            }
            (index, count) = (procid, tasks)
        case ("auto", 2):
            guard let given = Int(parts[1]) else { throw invalid("'\(text)': the count '\(parts[1])' is not a whole number") }
            guard let found = try number("JOB_COMPLETION_INDEX") ?? number("SLURM_PROCID") else {
                throw invalid("'\(text)' needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's) or SLURM_PROCID; neither is set")
            }
            if let tasks = try number("SLURM_NTASKS"), environment["JOB_COMPLETION_INDEX"] == nil, tasks != given {
                throw invalid("'\(text)' gives \(given) shards but SLURM_NTASKS is \(tasks)")
            }
            (index, count) = (found, given)
        case (_, 2):
            guard let i = Int(parts[0]), let n = Int(parts[1]) else { throw invalid("'\(text)' is not I/N with whole numbers") }
            (index, count) = (i, n)
        default:
            throw invalid("'\(text)' is not a shard")
        }
        guard count >= 1 else { throw invalid("'\(text)': the shard count must be at least 1 (it is \(count))") }
        guard (0..<count).contains(index) else {
            throw invalid("'\(text)': the shard index must be from 0 to \(count - 1) (it is \(index))")
        }
        return Shard(index: index, count: count)
    }

    /// The share of `scenario`'s levels this shard runs, or an error naming what cannot be split: an SLO search
    /// (each probe's verdict needs every shard's records), a level with fewer users or requests than shards.
    public func plans(_ plans: [LevelPlan], scenario: Scenario, file: String) throws -> [LevelPlan] {
        guard count > 1 else { return plans }
        if scenario.search != nil {
            throw ScenarioError(file: file, path: "search", message: "an SLO search cannot run sharded: each probe's verdict needs every shard's records, and the shards share no coordinator",
                                hint: "run the search in one process, or run its levels as a sweep (load.concurrency or load.rate lists) sharded and merge them")
        }
        // The sequence number each level starts at in one process, where its request counts fix it (a level limited by
        // its duration gives a stand-in all shards compute alike): the shard's slot in each level's round robin is its
        // index less that, so its sequence numbers (index, index + N, ...) are the very ones one process gives the
        // arrivals it keeps.
        var base = 0
        return try plans.map { level in
            defer { base += level.warmup + (level.requests ?? 0) }
            return try plan(level, slot: ((index - base) % count + count) % count, file: file)
        }
    }

    /// One level's share (see the type's notes), taking arrivals `slot`, `slot` + N, ... of the level.
    public func plan(_ plan: LevelPlan, slot: Int? = nil, file: String) throws -> LevelPlan {
        var shared = plan
        shared.shard = self
        let slot = slot ?? index
        shared.shardSlot = slot
        let dealt = Shard(index: slot, count: count)
        if case .concurrency(let users) = plan.load {
            guard users >= count else {
                throw ScenarioError(file: file, path: "load.concurrency", message: "level \(plan.name) has \(users) virtual users, fewer than the \(count) shards",
                                    hint: "give each shard at least one user: concurrency of \(count) or more, or fewer shards")
            }
            shared.load = .concurrency(dealt.share(of: users))
        }
        if let requests = plan.requests {
            guard requests >= count else {
                throw ScenarioError(file: file, path: "load.requests", message: "level \(plan.name) has \(requests) requests, fewer than the \(count) shards",
                                    hint: "give each shard at least one request: \(count) or more")
            }
            // Arrival k of the level is warm-up while k < warmup: the measured ones start after them.
            shared.requests = dealt.share(of: requests, startingAt: plan.warmup)
        }
        shared.warmup = dealt.share(of: plan.warmup)
        shared.maxInFlight = max(1, dealt.share(of: plan.maxInFlight))
        return shared
    }
}

/// A shard's arrivals: the whole schedule's arrivals `slot`, `slot`+N, `slot`+2N, ... (from the same pacer and seed as
/// one process would use; `slot` is the shard's index unless its level says otherwise), so the shards' arrivals
/// together are exactly the one-process schedule.
public struct ShardPacer: Pacer {
    private var base: any Pacer
    private let count: Int
    private let slot: Int
    private var position = 0

    public init(_ base: any Pacer, shard: Shard, slot: Int? = nil) {
        self.base = base
        self.count = shard.count
        self.slot = slot ?? shard.index
    }

    public mutating func next() -> Duration? {
        while let offset = base.next() {
            defer { position += 1 }
            if position % count == slot { return offset }
        }
        return nil
    }
}

extension LevelPlan {
    /// The step between this plan's sequence numbers: the shard count (1 unsharded).
    public var seqStride: Int { shard?.count ?? 1 }

    /// The arrival rate this process offers: the level's rate, divided among the shards.
    public var offeredRate: Double? { rate.map { $0 / Double(seqStride) } }
}
