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
    /// Responses echoes these in its response object.
    var instructions: String?
    var toolsJSON = "[]"

    /// The tools the answer may call.
    var callableTools: [MockTool] { endsWithToolResult || toolChoiceNone ? [] : tools }

    static func parse(_ api: any MockAPIDefinition, body: ByteBuffer) -> Result<MockRequest, MockError> {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)),
              let object = json as? [String: Any] else {
            return .failure(.invalid("Request body is not a JSON object", code: "invalid_json"))
        }
        guard let model = object["model"] as? String, !model.isEmpty else {
            return .failure(.invalid(api.missingModelMessage, code: "missing_required_field"))
        }
        do {
            return .success(try api.parse(object, model: model))
        } catch let error as MockError {
            return .failure(error)
        } catch {
            return .failure(.invalid("\(error)", code: "invalid_request"))
        }
    }

    /// A positive integer limit, or nil when absent.
    static func limit(_ value: Any?, name: String) throws -> Int? {
        guard let value, !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, number.doubleValue == number.doubleValue.rounded() else {
            throw MockError.invalid("\(name) must be an integer", code: "invalid_type")
        }
        guard number.intValue >= 1 else {
            throw MockError.invalid("\(name) must be at least 1", code: "integer_below_min_value")
        }
        return number.intValue
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
            guard let name = definition["name"] as? String, !name.isEmpty else {
                throw MockError.invalid("tools[\(index)]: missing required field name", code: "missing_required_field")
            }
            return MockTool(name: name, parameters: definition[schemaKey])
        }
    }
}
