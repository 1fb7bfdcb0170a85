import Foundation

/// `GET {base}/models`: the models an endpoint serves, with their context length and pricing when it says.
public struct ModelInfo: Sendable, Equatable {
    public var id: String
    public var contextLength: Int?
    public var maxCompletionTokens: Int?
    /// Prices as the server wrote them (SambaNova: US dollars per token, as strings).
    public var promptPrice: String?
    public var completionPrice: String?
    public var ownedBy: String?

    public init(id: String, contextLength: Int? = nil, maxCompletionTokens: Int? = nil, promptPrice: String? = nil,
                completionPrice: String? = nil, ownedBy: String? = nil) {
        self.id = id
        self.contextLength = contextLength
        self.maxCompletionTokens = maxCompletionTokens
        self.promptPrice = promptPrice
        self.completionPrice = completionPrice
        self.ownedBy = ownedBy
    }
}

public enum ModelList {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }

        public init(message: String) { self.message = message }
    }

    /// Asks `{baseURL}/models` through the transport (the path before the base URL's query). The key goes only into
    /// the Authorization header; a failure's message shows the URL masked (`URLRedaction`) and the server's text with
    /// the key and the URL's secrets redacted (`SecretRedactor`).
    public static func fetch(baseURL: String, apiKey: String?, transport: CurlTransport,
                             timeouts: TransferTimeouts = TransferTimeouts(connectNs: 10_000_000_000, totalNs: 30_000_000_000),
                             insecure: Bool = false) async throws -> [ModelInfo] {
        let url = EndpointURL.appending("/models", to: baseURL)
        let shown = URLRedaction.masked(url)
        let redactor = SecretRedactor(apiKey: apiKey, baseURL: baseURL)
        var headers = ["Accept: application/json"]
        if let apiKey { headers.append("Authorization: Bearer \(apiKey)") }
        let options = TransferOptions(streaming: false, decoder: ChatCompletionsDecoder(), timeouts: timeouts, insecure: insecure)
        let outcome = await transport.perform(HTTPRequest(url: url, method: "GET", headers: headers), options: options)
        if let failure = outcome.failure {
            throw Failure(message: redactor.redact("GET \(shown): \(failure.message)"))
        }
        if outcome.curlCode != 0 {
            throw Failure(message: redactor.redact("cannot reach \(shown): \(outcome.curlMessage ?? "libcurl error \(outcome.curlCode)")"))
        }
        guard (200..<300).contains(outcome.status) else {
            let detail = ChatCompletionsDecoder().parseError(body: outcome.body)?.message
                ?? String(decoding: outcome.body.prefix(200), as: UTF8.self)
            let hint = outcome.status == 401 || outcome.status == 403 ? " (is the API key variable set and valid?)" : ""
            throw Failure(message: redactor.redact("GET \(shown): HTTP \(outcome.status)\(detail.isEmpty ? "" : ": \(detail)")\(hint)"))
        }
        do {
            return try parse(outcome.body).map { redactor.redact($0) }
        } catch let failure as Failure {
            throw Failure(message: redactor.redact("GET \(shown): \(failure.message)"))
        }
    }

    /// Reads `{"data": [{"id": ..., "context_length": ..., "pricing": {"prompt": ..., "completion": ...}}]}` (a bare
    /// array of models is read too).
    public static func parse(_ body: [UInt8]) throws -> [ModelInfo] {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else {
            let start = String(decoding: body.prefix(80), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
            throw Failure(message: "the answer is not JSON\(start.isEmpty ? " (empty body)" : ": '\(start)'")")
        }
        let items: [JSONValue]
        if case .array(let list)? = value["data"] {
            items = list
        } else if case .array(let list) = value {
            items = list
        } else {
            throw Failure(message: "the answer is JSON but not a model list (expected {\"data\": [{\"id\": ...}, ...]})")
        }
        return items.compactMap { item in
            guard case .string(let id)? = item["id"] else { return nil }
            return ModelInfo(id: id, contextLength: integer(item["context_length"]),
                             maxCompletionTokens: integer(item["max_completion_tokens"]),
                             promptPrice: text(item["pricing"]?["prompt"]), completionPrice: text(item["pricing"]?["completion"]),
                             ownedBy: text(item["owned_by"]))
        }
    }

    static func integer(_ value: JSONValue?) -> Int? {
        switch value {
        case .number(let number)?: return number.isFinite ? Int(number) : nil
        case .string(let text)?: return Int(text)
        default: return nil
        }
    }

    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .number(let number)?: return String(number)
        default: return nil
        }
    }
}
