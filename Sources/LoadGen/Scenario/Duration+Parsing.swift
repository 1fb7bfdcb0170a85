/// Durations in scenario files and flags: `250ms`, `90s`, `5m`, `1h`, `1.5s`, `500us`; a bare number is seconds.
///
/// Parsing never traps: a number that is not finite, negative, or too long for `Int64` nanoseconds (about 292
/// years) is not a duration. Each key narrows this further to its own range (`ScenarioValue.duration`).
public enum DurationText {
    /// The longest duration any key accepts unless it says otherwise: 30 days.
    public static let maxNs: Int64 = 30 * 86_400_000_000_000
    /// The usual range of a duration key: zero to 30 days.
    public static let defaultRange: ClosedRange<Int64> = 0...maxNs

    /// The duration in nanoseconds, or nil when the text is not one, or is too long for `Int64` nanoseconds.
    public static func nanoseconds(_ text: String) -> Int64? {
        guard let value = value(text), value < 9.2e18 else { return nil }
        return Int64(value.rounded())
    }

    /// The duration in nanoseconds as written (finite, at least zero, possibly beyond any range); nil when the
    /// text is not a duration. Readers check the range before converting.
    public static func value(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var number = trimmed
        var scale = 1e9
        for (suffix, unitScale) in units where trimmed.hasSuffix(suffix) {
            number = trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            scale = unitScale
            break
        }
        guard let parsed = Double(number), parsed.isFinite, parsed >= 0 else { return nil }
        let ns = parsed * scale
        guard ns.isFinite else { return nil }
        return ns
    }

    /// The shortest exact text for a duration (`200ms`, `90s`).
    public static func format(_ ns: Int64) -> String {
        if ns % 3_600_000_000_000 == 0 && ns > 0 { return "\(ns / 3_600_000_000_000)h" }
        if ns % 60_000_000_000 == 0 && ns > 0 { return "\(ns / 60_000_000_000)m" }
        if ns % 1_000_000_000 == 0 { return "\(ns / 1_000_000_000)s" }
        if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
        if ns % 1_000 == 0 { return "\(ns / 1_000)us" }
        return "\(ns)ns"
    }
}

import Foundation
