import Foundation
import Yams

/// Where a value was written, for its error: a place in a scenario file (`file:line:column` and the key path), or
/// a flag on the command line (`command line: --concurrency`).
public struct ValueSite: Sendable, Equatable {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The key path (`load.concurrency[1]`) or the flag (`--concurrency`).
    public var path: String
    /// In a file, a list's items are named by their index (`load.rate[2]`); a flag's comma-separated items keep
    /// the flag's name (the user typed no index).
    public var indexesItems: Bool

    public init(file: String, line: Int? = nil, column: Int? = nil, path: String, indexesItems: Bool = true) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.indexesItems = indexesItems
    }

    /// A value in a scenario file, located at the node (when it has a mark).
    public init(file: String, node: Node?, path: String) {
        self.init(file: file, line: node?.mark?.line, column: node?.mark?.column, path: path)
    }

    /// A flag's value on the command line.
    public static func commandLine(_ flag: String) -> ValueSite {
        ValueSite(file: "command line", path: flag, indexesItems: false)
    }

    /// The item at `index` of the list here, located at the item's own node.
    public func item(_ index: Int, _ node: Node) -> ValueSite {
        var site = indexed(index)
        site.line = node.mark?.line ?? (indexesItems ? nil : line)
        site.column = node.mark?.column ?? (indexesItems ? nil : column)
        return site
    }

    /// The item at `index` of the list here, still located at the list.
    public func indexed(_ index: Int) -> ValueSite {
        var site = self
        if indexesItems { site.path += "[\(index)]" }
        return site
    }

    /// The value under `key` of the mapping here, located at the value's node.
    public func key(_ key: String, _ node: Node?) -> ValueSite {
        ValueSite(file: file, line: node?.mark?.line, column: node?.mark?.column,
                  path: path.isEmpty ? key : "\(path).\(key)", indexesItems: indexesItems)
    }

    public func error(_ message: String, hint: String? = nil) -> ScenarioError {
        ScenarioError(file: file, line: line, column: column, path: path, message: message, hint: hint)
    }
}

/// The readers of a scenario's values: durations, rates, counts, fractions, choices, lists. Each takes a value (a
/// YAML node, or a command-line string made into one) and where it was written, and returns the value or a
/// `ScenarioError` saying what is wrong and what would be valid. The scenario file and the command line's
/// overrides both read through these, so a value means the same and fails with the same message in both places.
public enum ScenarioValue {
    /// A command-line value as the plain YAML scalar it would be in a file.
    public static func scalar(_ text: String) -> Node {
        .scalar(Node.Scalar(text, .implicit, .plain))
    }

    /// A command-line list: `1,8,32` is the sequence `[1, 8, 32]`; a value without a comma stays one scalar.
    public static func commaList(_ text: String) -> Node {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        guard items.count > 1 else { return scalar(text.trimmingCharacters(in: .whitespaces)) }
        return .sequence(Node.Sequence(items.map { scalar($0.trimmingCharacters(in: .whitespaces)) }))
    }

    static func scalarText(_ node: Node, at site: ValueSite, expected: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw site.error("expected \(expected)") }
        return scalar.string
    }

    public static func string(_ node: Node, at site: ValueSite) throws -> String {
        guard case .scalar(let scalar) = node else { throw site.error("expected a string") }
        return scalar.string
    }

    public static func bool(_ node: Node, at site: ValueSite) throws -> Bool {
        guard let value = node.bool else { throw site.error("expected true or false, got '\(node.string ?? "?")'") }
        return value
    }

    public static func int(_ node: Node, at site: ValueSite, in range: ClosedRange<Int>) throws -> Int {
        let text = try scalarText(node, at: site, expected: "an integer")
        guard let value = integer(node) ?? Int(text) else {
            throw site.error("expected an integer, got '\(text)'", hint: rangeHint(range))
        }
        guard range.contains(value) else {
            throw site.error("\(value) is out of range", hint: rangeHint(range))
        }
        return value
    }

    public static func double(_ node: Node, at site: ValueSite, in range: ClosedRange<Double>) throws -> Double {
        let text = try scalarText(node, at: site, expected: "a number")
        guard let value = node.float ?? Double(text), value.isFinite else {
            throw site.error("expected a number, got '\(text)'", hint: "a number from \(range.lowerBound) to \(range.upperBound)")
        }
        guard range.contains(value) else {
            throw site.error("\(text) is out of range", hint: "a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// The slowest and fastest rate any key accepts: one request in about 11.6 days, and a million per second.
    public static let rateRange: ClosedRange<Double> = 1e-6...1e6

    /// A rate in requests per second: `20`, `20/s`, `1200/m`, from `rateRange` (or zero where `allowZero`).
    public static func rate(_ node: Node, at site: ValueSite, allowZero: Bool = false) throws -> Double {
        let text = try scalarText(node, at: site, expected: "a rate")
        let hint = "requests per second: 20, 20/s or 1200/m"
        var number = text.trimmingCharacters(in: .whitespaces)
        var scale = 1.0
        if number.hasSuffix("/s") {
            number.removeLast(2)
        } else if number.hasSuffix("/m") {
            number.removeLast(2)
            scale = 1.0 / 60
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw site.error("'\(text)' is not a rate", hint: hint)
        }
        guard value > 0 || (allowZero && value == 0) else {
            throw site.error("\(text) is out of range", hint: hint)
        }
        let perSecond = value * scale
        guard value == 0 || rateRange.contains(perSecond) else {
            throw site.error("\(text) is out of range", hint: "requests per second from 0.000001 (one in 11.6 days) to 1000000: 20, 20/s or 1200/m")
        }
        return perSecond
    }

    /// A duration in nanoseconds: `250ms`, `30s`, `5m`, `1h` (a bare number is seconds), within `range` (by default
    /// zero to 30 days). Never traps: a value too long for any range is out of range, not converted.
    public static func duration(_ node: Node, at site: ValueSite, in range: ClosedRange<Int64> = DurationText.defaultRange) throws -> Int64 {
        let text = try scalarText(node, at: site, expected: "a duration")
        guard let value = DurationText.value(text) else {
            throw site.error("'\(text)' is not a duration", hint: "a number with a unit: 250ms, 30s, 5m, 1h")
        }
        let rounded = value.rounded()
        guard rounded < 9.2e18, rounded >= Double(range.lowerBound), rounded <= Double(range.upperBound) else {
            throw site.error("\(text) is out of range", hint: durationHint(range))
        }
        return Int64(rounded)
    }

    /// `a duration from 0s to 30 days (720h)`.
    static func durationHint(_ range: ClosedRange<Int64>) -> String {
        func name(_ ns: Int64) -> String {
            ns > 0 && ns % 86_400_000_000_000 == 0 ? "\(ns / 86_400_000_000_000) days (\(DurationText.format(ns)))" : DurationText.format(ns)
        }
        return "a duration from \(name(range.lowerBound)) to \(name(range.upperBound))"
    }

    /// One of an enumeration's raw values.
    public static func choice<T: RawRepresentable & CaseIterable>(_ node: Node, at site: ValueSite, _ type: T.Type) throws -> T
        where T.RawValue == String {
        let text = try string(node, at: site)
        guard let value = T(rawValue: text) else {
            throw site.error("unknown value '\(text)'", hint: "one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// `8` (exactly 8) or `[4, 12]` (4 to 12): a positive integer or a range of them.
    public static func intRange(_ node: Node, at site: ValueSite) throws -> ClosedRange<Int> {
        let hint = "a positive integer, or [min, max] with 1 <= min <= max"
        if case .sequence(let items) = node {
            guard items.count == 2 else { throw site.error("expected [min, max]", hint: hint) }
            let low = try int(items[0], at: site.item(0, items[0]), in: 1...10_000_000)
            let high = try int(items[1], at: site.item(1, items[1]), in: 1...10_000_000)
            guard low <= high else { throw site.error("min \(low) is above max \(high)", hint: hint) }
            return low...high
        }
        let value = try int(node, at: site, in: 1...10_000_000)
        return value...value
    }

    /// A list of values, or one value standing for a list of one; an empty list is refused with `emptyHint`.
    public static func list<T>(_ node: Node, at site: ValueSite, emptyHint: String,
                               _ read: (Node, ValueSite) throws -> T) throws -> [T] {
        guard case .sequence(let items) = node else { return [try read(node, site)] }
        guard !items.isEmpty else { throw site.error("the list is empty", hint: emptyHint) }
        return try items.enumerated().map { try read($1, site.item($0, $1)) }
    }

    /// YAML as JSON for body fields: quoted scalars stay strings, plain ones are typed.
    public static func json(_ node: Node, at site: ValueSite) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if ["null", "~", ""].contains(scalar.string) { return .null }
                if let value = node.bool { return .bool(value) }
                if let value = integer(node) { return .number(Double(value)) }
                if let value = node.float { return .number(value) }
            }
            return .string(scalar.string)
        case .sequence(let items):
            return .array(try items.enumerated().map { try json($1, at: site.item($0, $1)) })
        case .mapping(let map):
            return .object(try map.map { key, value in
                let name = key.string ?? ""
                return (name, try json(value, at: site.key(name, value)))
            })
        case .alias:
            throw site.error("YAML aliases are not supported here")
        }
    }

    /// The node as YAML reads an integer (`12`, `0x1F`, `1_000`, base 60 `1:30`), or nil. Yams' own reading traps
    /// on a base-60 value past `Int.max` (`1:0:0:0:0:0:0:0:0:0:0:0`); that form is read here with overflow checks.
    public static func integer(_ node: Node) -> Int? {
        guard case .scalar(let scalar) = node else { return nil }
        guard scalar.string.contains(":") else { return node.int }
        guard scalar.style == .any || scalar.style == .plain else { return nil }
        var text = Substring(scalar.string.replacingOccurrences(of: "_", with: ""))
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text = text.dropFirst()
        } else if text.hasPrefix("+") {
            text = text.dropFirst()
        }
        var value = 0
        for component in text.split(separator: ":", omittingEmptySubsequences: false) {
            guard let digit = Int(component, radix: 10), digit >= 0 else { return nil }
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 60)
            let (sum, overflowSum) = shifted.addingReportingOverflow(digit)
            guard !overflowShift, !overflowSum else { return nil }
            value = sum
        }
        return negative ? -value : value
    }

    static func rangeHint(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "an integer >= \(range.lowerBound)" }
        return "an integer from \(range.lowerBound) to \(range.upperBound)"
    }
}
