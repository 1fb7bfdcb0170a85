import Yams

/// `${VAR}` and `${VAR:-default}` in scenario values, taken from the environment; `$$` is a literal `$`, and a `$`
/// before anything else stays as written. Keys are never interpolated. A variable that is unset (or empty, for the
/// `:-` form) takes its default; unset without a default is an error naming the variable and where it stands.
enum Interpolation {
    struct Failure: Error {
        /// Characters into the text where the reference starts.
        var offset: Int
        var message: String
        var hint: String
    }

    /// The text with every reference replaced, and the variables it read.
    static func expand(_ text: String, environment: [String: String]) -> Result<(text: String, variables: [String]), Failure> {
        guard text.contains("$") else { return .success((text, [])) }
        let characters = Array(text)
        var result = ""
        var variables: [String] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard character == "$", index + 1 < characters.count else {
                result.append(character)
                index += 1
                continue
            }
            if characters[index + 1] == "$" {
                result.append("$")
                index += 2
                continue
            }
            guard characters[index + 1] == "{" else {
                result.append(character)
                index += 1
                continue
            }
            guard let close = characters[(index + 2)...].firstIndex(of: "}") else {
                return .failure(Failure(offset: index, message: "'${' is not closed",
                                        hint: "write ${NAME} or ${NAME:-default}; $$ for a literal $"))
            }
            let inside = String(characters[(index + 2)..<close])
            let name: String
            var fallback: String?
            if let separator = inside.range(of: ":-") {
                name = String(inside[..<separator.lowerBound])
                fallback = String(inside[separator.upperBound...])
            } else {
                name = inside
            }
            guard let first = name.first, first == "_" || (first.isASCII && first.isLetter),
                  name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                return .failure(Failure(offset: index, message: "'${\(inside)}' does not name an environment variable",
                                        hint: "letters, digits and _, not starting with a digit: ${NAME} or ${NAME:-default}"))
            }
            variables.append(name)
            if let value = environment[name], !(fallback != nil && value.isEmpty) {
                result += value
            } else if let fallback {
                result += fallback
            } else {
                return .failure(Failure(offset: index, message: "environment variable \(name) is not set",
                                        hint: "export \(name)=..., or give a default: ${\(name):-value}"))
            }
            index = close + 1
        }
        return .success((result, variables))
    }

    /// Expands every scalar value of a node tree, keeping each node's position and style. Returns the tree and, for
    /// each variable read, where it was first used.
    static func apply(_ node: Node, file: String, environment: [String: String]) throws -> (Node, [String: (line: Int, column: Int)]) {
        var used: [String: (line: Int, column: Int)] = [:]
        func walk(_ node: Node, _ path: String) throws -> Node {
            switch node {
            case .scalar(let scalar):
                switch expand(scalar.string, environment: environment) {
                case .success(let expanded):
                    guard expanded.text != scalar.string || !expanded.variables.isEmpty else { return node }
                    if let mark = scalar.mark {
                        for variable in expanded.variables where used[variable] == nil {
                            used[variable] = (mark.line, mark.column)
                        }
                    }
                    var replaced = scalar
                    replaced.string = expanded.text
                    // Setting the text resets the tag; the written one decides again whether `64` is a number.
                    replaced.tag = scalar.tag
                    return .scalar(replaced)
                case .failure(let failure):
                    let (line, column) = position(of: failure.offset, in: scalar)
                    throw ScenarioError(file: file, line: line, column: column, path: path, message: failure.message,
                                        hint: failure.hint)
                }
            case .mapping(let mapping):
                let pairs = try mapping.map { key, value in
                    let name = key.string ?? ""
                    return (key, try walk(value, path.isEmpty ? name : "\(path).\(name)"))
                }
                return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
            case .sequence(let sequence):
                let nodes = try sequence.enumerated().map { try walk($1, "\(path)[\($0)]") }
                return .sequence(Node.Sequence(nodes, sequence.tag, sequence.style, sequence.mark))
            case .alias:
                return node
            }
        }
        return (try walk(node, ""), used)
    }

    /// Line and column of the character `offset` into a scalar: exact for a scalar on one line (a quote counts one
    /// column), otherwise the scalar's start.
    static func position(of offset: Int, in scalar: Node.Scalar) -> (Int?, Int?) {
        guard let mark = scalar.mark else { return (nil, nil) }
        let before = scalar.string.prefix(offset)
        guard !before.contains("\n") else { return (mark.line, mark.column) }
        let quote = scalar.style == .singleQuoted || scalar.style == .doubleQuoted ? 1 : 0
        return (mark.line, mark.column + quote + before.unicodeScalars.count)
    }
}
