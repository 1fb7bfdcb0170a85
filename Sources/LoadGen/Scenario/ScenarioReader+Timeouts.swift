import Yams

/// `timeouts:`: connect, first token, idle gap and total, each a duration or none.
extension ScenarioReader {
    static let timeoutKeys = ["connect", "first_token", "idle", "total"]

    mutating func timeouts(_ node: Node, defaults: TransferTimeouts) throws -> TransferTimeouts {
        let map = try mapping(node, path: "timeouts", allowed: Self.timeoutKeys)
        var result = defaults
        func value(_ key: String) throws -> Int64?? {
            guard let n = map[key] else { return .none }
            if case .scalar(let scalar) = n, ["none", "off", "~", "null"].contains(scalar.string) { return .some(nil) }
            let ns = try duration(n, path: "timeouts.\(key)", in: DurationText.defaultRange)
            guard ns > 0 else { throw located(n, "timeouts.\(key)", "must be above zero", hint: "a duration such as 30s, or none") }
            return .some(ns)
        }
        if let v = try value("connect") { result.connectNs = v }
        if let v = try value("first_token") { result.firstTokenNs = v }
        if let v = try value("idle") { result.idleNs = v }
        if let v = try value("total") { result.totalNs = v }
        return result
    }
}
