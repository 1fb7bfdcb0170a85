/// One API the client speaks. Everything that differs between APIs lives behind this protocol: the path, the request
/// builder, the decoders (with and without their fast path), the request settings the API has no field for, the
/// scenario checks it needs, and the shape of its error bodies. Each conforming type is listed once, in
/// `APIRegistry.all`; nothing else asks which API a scenario speaks.
public protocol APIDefinition: Sendable {
    /// Its name in scenarios (`api:`), on the command line (`--api`) and in records.
    var kind: APIKind { get }
    /// The path after the base URL, e.g. `/chat/completions`.
    var path: String { get }
    /// The builder of a scenario's requests.
    func builder(for scenario: Scenario, baseURL: String) -> any APIRequestBuilder
    /// The decoder of its streams and bodies; `fastPath: false` reads every event with `JSONDecoder` (benchmarks and
    /// tests compare the two).
    func decoder(fastPath: Bool) -> any StreamDecoder
    /// Request settings (keys under `request`) it has no field for, each with a hint: sending them would drop them
    /// silently.
    func unsupportedRequestFields(_ request: RequestSettings) -> [(key: String, hint: String)]
    /// Scenario settings beyond `request` it cannot honour (conversations, tools, a required field left out).
    func problems(in scenario: Scenario) -> [APIScenarioProblem]
    /// Whether `auth:` (how the key is sent) means anything to it; only the bearer default applies elsewhere.
    var takesAuthStyle: Bool { get }
}

extension APIDefinition {
    public func problems(in scenario: Scenario) -> [APIScenarioProblem] { [] }
    public var takesAuthStyle: Bool { false }

    /// An HTTP error body in the API's shape (JSON, or plain text).
    public func parseError(body: [UInt8]) -> APIError? { decoder(fastPath: true).parseError(body: body) }
}

/// A scenario setting an API cannot honour.
public struct APIScenarioProblem: Sendable, Equatable {
    /// The key path the error names, e.g. `request.max_tokens`.
    public var path: String
    /// Top-level keys whose place in the file locates the error, the first present one winning; when none is
    /// present, the place of `path` itself.
    public var anchors: [String]
    public var message: String
    public var hint: String

    public init(path: String, anchors: [String] = [], message: String, hint: String) {
        self.path = path
        self.anchors = anchors
        self.message = message
        self.hint = hint
    }
}
