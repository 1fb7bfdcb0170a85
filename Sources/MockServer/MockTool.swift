import BenchSupport

/// A function tool a request offers: its name and the shape of the arguments the mock makes up when it calls it.
struct MockTool: Sendable {
    var name: String
    var schema: ArgumentSchema

    /// `parameters` is the JSON Schema of the request (`parameters` or `input_schema`). Arguments are always an
    /// object: a missing or non-object schema gets `{}`.
    init(name: String, parameters: Any?) {
        self.name = name
        let schema = ArgumentSchema(parameters, depth: 0)
        if case .object = schema {
            self.schema = schema
        } else {
            self.schema = .object([])
        }
    }
}

/// The call that answers a request instead of text.
struct MockToolCall: Equatable {
    var name: String
    /// Compact JSON, as it is streamed.
    var arguments: String

    /// A call counts as many tokens as its arguments would as text: one per started 5 bytes (the mock's text tokens
    /// are 5 bytes each), at least one.
    var tokens: Int { max(1, (arguments.utf8.count + 4) / 5) }

    /// The arguments cut into the fragments that Responses and Messages stream: three of about equal length (fewer
    /// when the arguments have fewer characters), all sent in the call's one chunk.
    var fragments: [String] {
        let characters = Array(arguments)
        let count = min(3, characters.count)
        guard count > 1 else { return [arguments] }
        return (0..<count).map { part in
            String(characters[part * characters.count / count..<(part + 1) * characters.count / count])
        }
    }
}

/// The part of a JSON Schema the mock needs to make up arguments that fit it.
indirect enum ArgumentSchema: Sendable {
    case string, integer, number, boolean, null
    /// The first allowed value, as JSON.
    case constant(String)
    /// The properties to fill in order: the required ones, or all of them (sorted by name) when none is required.
    case object([(name: String, schema: ArgumentSchema)])
    case array(ArgumentSchema)

    /// Nesting deeper than this is filled with an empty object: a recursive schema must not recurse forever.
    private static let maxDepth = 8

    init(_ value: Any?, depth: Int) {
        guard depth < Self.maxDepth, let schema = value as? [String: Any] else {
            self = depth < Self.maxDepth ? .string : .object([])
            return
        }
        if let values = schema["enum"] as? [Any], let first = values.first {
            self = .constant(MockJSON.fragment(first))
            return
        }
        if let value = schema["const"] {
            self = .constant(MockJSON.fragment(value))
            return
        }
        if let branches = (schema["anyOf"] ?? schema["oneOf"]) as? [Any],
           let branch = branches.first(where: { ($0 as? [String: Any])?["type"] as? String != "null" }) ?? branches.first {
            self = ArgumentSchema(branch, depth: depth + 1)
            return
        }
        let declared = schema["type"] as? String ?? (schema["type"] as? [String])?.first { $0 != "null" }
        switch declared ?? (schema["properties"] != nil ? "object" : "string") {
        case "integer": self = .integer
        case "number": self = .number
        case "boolean": self = .boolean
        case "null": self = .null
        case "array": self = .array(ArgumentSchema(schema["items"], depth: depth + 1))
        case "object":
            let properties = schema["properties"] as? [String: Any] ?? [:]
            let required = (schema["required"] as? [Any] ?? []).compactMap { $0 as? String }
            let names = required.isEmpty ? properties.keys.sorted() : required
            self = .object(names.map { (name: $0, schema: ArgumentSchema(properties[$0], depth: depth + 1)) })
        default: self = .string
        }
    }

    /// A value that fits, drawn from `rng`: a vocabulary word for a string, a number, a boolean, an enum's first
    /// value, an object of its properties, an array of one item.
    func json(using rng: inout SplitMix64) -> String {
        switch self {
        case .string:
            let word = MockCompletion.vocabulary[Int(rng.next() % UInt64(MockCompletion.vocabulary.count))]
            return "\"\(word.dropFirst())\""
        case .integer: return String(rng.next() % 100 + 1)
        case .number: return "\(rng.next() % 100).5"
        case .boolean: return rng.next() & 1 == 0 ? "true" : "false"
        case .null: return "null"
        case .constant(let json): return json
        case .array(let item): return "[\(item.json(using: &rng))]"
        case .object(let properties):
            var members: [String] = []
            for property in properties {
                members.append("\(MockJSON.string(property.name)):\(property.schema.json(using: &rng))")
            }
            return "{\(members.joined(separator: ","))}"
        }
    }
}
