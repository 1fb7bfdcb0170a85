import Yams

/// `load:` (closed or open loop, levels, ramp, requests, duration, warm-up) and the `matrix:` of token lengths.
extension ScenarioReader {
    static let loadKeys = ["mode", "concurrency", "rate", "ramp", "arrival", "burstiness", "seed", "max_in_flight", "at_cap",
                           "requests", "duration", "warmup", "think_time", "drain_timeout", "cooldown"]

    mutating func load(_ node: Node) throws -> LoadSettings {
        let map = try mapping(node, path: "load", allowed: Self.loadKeys)
        var settings = LoadSettings()
        if let n = map["mode"] {
            settings.mode = try choice(n, path: "load.mode", LoadSettings.Mode.self)
        } else if map["rate"] != nil || map["ramp"] != nil {
            settings.mode = .open
        }
        if let n = map["concurrency"] {
            guard settings.mode == .closed else {
                throw located(n, "load.concurrency", "concurrency is for closed-loop levels, but this load is open-loop",
                              hint: "give either concurrency (closed loop) or rate/ramp (open loop)")
            }
            settings.concurrency = try Self.concurrencyLevels(n, at: site(n, "load.concurrency"))
        }
        if let n = map["rate"] {
            guard map["ramp"] == nil else {
                throw located(n, "load.rate", "rate and ramp are both given", hint: "a list of rates, or one ramp, not both")
            }
            settings.rates = try Self.rates(n, at: site(n, "load.rate"))
        }
        if let n = map["ramp"] {
            let ramp = try mapping(n, path: "load.ramp", allowed: ["from", "to", "over"])
            guard let from = ramp["from"], let to = ramp["to"], let over = ramp["over"] else {
                throw located(n, "load.ramp", "a ramp needs from, to and over", hint: "for example {from: 1/s, to: 50/s, over: 2m}")
            }
            let fromRate = try rate(from, path: "load.ramp.from", allowZero: true)
            let toRate = try rate(to, path: "load.ramp.to", allowZero: true)
            guard fromRate + toRate > 0 else { throw located(n, "load.ramp", "both rates are zero", hint: "a rate above zero at one end") }
            let overNs = try duration(over, path: "load.ramp.over", in: DurationText.defaultRange)
            guard overNs > 0 else { throw located(over, "load.ramp.over", "must be above zero", hint: "for example 2m") }
            settings.ramp = LoadSettings.Ramp(from: fromRate, to: toRate, overNs: overNs)
        }
        let key = settings.mode == .closed ? "concurrency" : "rate"
        try Self.checkDistinct(settings.levelLoads, at: site(map[key], "load.\(key)"))
        if settings.mode == .open && settings.rates.isEmpty && settings.ramp == nil {
            throw located(map["mode"] ?? node, "load.mode", "an open-loop load needs rate or ramp", hint: "for example rate: [5/s, 10/s]")
        }
        if let n = map["arrival"] { settings.arrival = try Self.arrival(n, at: site(n, "load.arrival")) }
        if let n = map["burstiness"] { settings.burstiness = try double(n, path: "load.burstiness", in: 0.01...100) }
        if let n = map["seed"] { settings.seed = UInt64(try int(n, path: "load.seed", in: 0...Int.max)) }
        if let n = map["max_in_flight"] { settings.maxInFlight = try int(n, path: "load.max_in_flight", in: 1...1_000_000) }
        if let n = map["at_cap"] { settings.atCap = try choice(n, path: "load.at_cap", LoadSettings.AtCap.self) }
        for key in ["arrival", "burstiness", "max_in_flight", "at_cap"] where settings.mode == .closed {
            if let n = map[key] {
                throw located(n, "load.\(key)", "applies to open-loop loads only", hint: "set rate or ramp, or remove \(key)")
            }
        }
        if map["requests"] != nil || map["duration"] != nil { settings.requests = nil }
        if let n = map["requests"] { settings.requests = try Self.requests(n, at: site(n, "load.requests")) }
        if let n = map["duration"] { settings.durationNs = try Self.measuredDuration(n, at: site(n, "load.duration")) }
        if let n = map["warmup"] {
            switch try Self.warmup(n, at: site(n, "load.warmup")) {
            case .requests(let count): settings.warmup = count
            case .duration(let ns): settings.warmupNs = ns
            }
        }
        if let n = map["think_time"] { settings.thinkTimeNs = try Self.thinkTime(n, at: site(n, "load.think_time")) }
        if let n = map["drain_timeout"] { settings.drainTimeoutNs = try duration(n, path: "load.drain_timeout", in: DurationText.defaultRange) }
        if let n = map["cooldown"] { settings.cooldownNs = try duration(n, path: "load.cooldown", in: DurationText.defaultRange) }
        return settings
    }

    // MARK: Values the command line overrides too

    /// Closed-loop levels: `8`, or `[1, 8, 32]` (`--concurrency 1,8,32`).
    static func concurrencyLevels(_ node: Node, at site: ValueSite) throws -> [Int] {
        try ScenarioValue.list(node, at: site, emptyHint: "one or more positive integers, for example [1, 8, 32]") {
            try ScenarioValue.int($0, at: $1, in: 1...100_000)
        }
    }

    /// Open-loop levels: `20/s`, or `[5/s, 10/s, 1200/m]` (`--rate 5/s,10/s,1200/m`).
    static func rates(_ node: Node, at site: ValueSite) throws -> [Double] {
        try ScenarioValue.list(node, at: site, emptyHint: "for example [5/s, 10/s, 20/s]") { try ScenarioValue.rate($0, at: $1) }
    }

    /// Levels name their output files, so two levels offering the same load would overwrite each other.
    static func checkDistinct(_ loads: [LevelLoad], at site: ValueSite) throws {
        var seen = Set<String>()
        for (index, load) in loads.enumerated() where !seen.insert(LevelPlan.name(of: load)).inserted {
            throw site.indexed(index).error("level \(LevelPlan.name(of: load)) is listed twice",
                                            hint: "each level once; to measure one load longer, raise requests or duration")
        }
    }

    static func arrival(_ node: Node, at site: ValueSite) throws -> ArrivalProcess {
        try ScenarioValue.choice(node, at: site, ArrivalProcess.self)
    }

    /// Measured requests per level.
    static func requests(_ node: Node, at site: ValueSite) throws -> Int {
        try ScenarioValue.int(node, at: site, in: 1...100_000_000)
    }

    /// Measurement time per level.
    static func measuredDuration(_ node: Node, at site: ValueSite) throws -> Int64 {
        let ns = try ScenarioValue.duration(node, at: site, in: DurationText.defaultRange)
        if ns == 0 { throw site.error("must be above zero", hint: "for example 30s or 5m") }
        return ns
    }

    enum Warmup: Equatable {
        case requests(Int)
        case duration(Int64)
    }

    /// Warm-up per level: a count of requests (`4`), or a time (`10s`).
    static func warmup(_ node: Node, at site: ValueSite) throws -> Warmup {
        if ScenarioValue.integer(node) != nil { return .requests(try ScenarioValue.int(node, at: site, in: 0...1_000_000)) }
        return .duration(try ScenarioValue.duration(node, at: site, in: DurationText.defaultRange))
    }

    /// Pause of each virtual user between its requests.
    static func thinkTime(_ node: Node, at site: ValueSite) throws -> Int64 {
        try ScenarioValue.duration(node, at: site, in: DurationText.defaultRange)
    }

    /// `matrix: {input_tokens: [...], output_tokens: [...]}`: input lengths need synthetic prompts to build.
    mutating func matrix(_ node: Node, source: PromptSource) throws -> LoadMatrix {
        let map = try mapping(node, path: "matrix", allowed: ["input_tokens", "output_tokens"])
        func axis(_ key: String) throws -> [Int] {
            guard let n = map[key] else { return [] }
            let path = "matrix.\(key)"
            let values: [Int]
            if case .sequence(let items) = n {
                guard !items.isEmpty else { throw located(n, path, "the list is empty", hint: "one or more token counts, e.g. [128, 512, 2048]") }
                values = try items.enumerated().map { try int($1, path: "\(path)[\($0)]", in: 1...10_000_000) }
            } else {
                values = [try int(n, path: path, in: 1...10_000_000)]
            }
            if let twice = values.enumerated().first(where: { values[..<$0.offset].contains($0.element) }) {
                throw located(n, "\(path)[\(twice.offset)]", "\(twice.element) is listed twice", hint: "each length once")
            }
            return values
        }
        let matrix = LoadMatrix(inputTokens: try axis("input_tokens"), outputTokens: try axis("output_tokens"))
        guard !matrix.inputTokens.isEmpty || !matrix.outputTokens.isEmpty else {
            throw located(node, "matrix", "the matrix has no axis", hint: "input_tokens and/or output_tokens, e.g. {input_tokens: [128, 1024], output_tokens: [64, 512]}")
        }
        if !matrix.inputTokens.isEmpty {
            guard case .synthetic = source.kind else {
                throw located(map["input_tokens"], "matrix.input_tokens", "input lengths need synthetic prompts, but prompts come from source \(source.kind.name)",
                              hint: "set prompts: {source: synthetic, input_tokens: 512}, or drop matrix.input_tokens")
            }
        }
        return matrix
    }
}

extension LoadSettings {
    /// The levels of this load, in order: concurrencies (closed loop) or rates (open loop).
    var levelLoads: [LevelLoad] {
        mode == .closed ? concurrency.map { .concurrency($0) } : rates.map { .rate($0) }
    }
}
