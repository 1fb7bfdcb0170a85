import Foundation

/// JSON text helpers for the mock's hand-written bodies.
enum MockJSON {
    static func string(_ value: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [value]), let text = String(data: data, encoding: .utf8) else {
            return "\"\""
        }
        return String(text.dropFirst().dropLast())
    }

    /// Any JSON value (a string, number, boolean, null, array or object) as compact JSON text.
    static func fragment(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys]),
              let text = String(data: data, encoding: .utf8) else {
            return "null"
        }
        return String(text.dropFirst().dropLast())
    }

    static func error(message: String, type: String, code: String) -> String {
        #"{"error":{"message":\#(string(message)),"type":"\#(type)","param":null,"code":"\#(code)"},"request_id":"\#(UUID().uuidString.lowercased())"}"#
    }

    static func modelList(_ models: [String]) -> String {
        let items = models.map {
            #"{"id":\#(string($0)),"object":"model","owned_by":"mock","context_length":131072,"max_completion_tokens":32768,"pricing":{"prompt":"0.0","completion":"0.0"}}"#
        }
        return #"{"object":"list","data":[\#(items.joined(separator: ","))]}"#
    }
}
