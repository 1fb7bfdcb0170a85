/// Builds one API's requests from a conversation's history. Bodies keep a fixed key order so they are reproducible.
public protocol APIRequestBuilder: Sendable {
    var url: String { get }
    /// The JSON body for the next request of a conversation whose history so far is `history`.
    func body(history: [HistoryItem]) -> JSONValue
    /// Header lines, the key included when there is one.
    func headers(apiKey: String?) -> [String]
}

extension APIRequestBuilder {
    public func request(history: [HistoryItem], apiKey: String?) -> HTTPRequest {
        HTTPRequest(url: url, headers: headers(apiKey: apiKey), body: Array(body(history: history).serialized.utf8))
    }

    public func request(for prompt: Prompt, apiKey: String?) -> HTTPRequest {
        request(history: [.prompt(prompt)], apiKey: apiKey)
    }

    public func body(for prompt: Prompt) -> JSONValue { body(history: [.prompt(prompt)]) }
}

/// The request builder and the decoder of a scenario's API, from `APIRegistry` (kept for existing callers).
public enum APIAdapters {
    public static func builder(for scenario: Scenario, baseURL: String) -> any APIRequestBuilder {
        APIRegistry.builder(for: scenario, baseURL: baseURL)
    }

    public static func decoder(for api: APIKind) -> any StreamDecoder { APIRegistry.decoder(for: api) }

    /// The path after the base URL.
    public static func path(of api: APIKind) -> String { APIRegistry.path(of: api) }

    static func trimmed(_ baseURL: String) -> String { APIRegistry.trimmed(baseURL) }
}
