import Foundation
import NIOHTTP1

/// The APIs the mock speaks, by name. What each one is (its path, request reader, job and error shape) lives in its
/// `MockAPIDefinition`, listed once in `MockAPIs.all`.
enum MockAPI: Equatable {
    /// `POST /v1/chat/completions`.
    case chat
    /// `POST /v1/responses`, OpenAI's Responses API, stateless.
    case responses
    /// `POST /v1/messages`, Anthropic's Messages API.
    case messages
    /// `POST /v1/completions`, SambaNova's legacy text completions.
    case completions

    var definition: any MockAPIDefinition { MockAPIs.definition(of: self) }

    /// The name scenarios and the model catalogue use: `chat`, `responses`, `messages`, `completions`.
    var name: String {
        switch self {
        case .chat: "chat"
        case .responses: "responses"
        case .messages: "messages"
        case .completions: "completions"
        }
    }

    /// The API a path belongs to: its own path, or one under it for APIs that own their subpaths.
    init?(path: String) {
        guard let definition = MockAPIs.definition(forPath: path) ?? MockAPIs.definition(under: path) else { return nil }
        self = definition.api
    }

    /// The body of an error answer in the API's shape.
    func errorBody(_ error: MockError) -> String { definition.errorBody(error) }
}

/// One API the mock speaks: the path it answers, how it reads a request, the job that renders its answers, and the
/// shape of its errors.
protocol MockAPIDefinition: Sendable {
    var api: MockAPI { get }
    /// The path it answers (POST), e.g. `/v1/chat/completions`.
    var path: String { get }
    /// Whether paths under it (a stored response, token counting) are its own, answered 404 in its error shape;
    /// otherwise they get SambaNova's plain `{"error":"Not found"}`.
    var ownsSubpaths: Bool { get }
    /// The error message of a request without a model.
    var missingModelMessage: String { get }
    /// The request's parts the mock uses, from its JSON object (`model` already read); throws `MockError`.
    func parse(_ object: [String: Any], model: String) throws -> MockRequest
    /// The job that renders the answer of `run`.
    func job(run: MockRun) -> any MockJob
    /// The body of an error answer.
    func errorBody(_ error: MockError) -> String
    /// The message of a request that breaks the operation's schema.
    func violationMessage(_ violation: MockSchema.Violation) -> String
}

extension MockAPIDefinition {
    var ownsSubpaths: Bool { false }
    var missingModelMessage: String { "you must provide a model parameter" }
    /// OpenAI's wording: `Invalid 'messages[0].role': ...`.
    func violationMessage(_ violation: MockSchema.Violation) -> String {
        violation.path.isEmpty ? "Invalid request body: \(violation.reason)" : "Invalid '\(violation.param)': \(violation.reason)"
    }
    /// OpenAI's envelope, `{"error":{"message","type","param","code"},"request_id"}`.
    func errorBody(_ error: MockError) -> String {
        MockJSON.error(message: error.message, type: error.type, code: error.code, param: error.param)
    }
}

/// Every API the mock speaks, registered once.
enum MockAPIs {
    static let all: [any MockAPIDefinition] = [ChatMockAPI(), ResponsesMockAPI(), MessagesMockAPI(), CompletionsMockAPI()]

    static func definition(of api: MockAPI) -> any MockAPIDefinition {
        guard let found = all.first(where: { $0.api == api }) else { preconditionFailure("\(api) has no entry in MockAPIs.all") }
        return found
    }

    /// The API answering exactly `path`.
    static func definition(forPath path: String) -> (any MockAPIDefinition)? { all.first { $0.path == path } }

    /// The API owning a path under its own.
    static func definition(under path: String) -> (any MockAPIDefinition)? {
        all.first { $0.ownsSubpaths && path.hasPrefix($0.path + "/") }
    }
}

/// An error answer before any generation.
struct MockError: Error {
    var status: HTTPResponseStatus
    /// OpenAI's `type`.
    var type: String
    /// OpenAI's `code`; nil is sent as JSON null.
    var code: String?
    var message: String
    /// The request field at fault (`messages[0].role`), or nil.
    var param: String? = nil

    static func invalid(_ message: String, code: String?, param: String? = nil) -> MockError {
        MockError(status: .badRequest, type: "invalid_request_error", code: code, message: message, param: param)
    }

    /// Messages' error type, named after the status as Anthropic names them.
    var messagesType: String {
        switch status.code {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 405: "invalid_request_error"
        case 429: "rate_limit_error"
        case 500: "api_error"
        case 529, 503: "overloaded_error"
        default: "invalid_request_error"
        }
    }
}

extension MockError {
    /// The 429 of the rate-limit fault.
    static func rateLimited(requestsPerMinute: Int) -> MockError {
        MockError(status: .tooManyRequests, type: "rate_limit_error", code: "rate_limit_exceeded",
                  message: "Rate limit exceeded: \(requestsPerMinute) requests per minute")
    }

    /// A known path asked with the wrong method.
    static func methodNotAllowed(_ method: HTTPMethod) -> MockError {
        MockError(status: .methodNotAllowed, type: "invalid_request_error", code: "method_not_allowed",
                  message: "Method \(method) not allowed")
    }

    /// A request without a key, or with another key than the one the mock was given.
    static func unauthorized(keyGiven: Bool) -> MockError {
        keyGiven
            ? MockError(status: .unauthorized, type: "invalid_request_error", code: "invalid_api_key",
                        message: "Incorrect API key provided: *****. You can find your API key at https://cloud.sambanova.ai/apis.")
            : MockError(status: .unauthorized, type: "invalid_request_error", code: nil,
                        message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
    }

    /// A model the catalogue does not serve on this API.
    static func modelNotFound(_ model: String) -> MockError {
        MockError(status: .notFound, type: "invalid_request_error", code: "model_not_found",
                  message: "The model `\(model)` does not exist or you do not have access to it.", param: "model")
    }

    /// A prompt longer than the model reads.
    static func contextLengthExceeded(model: String, contextLength: Int, promptTokens: Int) -> MockError {
        MockError(status: .badRequest, type: "invalid_request_error", code: "context_length_exceeded",
                  message: "This model's maximum context length is \(contextLength) tokens. However, your request has \(promptTokens) input tokens. Please reduce the length of the input.",
                  param: "messages")
    }

    /// A body over the size limit.
    static func bodyTooLarge(limit: Int) -> MockError {
        MockError(status: .payloadTooLarge, type: "invalid_request_error", code: "request_too_large",
                  message: "Request body too large: the limit is \(limit) bytes")
    }

    /// The 503 of the overload fault, and the error of the mid-stream error fault.
    static func overloaded(midStream: Bool) -> MockError {
        MockError(status: .serviceUnavailable, type: "server_error", code: "overloaded",
                  message: midStream ? "The model is overloaded; generation stopped" : "The model is overloaded; try again later")
    }
}
