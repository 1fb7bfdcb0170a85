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
}

extension MockAPIDefinition {
    var ownsSubpaths: Bool { false }
    var missingModelMessage: String { "Missing required field: model" }
    /// OpenAI's envelope, `{"error":{"message","type","param","code"},"request_id"}`.
    func errorBody(_ error: MockError) -> String { MockJSON.error(message: error.message, type: error.type, code: error.code) }
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
    var code: String
    var message: String

    static func invalid(_ message: String, code: String) -> MockError {
        MockError(status: .badRequest, type: "invalid_request_error", code: code, message: message)
    }

    /// Messages' error type, named after the status as Anthropic names them.
    var messagesType: String {
        switch status.code {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
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

    /// The 503 of the overload fault, and the error of the mid-stream error fault.
    static func overloaded(midStream: Bool) -> MockError {
        MockError(status: .serviceUnavailable, type: "server_error", code: "overloaded",
                  message: midStream ? "The model is overloaded; generation stopped" : "The model is overloaded; try again later")
    }
}
