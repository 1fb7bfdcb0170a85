/// What load a level offers.
public enum LevelLoad: Sendable, Equatable, Codable {
    /// Closed loop: this many virtual users.
    case concurrency(Int)
    /// Open loop: arrivals at this many requests per second.
    case rate(Double)
    /// Open loop: a rate moving linearly from `from` to `to` over the level's duration.
    case ramp(from: Double, to: Double)
}

/// How open-loop arrivals are spread.
public enum ArrivalProcess: String, Sendable, Equatable, Codable, CaseIterable {
    case constant
    case poisson
    case gamma
}

/// One load level to run: its load, warm-up, measurement limits, drain and cooldown.
public struct LevelPlan: Sendable, Equatable, Codable {
    public var index: Int
    /// `c8` for concurrency 8, `r20` for 20 requests/s, `ramp1-20` for a ramp.
    public var name: String
    public var load: LevelLoad
    /// Measured requests (after warm-up); nil when only the duration limits the level.
    public var requests: Int?
    /// Measurement window; nil when only the request count limits the level.
    public var durationNs: Int64?
    /// Warm-up: the first `warmup` requests, and every request started within `warmupNs` of the level's start.
    public var warmup: Int
    public var warmupNs: Int64
    public var thinkTimeNs: Int64
    public var drainTimeoutNs: Int64
    /// Pause after the level, before the next one.
    public var cooldownNs: Int64
    /// Open loop: arrival process, its seed, gamma shape, the cap on requests in flight and what to do at it.
    public var arrival: ArrivalProcess
    public var burstiness: Double
    public var seed: UInt64
    public var maxInFlight: Int
    public var dropAtCap: Bool
    /// A matrix cell's prompt length in tokens (its prompts are built for it) and max_tokens; nil outside a matrix.
    public var inputTokens: Int?
    public var maxTokens: Int?
    /// The shard of a sharded run this plan is the share of (`Shard.plan`); nil in a one-process run.
    public var shard: Shard?
    /// Which of every N arrivals of the level the shard takes (`ShardPacer`): its index less the level's first
    /// sequence number in one process, modulo N.
    public var shardSlot = 0

    public init(index: Int, name: String, load: LevelLoad, requests: Int?, durationNs: Int64?, warmup: Int = 0,
                warmupNs: Int64 = 0, thinkTimeNs: Int64 = 0, drainTimeoutNs: Int64 = 120_000_000_000,
                cooldownNs: Int64 = 0, arrival: ArrivalProcess = .poisson, burstiness: Double = 1, seed: UInt64 = 1,
                maxInFlight: Int = 1024, dropAtCap: Bool = false, inputTokens: Int? = nil, maxTokens: Int? = nil) {
        self.index = index
        self.name = name
        self.load = load
        self.requests = requests
        self.durationNs = durationNs
        self.warmup = warmup
        self.warmupNs = warmupNs
        self.thinkTimeNs = thinkTimeNs
        self.drainTimeoutNs = drainTimeoutNs
        self.cooldownNs = cooldownNs
        self.arrival = arrival
        self.burstiness = burstiness
        self.seed = seed
        self.maxInFlight = maxInFlight
        self.dropAtCap = dropAtCap
        self.inputTokens = inputTokens
        self.maxTokens = maxTokens
    }

    /// Virtual users of a closed-loop level; 0 for open loop.
    public var concurrency: Int {
        if case .concurrency(let users) = load { return users }
        return 0
    }

    /// Asked arrival rate of an open-loop level (a ramp's final rate); nil for closed loop.
    public var rate: Double? {
        switch load {
        case .concurrency: return nil
        case .rate(let rate): return rate
        case .ramp(_, let to): return to
        }
    }

    /// The number a plot puts on its load axis: users or requests per second.
    public var loadValue: Double { rate ?? Double(concurrency) }

    /// The levels of a scenario, in the order given.
    public static func levels(_ load: LoadSettings) -> [LevelPlan] {
        let loads: [LevelLoad]
        switch load.mode {
        case .closed: loads = load.concurrency.map { .concurrency($0) }
        case .open:
            if let ramp = load.ramp {
                loads = [.ramp(from: ramp.from, to: ramp.to)]
            } else {
                loads = load.rates.map { .rate($0) }
            }
        }
        return loads.enumerated().map { index, level in self.level(index: index, load: level, settings: load) }
    }

    /// The levels of a scenario: its load's, or with a matrix, each cell's copy of them (named `in512-out256-c16`).
    public static func levels(_ load: LoadSettings, matrix: LoadMatrix?) -> [LevelPlan] {
        let base = levels(load)
        guard let matrix else { return base }
        var plans: [LevelPlan] = []
        for cell in matrix.cells {
            for var plan in base {
                plan.index = plans.count
                plan.seed = load.seed &+ UInt64(plans.count)
                plan.name = cell.name + "-" + plan.name
                plan.inputTokens = cell.inputTokens
                plan.maxTokens = cell.maxTokens
                plans.append(plan)
            }
        }
        return plans
    }

    /// Level `index` offering `load`, with the scenario's warm-up, limits, drain and arrival settings.
    public static func level(index: Int, load level: LevelLoad, settings load: LoadSettings) -> LevelPlan {
        var plan = LevelPlan(index: index, name: name(of: level), load: level, requests: load.requests,
                             durationNs: load.durationNs, warmup: load.warmup, warmupNs: load.warmupNs,
                             thinkTimeNs: load.thinkTimeNs, drainTimeoutNs: load.drainTimeoutNs,
                             cooldownNs: load.cooldownNs, arrival: load.arrival, burstiness: load.burstiness,
                             seed: load.seed &+ UInt64(index), maxInFlight: load.maxInFlight,
                             dropAtCap: load.atCap == .drop)
        if case .ramp = level, let ramp = load.ramp {
            // A ramp lasts exactly its span; a request count does not apply.
            plan.durationNs = ramp.overNs
            plan.requests = nil
        }
        return plan
    }

    public static func name(of load: LevelLoad) -> String {
        switch load {
        case .concurrency(let users): return "c\(users)"
        case .rate(let rate): return "r" + compact(rate)
        case .ramp(let from, let to): return "ramp" + compact(from) + "-" + compact(to)
        }
    }

    public static func compact(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }
}

/// What happened to a level: its measurement window and counts. Throughput is computed over the window only.
public struct LevelResult: Sendable, Equatable, Codable {
    public var index: Int
    public var name: String
    /// Virtual users (closed loop) or 0.
    public var concurrency: Int
    /// Asked arrival rate (open loop) or nil.
    public var rate: Double?
    /// First dispatch of the level (warm-up included), nanoseconds from the run origin.
    public var startNs: Int64
    /// The measurement window: from the first measured dispatch to the end of the duration or the last measured
    /// dispatch, whichever came first. Warm-up before it and the drain after it are excluded. When every measured
    /// request went out before any of them ended, it closes at the last one's end instead (`windowToLastEnd`).
    public var windowStartNs: Int64
    public var windowEndNs: Int64
    /// When the last request of the level finished.
    public var endNs: Int64
    /// The window closes at the last measured request's end, not its dispatch: the request count stopped
    /// dispatching before any measured request had ended, so a window to the last dispatch would hold no completion.
    public var windowToLastEnd = false
    public var warmupDispatched: Int
    public var measuredDispatched: Int
    /// `requests`, `duration`, `schedule` (the pacer ended) or `cancelled`.
    public var stopReason: String
    /// The first sequence number after this level's (conversations take one per turn).
    public var nextSeq: Int?
    /// How busy the transport thread was from the level's start to its end (nil when not measured).
    public var transport: TransportUtilisation?

    public init(index: Int, name: String, concurrency: Int, rate: Double? = nil, startNs: Int64, windowStartNs: Int64,
                windowEndNs: Int64, endNs: Int64, warmupDispatched: Int, measuredDispatched: Int, stopReason: String) {
        self.index = index
        self.name = name
        self.concurrency = concurrency
        self.rate = rate
        self.startNs = startNs
        self.windowStartNs = windowStartNs
        self.windowEndNs = windowEndNs
        self.endNs = endNs
        self.warmupDispatched = warmupDispatched
        self.measuredDispatched = measuredDispatched
        self.stopReason = stopReason
    }

    public var windowSeconds: Double { Double(windowEndNs - windowStartNs) / 1e9 }

    /// Users or requests per second, for plots.
    public var loadValue: Double { rate ?? Double(concurrency) }
}
