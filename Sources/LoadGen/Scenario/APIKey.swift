import Foundation

/// Where the API key comes from: the environment variable `api_key_env` (SAMBANOVA_API_KEY unless named), or the
/// file `api_key_file`; never the scenario file itself. The key is only ever put in the Authorization header:
/// errors name the variable or the file, never their contents. `auth: none` says the endpoint takes no key at all.
extension Scenario {
    /// The key for the run, or nil against the mock (which needs none). Errors point at the scenario key naming the
    /// source.
    public func apiKey(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        guard !usesMock, auth != .none else { return nil }
        if let file = apiKeyFile {
            guard FileManager.default.fileExists(atPath: file) else {
                throw source.error(at: "api_key_file", "the key file \(file) does not exist",
                                   hint: "write the key into it (chmod 600), or use api_key_env; run with --mock to need none")
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw source.error(at: "api_key_file", "the key file \(file) cannot be read", hint: "check its permissions")
            }
            return try key(String(decoding: data, as: UTF8.self), from: "the key file \(file)", at: "api_key_file")
        }
        guard let value = environment[apiKeyEnv], !value.isEmpty else {
            throw source.error(at: "api_key_env", "environment variable \(apiKeyEnv) is not set",
                               hint: "export \(apiKeyEnv)=<your key>, or run against the mock with --mock")
        }
        return try key(value, from: "environment variable \(apiKeyEnv)", at: "api_key_env")
    }

    private func key(_ text: String, from origin: String, at path: String) throws -> String {
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else {
            throw source.error(at: path, "\(origin) is empty", hint: "it should hold the API key alone")
        }
        // A line break or control character would end the Authorization header early or forge another one.
        guard key.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw source.error(at: path, "\(origin) holds more than one line or control characters",
                               hint: "it should hold the API key alone, on one line")
        }
        return key
    }
}
