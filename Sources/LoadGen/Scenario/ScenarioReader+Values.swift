import Yams

/// The value readers located in this file: each names the key path and takes the line and column from the node.
extension ScenarioReader {
    func string(_ node: Node, path: String) throws -> String {
        try ScenarioValue.string(node, at: site(node, path))
    }

    func bool(_ node: Node, path: String) throws -> Bool {
        try ScenarioValue.bool(node, at: site(node, path))
    }

    func int(_ node: Node, path: String, in range: ClosedRange<Int>) throws -> Int {
        try ScenarioValue.int(node, at: site(node, path), in: range)
    }

    func double(_ node: Node, path: String, in range: ClosedRange<Double>) throws -> Double {
        try ScenarioValue.double(node, at: site(node, path), in: range)
    }

    func rate(_ node: Node, path: String, allowZero: Bool = false) throws -> Double {
        try ScenarioValue.rate(node, at: site(node, path), allowZero: allowZero)
    }

    func duration(_ node: Node, path: String, in range: ClosedRange<Int64> = DurationText.defaultRange) throws -> Int64 {
        try ScenarioValue.duration(node, at: site(node, path), in: range)
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, path: String, _ type: T.Type) throws -> T where T.RawValue == String {
        try ScenarioValue.choice(node, at: site(node, path), type)
    }

    func intRange(_ node: Node, path: String) throws -> ClosedRange<Int> {
        try ScenarioValue.intRange(node, at: site(node, path))
    }

    func json(_ node: Node, path: String) throws -> JSONValue {
        try ScenarioValue.json(node, at: site(node, path))
    }
}
