import Foundation

/// Usage as a server reported it, normalised across APIs.
public struct ParsedUsage: Sendable, Equatable {
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var reasoningTokens: Int?
    public var cachedTokens: Int?
    public var server = ServerUsage()

    public init(inputTokens: Int? = nil, outputTokens: Int? = nil, reasoningTokens: Int? = nil,
                cachedTokens: Int? = nil, server: ServerUsage = ServerUsage()) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.reasoningTokens = reasoningTokens
        self.cachedTokens = cachedTokens
        self.server = server
    }
}

/// An error the server reported, in a body or inside a stream.
public struct APIError: Sendable, Equatable {
    public var type: String?
    public var code: String?
    public var message: String

    public init(type: String? = nil, code: String? = nil, message: String) {
        self.type = type
        self.code = code
        self.message = message
    }
}

/// A failure the client detected while reading a response.
public struct StreamFailure: Sendable, Equatable, Error {
    public var errorClass: ErrorClass
    public var apiError: APIError?
    public var message: String

    public init(_ errorClass: ErrorClass, message: String, apiError: APIError? = nil) {
        self.errorClass = errorClass
        self.message = message
        self.apiError = apiError
    }

    /// An error the server reported inside a 200 answer (an error event, or a body or event with an error object).
    static func streamError(_ apiError: APIError) -> StreamFailure {
        StreamFailure(.streamError, message: apiError.message, apiError: apiError)
    }

    /// JSON the decoder could not read: `what` names it, and the message quotes its shape only (`EventExcerpt`: keys and
    /// punctuation, text values elided, at most 48 characters), so no answer text reaches an error column.
    static func malformed(_ what: String, _ bytes: some Collection<UInt8>) -> StreamFailure {
        StreamFailure(.malformedEvent, message: "undecodable \(what) (\(bytes.count) bytes): \(EventExcerpt.shape(bytes))")
    }
}

/// What the decoders learn from a response, filled in as events arrive.
public struct StreamAccumulator: Sendable {
    /// Token-carrying chunks; `tokens` is filled in when the record is finished.
    public var chunks: [ChunkRecord] = []
    public var usage: ParsedUsage?
    public var finishReason: String?
    /// Arrival of the terminator (`[DONE]`), nanoseconds from the run origin.
    public var terminatorNs: Int64?
    public var failure: StreamFailure?
    /// Events seen, token-carrying or not.
    public var events = 0
    /// The generated output itself, kept only when asked (conversations, tools, `record_text`).
    public var capture: CapturedOutput?
    /// The model asked; the first event (or the body) is checked against it (`checkModel`).
    public var expectedModel: String?
    /// The model the response named, when it is not the one asked.
    public var responseModel: String?
    var modelChecked = false
    /// The stream's events, kept raw when the scenario has a tokenizer (`TextKeepingDecoder`), to be decoded again
    /// for their text off the transport thread.
    public var keptEvents: KeptEvents?

    public init(capture: Bool = false) {
        if capture { self.capture = CapturedOutput() }
    }

    /// Adds a chunk when it carries generated text; role-only and empty deltas are not chunks.
    @inline(__always)
    public mutating func addChunk(arrivalNs: Int64, answerBytes: Int, reasoningBytes: Int, toolBytes: Int) {
        guard answerBytes + reasoningBytes + toolBytes > 0 else { return }
        chunks.append(ChunkRecord(arrivalNs: arrivalNs, answerBytes: answerBytes, reasoningBytes: reasoningBytes,
                                  toolBytes: toolBytes))
    }
}

/// Reads one API's responses: streamed events as they arrive (on the transport thread), whole bodies afterwards.
public protocol StreamDecoder: Sendable {
    /// Decodes one event that arrived at `arrivalNs`. Sets `failure` on a malformed or error event.
    func decode(event: SSEEvent, arrivalNs: Int64, into accumulator: inout StreamAccumulator)
    /// Decodes a whole response body: a non-streamed answer (status 2xx), arriving complete at `arrivalNs`.
    func decode(body: [UInt8], arrivalNs: Int64, into accumulator: inout StreamAccumulator)
    /// Parses an HTTP error body (JSON in the API's shape, or plain text).
    func parseError(body: [UInt8]) -> APIError?
}

/// Error bodies and events shared by the OpenAI-style APIs and Messages (docs/wire-formats.md: Errors):
/// `{"error":{"message","type","code"}}`, `{"error":"Not found"}`, `{"type":"error","error":{...}}`.
struct ErrorEnvelope: Decodable {
    var error: ErrorPayload?
    var message: String?
    var detail: String?

    struct ErrorPayload: Decodable {
        var type: String?
        var code: String?
        var message: String?

        init(from decoder: Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                message = text
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try? container.decode(String.self, forKey: .type)
            message = try? container.decode(String.self, forKey: .message)
            if let text = try? container.decode(String.self, forKey: .code) {
                code = text
            } else if let number = try? container.decode(Double.self, forKey: .code) {
                code = String(Int(number))
            }
        }

        enum CodingKeys: String, CodingKey { case type, code, message }

        var apiError: APIError { APIError(type: type, code: code, message: message ?? type ?? "error") }
    }

    var apiError: APIError? {
        if let error { return error.apiError }
        if let text = message ?? detail { return APIError(message: text) }
        return nil
    }

    /// Parses a JSON error body, or takes plain text (trimmed, at most 500 characters) as the message.
    static func parse(_ body: [UInt8]) -> APIError? {
        if let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: Data(body)), let error = envelope.apiError {
            return error
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : APIError(message: String(text.prefix(500)))
    }
}

/// A count or index that may be sent as an integer or a float (`100` or `100.0`). Negative values and values above
/// `UInt32.max` are errors: a hostile server's `-5` or `1e18` output tokens would otherwise reach the sums.
struct LenientInt: Decodable {
    var value: Int
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let int = try? container.decode(Int.self) {
            value = int
        } else {
            let double = try container.decode(Double.self)
            guard double.isFinite, double >= Double(Int.min), double <= Double(Int.max) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer")
            }
            value = Int(double)
        }
        guard (0...Int(UInt32.max)).contains(value) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a count: \(value)")
        }
    }
}
