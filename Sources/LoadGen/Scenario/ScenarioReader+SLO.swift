import Yams

/// `slo:` objectives and the `search:` for the highest level that meets them.
extension ScenarioReader {
    func slos(_ node: Node) throws -> [SLO] {
        let items: [Node]
        if case .sequence(let list) = node { items = Array(list) } else { items = [node] }
        guard !items.isEmpty else { throw located(node, "slo", "the list is empty", hint: "for example [\"p99 ttft_ms < 500\"]") }
        return try items.enumerated().map { index, item in
            let path = "slo[\(index)]"
            switch SLO.parse(try string(item, path: path), metrics: SLO.metricNames) {
            case .success(let slo): return slo
            case .failure(let error): throw located(item, path, error.message)
            }
        }
    }

    mutating func search(_ node: Node, top: [String: Node], scenario: Scenario) throws -> SLOSearchSettings {
        guard !scenario.slos.isEmpty else {
            throw located(node, "search", "a search needs objectives to meet", hint: "add slo: [\"p99 ttft_ms < 500\"]")
        }
        guard scenario.load.ramp == nil else {
            throw located(node, "search", "a search cannot run a ramp", hint: "search over concurrency (closed loop) or rate")
        }
        if let matrix = top["matrix"] {
            throw located(matrix, "matrix", "a matrix and a search are both given",
                          hint: "a search picks its own levels; run one scenario per matrix cell, or drop the search")
        }
        return try search(node, open: scenario.load.mode == .open)
    }

    mutating func search(_ node: Node, open: Bool) throws -> SLOSearchSettings {
        let map = try mapping(node, path: "search", allowed: ["start", "max", "levels", "resolution"])
        func load(_ key: String, default value: Double) throws -> Double {
            guard let n = map[key] else { return value }
            return open ? try rate(n, path: "search.\(key)") : Double(try int(n, path: "search.\(key)", in: 1...100_000))
        }
        let start = try load("start", default: 1)
        let max = try load("max", default: open ? 1000 : 1024)
        guard start <= max else { throw located(node, "search", "start \(start) is above max \(max)", hint: "start <= max") }
        let budget = try map["levels"].map { try int($0, path: "search.levels", in: 1...64) } ?? 10
        let resolution = try map["resolution"].map { try double($0, path: "search.resolution", in: 0.001...1_000_000) }
            ?? (open ? Swift.max(start / 10, 0.1) : 1)
        return SLOSearchSettings(start: start, max: max, budget: budget, resolution: resolution)
    }
}
