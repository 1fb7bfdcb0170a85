import Foundation
import NIOHTTP1

/// The APIs the mock speaks. Each answers its errors in its own shape.
enum MockAPI: Equatable {
    /// `POST /v1/chat/completions` (and `GET /v1/models`, which shares its error shape).
    case chat
    /// `POST /v1/responses`, OpenAI's Responses API, stateless.
    case responses
    /// `POST /v1/messages`, Anthropic's Messages API.
    case messages

    /// The API a path belongs to, by its prefix; nil for paths outside all three.
    init?(path: String) {
        switch path {
        case "/v1/chat/completions", "/v1/models": self = .chat
        case _ where path == "/v1/responses" || path.hasPrefix("/v1/responses/"): self = .responses
        case _ where path == "/v1/messages" || path.hasPrefix("/v1/messages/"): self = .messages
        default: return nil
        }
    }

    /// The body of an error answer: OpenAI's envelope, or Messages' `{"type":"error",...}`, where the error's type
    /// says what the code says elsewhere.
    func errorBody(_ error: MockError) -> String {
        switch self {
        case .chat, .responses:
            MockJSON.error(message: error.message, type: error.type, code: error.code)
        case .messages:
            #"{"type":"error","error":{"type":"\#(error.messagesType)","message":\#(MockJSON.string(error.message))},"request_id":"\#(UUID().uuidString.lowercased())"}"#
        }
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

    /// The 503 of the overload fault, and the error of the mid-stream error fault.
    static func overloaded(midStream: Bool) -> MockError {
        MockError(status: .serviceUnavailable, type: "server_error", code: "overloaded",
                  message: midStream ? "The model is overloaded; generation stopped" : "The model is overloaded; try again later")
    }
}
