/// A grid of levels (`matrix:`): every input length crossed with every output length crossed with every load level,
/// each a level of its own named after its cell, such as `in512-out256-c16`.
public struct LoadMatrix: Sendable, Equatable {
    /// Prompt lengths in tokens (synthetic prompts built for each); empty keeps the scenario's prompts.
    public var inputTokens: [Int]
    /// max_tokens of each cell; empty keeps `request.max_tokens`.
    public var outputTokens: [Int]

    public init(inputTokens: [Int] = [], outputTokens: [Int] = []) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// The cells in order (input lengths outermost), each with the prefix of its levels' names.
    public var cells: [(inputTokens: Int?, maxTokens: Int?, name: String)] {
        let inputs: [Int?] = inputTokens.isEmpty ? [nil] : inputTokens.map { $0 }
        let outputs: [Int?] = outputTokens.isEmpty ? [nil] : outputTokens.map { $0 }
        return inputs.flatMap { input in
            outputs.map { output in
                (input, output, [input.map { "in\($0)" }, output.map { "out\($0)" }].compactMap { $0 }.joined(separator: "-"))
            }
        }
    }

    /// The cell part of a level's name (`in512-out256` of `in512-out256-c16`), or nil for a level outside a matrix.
    public static func cell(ofLevel name: String) -> String? {
        let parts = name.split(separator: "-")
        let cell = parts.prefix { part in
            (part.hasPrefix("in") && Int(part.dropFirst(2)) != nil) || (part.hasPrefix("out") && Int(part.dropFirst(3)) != nil)
        }
        guard !cell.isEmpty, cell.count < parts.count else { return nil }
        return cell.joined(separator: "-")
    }
}
