import Foundation

/// JSON text helpers for the mock's hand-written bodies.
enum MockJSON {
    static func string(_ value: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [value]), let text = String(data: data, encoding: .utf8) else {
            return "\"\""
        }
        return String(text.dropFirst().dropLast())
    }

    /// `string`, fast for the common text that needs no escaping (the mock's generated words).
    static func quoted(_ value: String) -> String {
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) { return "\"\(value)\"" }
        return string(value)
    }

    /// Any JSON value (a string, number, boolean, null, array or object) as compact JSON text.
    static func fragment(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys]),
              let text = String(data: data, encoding: .utf8) else {
            return "null"
        }
        return String(text.dropFirst().dropLast())
    }

    static func error(message: String, type: String, code: String?, param: String? = nil) -> String {
        #"{"error":{"message":\#(string(message)),"type":"\#(type)","param":\#(param.map(string) ?? "null"),"code":\#(code.map(string) ?? "null")},"request_id":"\#(UUID().uuidString.lowercased())"}"#
    }

    /// One model as `GET /v1/models` lists it and `GET /v1/models/{id}` answers it.
    static func model(_ model: MockModel) -> String {
        #"{"id":\#(string(model.id)),"object":"model","owned_by":"mock","context_length":\#(model.contextLength),"max_completion_tokens":\#(model.maxCompletionTokens),"pricing":{"prompt":\#(model.promptPrice),"completion":\#(model.completionPrice)}}"#
    }

    static func modelList(_ models: [MockModel]) -> String {
        #"{"object":"list","data":[\#(models.map(model).joined(separator: ","))]}"#
    }
}
