import Yams

/// The shape of a scenario: mappings with known keys, required keys, and the nearest key to a misspelt one.
extension ScenarioReader {
    mutating func mapping(_ node: Node, path: String, allowed: [String]) throws -> [String: Node] {
        guard case .mapping(let map) = node else {
            throw located(node, path, "expected a mapping of keys", hint: "keys: \(allowed.joined(separator: ", "))")
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in map {
            guard case .scalar(let scalar) = keyNode else {
                throw located(keyNode, path, "keys must be plain names")
            }
            let key = scalar.string
            let fullPath = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                var hint = "valid keys here: \(allowed.joined(separator: ", "))"
                if let suggestion = Self.closest(to: key, in: allowed) { hint = "did you mean '\(suggestion)'? " + hint }
                throw located(keyNode, fullPath, "unknown key", hint: hint)
            }
            guard result[key] == nil else { throw located(keyNode, fullPath, "the key is given twice") }
            result[key] = value
            if let mark = keyNode.mark { locations[fullPath] = mark }
        }
        return result
    }

    func required(_ map: [String: Node], _ key: String, in node: Node, path: String) throws -> Node {
        guard let value = map[key] else {
            let full = path.isEmpty ? key : "\(path).\(key)"
            throw located(node, full, "missing required key", hint: Self.requiredHints[key])
        }
        return value
    }

    static let requiredHints = [
        "name": "a short name for the results folder, for example demo",
        "base_url": "the API base URL such as https://api.sambanova.ai/v1, or mock",
        "model": "the model id, for example gpt-oss-120b",
        "prompts": "a list of prompt strings",
    ]

    /// The allowed key nearest to a misspelt one (edit distance at most 2, or a shared prefix of 4).
    static func closest(to key: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(key, $0)) }.sorted { $0.1 < $1.1 }
        if let best = scored.first, best.1 <= 2 { return best.0 }
        return allowed.first { $0.hasPrefix(String(key.prefix(4))) && key.count >= 4 }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
