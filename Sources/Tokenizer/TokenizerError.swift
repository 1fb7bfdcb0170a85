/// Why a tokenizer could not be loaded: each case names the file and what was wrong with it.
public struct TokenizerError: Error, Equatable, CustomStringConvertible, Sendable {
    public let path: String
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "tokenizer \(path): \(problem)" }
}
