import Yams

/// `limits:`: what one response may hold in memory.
extension ScenarioReader {
    static let limitKeys = ["max_chunks_per_request"]

    mutating func limits(_ node: Node) throws -> RequestLimits {
        let map = try mapping(node, path: "limits", allowed: Self.limitKeys)
        var limits = RequestLimits()
        if let n = map["max_chunks_per_request"] {
            limits.maxChunksPerRequest = try int(n, path: "limits.max_chunks_per_request", in: RequestLimits.maxChunksRange)
        }
        return limits
    }
}
