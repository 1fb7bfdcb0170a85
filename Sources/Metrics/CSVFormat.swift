/// Text formatting shared by the CSV, JSON and report writers.
public enum CSVFormat {
    /// A field quoted when it holds a comma, quote or line break.
    public static func field(_ text: String) -> String {
        // Bytes, not characters: "\r\n" is one Character, equal to neither "\r" nor "\n" (a server's CRLF error page
        // once went out unquoted and broke the row).
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Nanoseconds as milliseconds with all nine digits kept (`1234.567891`).
    public static func milliseconds(_ ns: Int64) -> String {
        let sign = ns < 0 ? "-" : ""
        let magnitude = ns.magnitude
        let fraction = String(magnitude % 1_000_000)
        return sign + String(magnitude / 1_000_000) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    public static func milliseconds(_ ns: Int64?) -> String { ns.map { milliseconds($0) } ?? "" }

    /// A number with up to `digits` decimals, trailing zeros dropped; empty for nil or not finite.
    public static func number(_ value: Double?, digits: Int = 6) -> String {
        guard let value, value.isFinite else { return "" }
        var text = String(format: "%.\(digits)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    public static func int(_ value: Int?) -> String { value.map(String.init) ?? "" }

    /// The shortest text that reads back as exactly the same Double; empty for nil or not finite.
    public static func exact(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return "\(value)"
    }
}

import Foundation
