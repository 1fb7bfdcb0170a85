import Yams

/// `tools:`: the functions offered, the tool choice and the rounds of calls answered.
extension ScenarioReader {
    mutating func tools(_ node: Node) throws -> ToolSettings {
        let map = try mapping(node, path: "tools", allowed: ["functions", "choice", "rounds"])
        guard let list = map["functions"] else {
            throw located(node, "tools.functions", "missing required key",
                          hint: "a list of {name, description, parameters, result}")
        }
        guard case .sequence(let items) = list, !items.isEmpty else {
            throw located(list, "tools.functions", "expected a non-empty list of functions",
                          hint: "each {name, description, parameters, result}")
        }
        var names: Set<String> = []
        let functions = try items.enumerated().map { index, item -> ToolFunction in
            let path = "tools.functions[\(index)]"
            let fields = try mapping(item, path: path, allowed: ["name", "description", "parameters", "result"])
            let name = try string(required(fields, "name", in: item, path: path), path: path + ".name")
            guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-".contains($0)) }) else {
                throw located(fields["name"], path + ".name", "'\(name)' is not a function name", hint: "letters, digits, '_' and '-', at most 64")
            }
            guard names.insert(name).inserted else {
                throw located(fields["name"], path + ".name", "function '\(name)' is defined twice", hint: "give each function its own name")
            }
            let parameters = try fields["parameters"].map { try json($0, path: path + ".parameters") }
                ?? .object([("type", .string("object")), ("properties", .object([]))])
            guard case .object = parameters else {
                throw located(fields["parameters"], path + ".parameters", "expected a JSON Schema object", hint: "{type: object, properties: {...}}")
            }
            let resultNode = try required(fields, "result", in: item, path: path)
            // The canned result is sent as text: a mapping is written as compact JSON.
            let result: String
            if case .mapping = resultNode { result = try json(resultNode, path: path + ".result").serialized }
            else { result = try string(resultNode, path: path + ".result") }
            return ToolFunction(name: name, description: try fields["description"].map { try string($0, path: path + ".description") },
                                parameters: parameters, result: result)
        }
        var settings = ToolSettings(functions: functions)
        if let n = map["choice"] {
            let choice = try string(n, path: "tools.choice")
            guard ["auto", "required", "none"].contains(choice) else {
                throw located(n, "tools.choice", "unknown value '\(choice)'", hint: "one of: auto, required, none")
            }
            settings.choice = choice
        }
        if let n = map["rounds"] { settings.rounds = try int(n, path: "tools.rounds", in: 0...16) }
        return settings
    }
}
