/// Durations in scenario files and flags: `250ms`, `90s`, `5m`, `1h`, `1.5s`, `500us`; a bare number is seconds.
public enum DurationText {
    public static func nanoseconds(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
            return Int64((value * scale).rounded())
        }
        guard let value = Double(trimmed), value.isFinite, value >= 0 else { return nil }
        return Int64((value * 1e9).rounded())
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
