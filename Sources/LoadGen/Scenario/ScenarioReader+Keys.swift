import Yams

/// Where the API key comes from (`api_key_env`, `api_key_file`), and keys that would put it in the file.
extension ScenarioReader {
    mutating func apiKey(_ top: [String: Node], variablesUsed: [String: (line: Int, column: Int)], into scenario: inout Scenario) throws {
        if let node = top["api_key_env"] {
            let variable = try string(node, path: "api_key_env")
            // Not echoed: a key pasted here by mistake must not end up in a terminal or a CI log.
            guard !variable.isEmpty, variable.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw located(node, "api_key_env", "the value is not an environment variable name",
                              hint: "the name of the variable holding the key, for example SAMBANOVA_API_KEY; never the key itself")
            }
            scenario.apiKeyEnv = variable
        }
        if let node = top["api_key_file"] {
            if let env = top["api_key_env"] {
                throw located(node, "api_key_file", "api_key_env and api_key_file are both given (api_key_env at line \(env.mark?.line ?? 0))",
                              hint: "one source for the key: the variable named by api_key_env, or the file named by api_key_file")
            }
            let path = try string(node, path: "api_key_file")
            guard !path.isEmpty else { throw located(node, "api_key_file", "the path is empty", hint: "a file holding the key alone, e.g. ~/.config/sambanova/key") }
            scenario.apiKeyFile = resolve(path)
        }
        if let (line, column) = variablesUsed[scenario.apiKeyEnv] {
            throw ScenarioError(file: file, line: line, column: column, path: "",
                                message: "${\(scenario.apiKeyEnv)} would copy the API key into the scenario, and from there into run.json",
                                hint: "the key is read from \(scenario.apiKeyEnv) by api_key_env and only sent in the Authorization header")
        }
    }

    /// Keys that would put a secret in the file are refused with the way to give it instead.
    func rejectInlineKeys(_ node: Node, path: String) throws {
        guard case .mapping(let map) = node else { return }
        for (keyNode, value) in map {
            guard let key = keyNode.string else { continue }
            let full = path.isEmpty ? key : "\(path).\(key)"
            let normalized = key.lowercased().replacingOccurrences(of: "-", with: "_")
            if Self.secretKeys.contains(normalized) {
                throw located(keyNode, full, "an API key never goes in a scenario file",
                              hint: "name the environment variable holding it with api_key_env (default SAMBANOVA_API_KEY), or a file holding it with api_key_file")
            }
            if path.isEmpty && key == "request" { try rejectInlineKeys(value, path: key) }
        }
    }

    static let secretKeys: Set = ["api_key", "apikey", "key", "token", "api_token", "access_token", "secret", "password",
                                  "authorization", "bearer", "x_api_key"]
}
