import BenchSupport
import Foundation
import NIOCore

/// The parts of a request the mock uses, whichever API it came through.
struct MockRequest: Sendable {
    var model: String
    var stream: Bool
    /// The output limit (`max_tokens`, `max_completion_tokens` or `max_output_tokens`).
    var maxTokens: Int?
    /// Estimated from all the text the model would read, at 4 bytes per token.
    var promptTokens: Int
    /// The function tools offered.
    var tools: [MockTool] = []
    /// The last input is a tool's result: the answer is then text, as a model answers a tool's output.
    var endsWithToolResult = false
    /// `tool_choice` forbids calls.
    var toolChoiceNone = false
    /// `tool_choice` names a function (`{"type":"function","name":...}`, Messages' `{"type":"tool","name":...}`):
    /// the answer calls it.
    var forcedTool: String?
    /// `tool_choice` is `required` (Messages: `any`, or a named tool): the answer is a tool call.
    var toolRequired = false
    /// Answers asked for (`n`, 1-8): each is a choice of its own.
    var choices = 1
    /// Stop sequences: the answer's text ends before the first one it would contain.
    var stop: [String] = []
    /// `seed`: requests with the same one get the same text.
    var seed: UInt64?
    /// `response_format` (Responses: `text.format`).
    var format: MockFormat = .text
    /// Responses echoes these in its response object.
    var instructions: String?
    var toolsJSON = "[]"
    /// Responses: the request's parameters echoed in the response object, as JSON, by name.
    var echoed: [String: String] = [:]

    /// The tools the answer may call.
    var callableTools: [MockTool] {
        guard !endsWithToolResult, !toolChoiceNone else { return [] }
        guard let forcedTool else { return tools }
        return tools.filter { $0.name == forcedTool }
    }

    /// Reads a request for `api`: a JSON object (400 otherwise), conforming to the operation's schema in the published
    /// specification (400 naming the field), naming a model the catalogue serves on this API (404), and within what
    /// the service accepts beyond the schema (400: e.g. `n` > 1 with tools, a prompt over the context length).
    static func parse(_ api: any MockAPIDefinition, body: ByteBuffer, models: [MockModel]) -> Result<MockRequest, MockError> {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView), options: [.fragmentsAllowed]) else {
            return .failure(.invalid("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. A JSON payload is expected, but what was sent was not valid JSON.)", code: nil))
        }
        guard let object = json as? [String: Any] else {
            return .failure(.invalid(api.violationMessage(MockSchema.Violation(path: [], code: "invalid_type",
                reason: "Invalid type: expected an object, but got \(JSONValue.typeName(json)).")), code: "invalid_type"))
        }
        // An empty name is a name no model has: 404 below.
        guard let model = object["model"] as? String else {
            if object["model"] == nil || object["model"] is NSNull {
                return .failure(.invalid(api.missingModelMessage, code: "missing_required_field", param: "model"))
            }
            return .failure(.invalid(api.violationMessage(MockSchema.Violation(path: [.key("model")], code: "invalid_type",
                reason: "Invalid type: expected a string, but got \(JSONValue.typeName(object["model"] ?? NSNull())).")),
                code: "invalid_type", param: "model"))
        }
        if let violation = MockSchema.check(object, api: api.api) {
            return .failure(.invalid(api.violationMessage(violation), code: violation.code, param: violation.param))
        }
        guard let entry = models.first(where: { $0.id == model && $0.apis.contains(api.api.name) }) else {
            return .failure(.modelNotFound(model))
        }
        do {
            let request = try api.parse(object, model: model)
            if request.promptTokens > entry.contextLength {
                return .failure(.contextLengthExceeded(model: model, contextLength: entry.contextLength,
                                                       promptTokens: request.promptTokens))
            }
            return .success(request)
        } catch let error as MockError {
            return .failure(error)
        } catch {
            return .failure(.invalid("\(error)", code: "invalid_request"))
        }
    }

    /// `seed` as the plan's key, when given (any JSON integer; negative ones wrap).
    static func seed(_ value: Any?) -> UInt64? {
        guard let number = value as? NSNumber, JSONValue.isInteger(number) else { return nil }
        return UInt64(bitPattern: number.int64Value)
    }

    /// `stop` / `stop_sequences`: a string or a list of strings; empty ones never match.
    static func stopSequences(_ value: Any?) -> [String] {
        let list = (value as? [Any])?.compactMap { $0 as? String } ?? (value as? String).map { [$0] } ?? []
        return list.filter { !$0.isEmpty }
    }

    /// OpenAI's `tool_choice`: `"none"`, `"auto"`, `"required"`, or a named function (Chat Completions nests the
    /// name under `function`, Responses does not).
    mutating func readToolChoice(_ value: Any?) throws {
        switch value {
        case let text as String:
            toolChoiceNone = text == "none"
            toolRequired = text == "required"
        case let object as [String: Any]:
            let name = (object["function"] as? [String: Any])?["name"] as? String ?? object["name"] as? String
            guard let name else { return }
            guard tools.contains(where: { $0.name == name }) else {
                throw MockError.invalid("Invalid 'tool_choice': no function named '\(name)' among the tools offered.",
                                        code: "invalid_value", param: "tool_choice")
            }
            forcedTool = name
            toolRequired = true
        default:
            break
        }
        if toolRequired, !toolChoiceNone, tools.isEmpty {
            throw MockError.invalid("Invalid 'tool_choice': a tool call is required but no tools are offered.",
                                    code: "invalid_value", param: "tool_choice")
        }
    }

    /// A positive integer limit, or nil when absent.
    static func limit(_ value: Any?, name: String) throws -> Int? {
        guard let value, !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, JSONValue.isInteger(number) else {
            throw MockError.invalid("\(name) must be an integer", code: "invalid_type", param: name)
        }
        guard number.doubleValue >= 1 else {
            throw MockError.invalid("\(name) must be at least 1", code: "integer_below_min_value", param: name)
        }
        // A limit beyond any answer is no limit: clamped, so a huge one cannot overflow.
        return Int(min(number.doubleValue, Double(Int32.max)))
    }

    /// One token per started 4 bytes, at least one.
    static func tokens(ofPromptBytes bytes: Int) -> Int { max(1, (bytes + 3) / 4) }

    /// Bytes of the text a model reads in a request value: strings, arrays, and the text-carrying members of objects
    /// (message content, content parts, tool-call arguments, tool results, reasoning); a tool_use block's `input`
    /// counts as its JSON. Roles, ids, names and tool definitions do not count.
    static func textBytes(_ value: Any?) -> Int {
        switch value {
        case let text as String:
            return text.utf8.count
        case let array as [Any]:
            return array.reduce(0) { $0 + textBytes($1) }
        case let object as [String: Any]:
            let input = (object["input"] as? [String: Any]).flatMap { try? JSONSerialization.data(withJSONObject: $0) }
            return textMembers.reduce(input?.count ?? 0) { $0 + textBytes(object[$1]) }
        default:
            return 0
        }
    }

    private static let textMembers = ["content", "text", "thinking", "arguments", "output", "summary", "tool_calls",
                                      "function"]

    /// The function tools of a `tools` array: `function` picks a tool's definition (its `name` and, under `schemaKey`,
    /// its JSON Schema), or nil for tools of other kinds (a provider's own tools), which are not callable.
    static func tools(_ value: Any?, function: ([String: Any]) -> [String: Any]?,
                      schemaKey: String) throws -> [MockTool] {
        guard let value, !(value is NSNull) else { return [] }
        guard let list = value as? [Any] else { throw MockError.invalid("tools must be an array", code: "invalid_type") }
        return try list.enumerated().compactMap { index, element in
            guard let tool = element as? [String: Any] else {
                throw MockError.invalid("tools[\(index)] must be an object", code: "invalid_type")
            }
            guard let definition = function(tool) else { return nil }
            guard let name = definition["name"] as? String else {
                throw MockError.invalid("tools[\(index)]: missing required field name", code: "missing_required_field")
            }
            return MockTool(name: name, parameters: definition[schemaKey])
        }
    }
}

/// The shape asked of the answer's text.
enum MockFormat: Sendable {
    case text
    /// Any JSON object.
    case jsonObject
    /// JSON fitting this schema.
    case jsonSchema(ArgumentSchema)

    /// `response_format` (Chat Completions) or `text.format` (Responses): `{"type":"json_schema","json_schema":
    /// {"schema":{...}}}` or, in Responses, the schema beside the type.
    init(_ value: Any?) {
        guard let object = value as? [String: Any] else {
            self = .text
            return
        }
        switch object["type"] as? String {
        case "json_object": self = .jsonObject
        case "json_schema":
            let schema = (object["json_schema"] as? [String: Any])?["schema"] ?? object["schema"]
            self = .jsonSchema(schema == nil ? .object([]) : ArgumentSchema(schema, depth: 0))
        default: self = .text
        }
    }

    var isJSON: Bool {
        if case .text = self { return false }
        return true
    }

    /// The answer as JSON: for `json_object`, the planned words under `answer`; for a schema, a value that fits it.
    func json(words: String, using rng: inout SplitMix64) -> String {
        switch self {
        case .text: words
        case .jsonObject: #"{"answer":\#(MockJSON.string(String(words.drop { $0 == " " })))}"#
        case .jsonSchema(let schema): schema.json(using: &rng)
        }
    }
}
