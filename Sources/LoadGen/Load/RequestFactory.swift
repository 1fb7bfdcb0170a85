import Foundation

/// Makes the requests of a run: the opening request of each prompt (or conversation), prepared once and picked in
/// turn by sequence number, and the later turns of conversations and tool flows, built from their history.
public struct RequestFactory: Sendable {
    public let api: APIKind
    public let model: String
    public var options: TransferOptions
    public let builder: any APIRequestBuilder
    public let tools: ToolSettings?
    /// Keep each answer on its record (`record_text`).
    public let recordText: Bool
    public let retries: RetryPolicy
    private let apiKey: String?
    private let openings: [Prompt]
    /// The user turns after the first, per opening (empty for plain prompts).
    private let followUps: [[String]]
    private let prepared: [HTTPRequest]

    public init(scenario: Scenario, baseURL: String, apiKey: String?) {
        let builder = APIAdapters.builder(for: scenario, baseURL: baseURL)
        self.api = scenario.api
        self.model = scenario.model
        self.builder = builder
        self.tools = scenario.tools
        self.recordText = scenario.recordText
        self.retries = scenario.retries
        self.apiKey = apiKey
        if scenario.conversations.isEmpty {
            openings = scenario.prompts
            followUps = scenario.prompts.map { _ in [] }
        } else {
            openings = scenario.conversations.map { .text($0.turns.first ?? "") }
            followUps = scenario.conversations.map { Array($0.turns.dropFirst()) }
        }
        self.prepared = openings.map { builder.request(for: $0, apiKey: apiKey) }
        self.options = TransferOptions(streaming: scenario.stream, decoder: APIAdapters.decoder(for: scenario.api),
                                       timeouts: scenario.timeouts, insecure: scenario.insecure,
                                       followRedirects: scenario.followRedirects,
                                       captureOutput: scenario.hasFollowUps || scenario.recordText)
    }

    /// The opening request of conversation (or prompt) `seq`.
    public func request(seq: Int) -> HTTPRequest { prepared[seq % prepared.count] }

    /// Whether an answer can lead to another request.
    public var hasFollowUps: Bool { tools != nil || followUps.contains { !$0.isEmpty } }

    public func opening(seq: Int) -> Prompt { openings[seq % openings.count] }
    public func followUps(seq: Int) -> [String] { followUps[seq % followUps.count] }

    public func request(history: [HistoryItem]) -> HTTPRequest { builder.request(history: history, apiKey: apiKey) }

    /// `text` with the API key (if it appears, e.g. echoed in a server's error message) replaced by `[redacted]`.
    public func redact(_ text: String) -> String {
        guard let apiKey, apiKey.count >= 4, text.contains(apiKey) else { return text }
        return text.replacingOccurrences(of: apiKey, with: "[redacted]")
    }
}
