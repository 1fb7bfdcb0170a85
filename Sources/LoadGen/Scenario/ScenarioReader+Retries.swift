import Yams

/// `retries:` of failed requests, and `abort:`, the early stop on errors.
extension ScenarioReader {
    mutating func retries(_ node: Node) throws -> RetryPolicy {
        let map = try mapping(node, path: "retries", allowed: ["max", "on", "backoff", "max_backoff"])
        var policy = RetryPolicy()
        if let n = map["max"] { policy.maxRetries = try int(n, path: "retries.max", in: 0...100) }
        if let n = map["on"] {
            guard case .sequence(let items) = n, !items.isEmpty else {
                throw located(n, "retries.on", "expected a non-empty list of error classes", hint: "for example [rate_limited, server_error]")
            }
            policy.on = Set(try items.enumerated().map { index, item in
                try choice(item, path: "retries.on[\(index)]", ErrorClass.self)
            })
        }
        if let n = map["backoff"] { policy.backoffNs = try duration(n, path: "retries.backoff", in: RetryPolicy.backoffRange) }
        if let n = map["max_backoff"] { policy.maxBackoffNs = try duration(n, path: "retries.max_backoff", in: RetryPolicy.backoffRange) }
        guard policy.backoffNs <= policy.maxBackoffNs else {
            throw located(map["backoff"] ?? node, "retries.backoff", "backoff is above max_backoff", hint: "backoff <= max_backoff")
        }
        return policy
    }

    mutating func abort(_ node: Node) throws -> AbortPolicy {
        let map = try mapping(node, path: "abort", allowed: ["error_rate", "min_requests"])
        guard let rate = map["error_rate"] else {
            throw located(node, "abort.error_rate", "missing required key", hint: "the error rate above which the run stops, e.g. 0.5")
        }
        return AbortPolicy(errorRate: try double(rate, path: "abort.error_rate", in: 0...1),
                           minRequests: try map["min_requests"].map { try int($0, path: "abort.min_requests", in: 1...1_000_000) } ?? 20)
    }
}
