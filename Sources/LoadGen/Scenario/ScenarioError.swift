/// A mistake in a scenario file, located so the user can fix it: `file:line:column: key.path: message (hint)`.
public struct ScenarioError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The key path, for example `load.concurrency[1]`.
    public var path: String
    public var message: String
    /// What would be valid.
    public var hint: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, path: String, message: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        var text = "\(location): "
        if !path.isEmpty { text += "\(path): " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }
}
