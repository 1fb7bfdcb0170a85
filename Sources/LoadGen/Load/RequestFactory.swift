/// Makes the requests of a run: one prepared request per prompt, picked in turn by sequence number.
public struct RequestFactory: Sendable {
    public let api: APIKind
    public let model: String
    public var options: TransferOptions
    private let prepared: [HTTPRequest]

    public init(scenario: Scenario, baseURL: String, apiKey: String?) {
        let chat = ChatCompletionsAPI(baseURL: baseURL, model: scenario.model, stream: scenario.stream,
                                      settings: scenario.request)
        self.api = scenario.api
        self.model = scenario.model
        self.prepared = scenario.prompts.map { chat.request(for: $0, apiKey: apiKey) }
        self.options = TransferOptions(streaming: scenario.stream, decoder: ChatCompletionsDecoder(),
                                       timeouts: scenario.timeouts, insecure: scenario.insecure)
    }

    public func request(seq: Int) -> HTTPRequest { prepared[seq % prepared.count] }
}

/// Sends one request and turns what came back into a record.
public struct RequestExecutor: Sendable {
    public let transport: CurlTransport
    public let factory: RequestFactory

    public init(transport: CurlTransport, factory: RequestFactory) {
        self.transport = transport
        self.factory = factory
    }

    public func execute(_ context: DispatchContext) async -> RequestRecord {
        let outcome = await transport.perform(factory.request(seq: context.seq), options: factory.options)
        return RecordBuilder.build(outcome, context: context, api: factory.api, model: factory.model,
                                   streaming: factory.options.streaming, decoder: factory.options.decoder)
    }
}
