import Foundation

/// Checks a request body against its operation's schema in the published specification (`MockRequestSchemas`), as
/// the service does before it generates: the subset of JSON Schema the specification uses (type, nullable, enum,
/// const, minimum/maximum, minItems/maxItems, required, additionalProperties, items, anyOf/oneOf/allOf with
/// discriminators, $ref). The first violation found is the answer, with the service's code and the field's path.
enum MockSchema {
    /// One violation: where (the path of keys and indexes from the body), what code the service gives it, and why.
    struct Violation: Equatable {
        var path: [PathElement]
        var code: String
        var reason: String

        /// `messages[0].role`: OpenAI's form of a parameter's path.
        var param: String {
            var text = ""
            for element in path {
                switch element {
                case .key(let key): text += text.isEmpty ? key : ".\(key)"
                case .index(let index): text += "[\(index)]"
                }
            }
            return text
        }

        /// `messages.0.role`: Anthropic's form.
        var dottedPath: String {
            path.map { element in
                switch element {
                case .key(let key): key
                case .index(let index): String(index)
                }
            }.joined(separator: ".")
        }
    }

    enum PathElement: Equatable {
        case key(String)
        case index(Int)
    }

    nonisolated(unsafe) private static let document: [String: Any] = {
        guard let object = try? JSONSerialization.jsonObject(with: Data(MockRequestSchemas.json.utf8)) as? [String: Any] else {
            preconditionFailure("MockRequestSchemas.json is not a JSON object: regenerate it")
        }
        return object
    }()
    nonisolated(unsafe) private static let schemas = document["schemas"] as? [String: Any] ?? [:]
    private static let roots = document["roots"] as? [String: String] ?? [:]

    /// The first violation of `body` against the request schema of `api`, or nil when it conforms.
    static func check(_ body: [String: Any], api: MockAPI) -> Violation? {
        guard let root = roots[api.name], let schema = schemas[root] as? [String: Any] else { return nil }
        var body = body
        // Responses: a message item may leave out `type` (OpenAI's "easy input message", which the SDKs and the
        // service accept, though the specification marks `type` required).
        if api == .responses, let items = body["input"] as? [Any] {
            body["input"] = items.map { item -> Any in
                guard var object = item as? [String: Any], object["type"] == nil, object["role"] != nil else { return item }
                object["type"] = "message"
                return object
            }
        }
        return check(body, schema, path: [])
    }

    private static func check(_ value: Any, _ schema: [String: Any], path: [PathElement]) -> Violation? {
        if let reference = schema["$ref"] as? String {
            guard let target = schemas[String(reference.split(separator: "/").last ?? "")] as? [String: Any] else { return nil }
            return check(value, target, path: path)
        }
        if value is NSNull, schema["nullable"] as? Bool == true { return nil }
        if let allOf = schema["allOf"] as? [[String: Any]] {
            for branch in allOf {
                if let violation = check(value, branch, path: path) { return violation }
            }
        }
        if let branches = (schema["anyOf"] ?? schema["oneOf"]) as? [[String: Any]] {
            if let violation = checkBranches(value, branches, discriminator: schema["discriminator"] as? [String: Any],
                                             path: path) {
                return violation
            }
        }
        if let constant = schema["const"], !JSONValue.equal(value, constant) {
            return Violation(path: path, code: "invalid_value",
                             reason: "Invalid value: \(JSONValue.describe(value)). Expected \(JSONValue.describe(constant)).")
        }
        if let values = schema["enum"] as? [Any], !values.contains(where: { JSONValue.equal(value, $0) }) {
            let supported = values.map(JSONValue.describe).joined(separator: ", ")
            return Violation(path: path, code: "invalid_value",
                             reason: "Invalid value: \(JSONValue.describe(value)). Supported values are: \(supported).")
        }
        if let type = schema["type"] {
            let types = (type as? [String]) ?? [(type as? String) ?? ""]
            guard types.contains(where: { JSONValue.has(value, type: $0) }) else {
                return Violation(path: path, code: "invalid_type",
                                 reason: "Invalid type: expected \(types.joined(separator: " or ")), but got \(JSONValue.typeName(value)).")
            }
        }
        if schema["format"] as? String == "uri", let text = value as? String, !JSONValue.isURI(text) {
            return Violation(path: path, code: "invalid_value",
                             reason: "Invalid URL: \(JSONValue.describe(value)). Expected an absolute URI (scheme:...).")
        }
        if let number = value as? NSNumber, !JSONValue.isBool(number) {
            let integer = schema["type"] as? String == "integer"
            if let minimum = (schema["minimum"] as? NSNumber)?.doubleValue, number.doubleValue < minimum {
                return Violation(path: path, code: integer ? "integer_below_min_value" : "decimal_below_min_value",
                                 reason: "Invalid value: \(number). Expected a value >= \(JSONValue.describe(schema["minimum"] ?? 0)).")
            }
            if let maximum = (schema["maximum"] as? NSNumber)?.doubleValue, number.doubleValue > maximum {
                return Violation(path: path, code: integer ? "integer_above_max_value" : "decimal_above_max_value",
                                 reason: "Invalid value: \(number). Expected a value <= \(JSONValue.describe(schema["maximum"] ?? 0)).")
            }
        }
        if let array = value as? [Any] {
            if let minimum = (schema["minItems"] as? NSNumber)?.intValue, array.count < minimum {
                return Violation(path: path, code: array.isEmpty ? "empty_array" : "array_below_min_length",
                                 reason: array.isEmpty
                                     ? "empty array. Expected an array with minimum length \(minimum), but got an empty array instead."
                                     : "array too short. Expected an array with minimum length \(minimum), but got an array with length \(array.count) instead.")
            }
            if let maximum = (schema["maxItems"] as? NSNumber)?.intValue, array.count > maximum {
                return Violation(path: path, code: "array_above_max_length",
                                 reason: "array too long. Expected an array with maximum length \(maximum), but got an array with length \(array.count) instead.")
            }
            if let items = schema["items"] as? [String: Any] {
                for (index, element) in array.enumerated() {
                    if let violation = check(element, items, path: path + [.index(index)]) { return violation }
                }
            }
        }
        if let object = value as? [String: Any] {
            for name in (schema["required"] as? [String]) ?? [] where object[name] == nil {
                return Violation(path: path + [.key(name)], code: "missing_required_field",
                                 reason: "Missing required parameter: '\(JSONValue.param(path + [.key(name)]))'.")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in object.keys.sorted() {
                let member = object[name] ?? NSNull()
                if let property = properties[name] as? [String: Any] {
                    if let violation = check(member, property, path: path + [.key(name)]) { return violation }
                } else if schema["additionalProperties"] as? Bool == false {
                    return Violation(path: path + [.key(name)], code: "unknown_parameter",
                                     reason: "Unknown parameter: '\(JSONValue.param(path + [.key(name)]))'.")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    if let violation = check(member, additional, path: path + [.key(name)]) { return violation }
                }
            }
        }
        return nil
    }

    /// A value conforms to one of the branches. When none fits, the violation reported is that of the branch the
    /// value was meant for: the one its discriminator names, else the one whose violation lies deepest (it matched
    /// the most before failing).
    private static func checkBranches(_ value: Any, _ branches: [[String: Any]], discriminator: [String: Any]?,
                                      path: [PathElement]) -> Violation? {
        if let discriminator, let property = discriminator["propertyName"] as? String,
           let object = value as? [String: Any], let tag = object[property] as? String,
           let mapping = discriminator["mapping"] as? [String: String] {
            guard let reference = mapping[tag] else {
                let supported = mapping.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
                return Violation(path: path + [.key(property)], code: "invalid_value",
                                 reason: "Invalid value: '\(tag)'. Supported values are: \(supported).")
            }
            return check(value, ["$ref": reference], path: path)
        }
        var best: Violation?
        for branch in branches {
            guard let violation = check(value, branch, path: path) else { return nil }
            if best == nil || violation.path.count > best!.path.count { best = violation }
        }
        if let best, best.path.count > path.count { return best }
        return Violation(path: path, code: "invalid_value",
                         reason: "Invalid value: \(JSONValue.describe(value)) matches none of the allowed forms.")
    }
}

/// JSON values as `JSONSerialization` gives them: NSNumber for numbers and booleans alike.
enum JSONValue {
    static func isBool(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

    /// A number with no fractional part (JSON Schema's integer: 2.0 is one).
    static func isInteger(_ number: NSNumber) -> Bool {
        !isBool(number) && number.doubleValue.isFinite && number.doubleValue == number.doubleValue.rounded()
    }

    /// An absolute URI: a scheme (a letter, then letters, digits, `+`, `-`, `.`), a colon, something after it.
    static func isURI(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex,
              let first = text.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return text[..<colon].unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0))
        } && !text.contains(where: { $0 == " " || $0.isNewline })
    }

    static func has(_ value: Any, type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "boolean": return (value as? NSNumber).map(isBool) ?? false
        case "integer": return (value as? NSNumber).map(isInteger) ?? false
        case "number": return (value as? NSNumber).map { !isBool($0) } ?? false
        case "string": return value is String
        case "array": return value is [Any]
        case "object": return value is [String: Any]
        default: return true
        }
    }

    static func typeName(_ value: Any) -> String {
        switch value {
        case is NSNull: "null"
        case let number as NSNumber: isBool(number) ? "a boolean" : isInteger(number) ? "an integer" : "a decimal"
        case is String: "a string"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        default: "an unknown value"
        }
    }

    static func equal(_ left: Any, _ right: Any) -> Bool {
        switch (left, right) {
        case (is NSNull, is NSNull): return true
        case (let a as String, let b as String): return a == b
        case (let a as NSNumber, let b as NSNumber): return isBool(a) == isBool(b) && a.doubleValue == b.doubleValue
        default: return false
        }
    }

    /// A value for a message, short: strings quoted, containers by kind.
    static func describe(_ value: Any) -> String {
        switch value {
        case let text as String: "'\(text.count > 60 ? String(text.prefix(60)) + "..." : text)'"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        default: MockJSON.fragment(value)
        }
    }

    static func param(_ path: [MockSchema.PathElement]) -> String {
        MockSchema.Violation(path: path, code: "", reason: "").param
    }
}
