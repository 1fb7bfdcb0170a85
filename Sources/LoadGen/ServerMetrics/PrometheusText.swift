/// Prometheus' text exposition format (version 0.0.4), as servers expose it on `/metrics`: `# HELP` and `# TYPE`
/// lines, other comments, and samples `name{label="value",...} value [timestamp]`.
///
/// Read strictly: a metric or label name outside the format's alphabet, a label value with an unknown escape or no
/// closing quote, a value that is not a float (`NaN`, `+Inf`, `-Inf` are), a timestamp that is not an integer, or a
/// second `# TYPE` for one family is an error naming the line and column. Samples group into families by the last
/// `# TYPE` (a histogram's `_bucket`, `_sum` and `_count`, a summary's `_sum` and `_count`); a sample no `# TYPE` names
/// is a family of its own, `untyped`.
public struct PrometheusExposition: Sendable, Equatable {
    public enum MetricType: String, Sendable, Equatable, CaseIterable {
        case counter, gauge, histogram, summary, untyped
    }

    public struct Sample: Sendable, Equatable {
        /// The sample's own name (`vllm:time_to_first_token_seconds_bucket`).
        public var name: String
        /// Labels in the order written; names are unique within a sample.
        public var labels: [(name: String, value: String)]
        public var value: Double
        /// Milliseconds since the epoch, when the line gives one.
        public var timestampMs: Int64?

        public init(name: String, labels: [(name: String, value: String)] = [], value: Double, timestampMs: Int64? = nil) {
            self.name = name
            self.labels = labels
            self.value = value
            self.timestampMs = timestampMs
        }

        public func label(_ name: String) -> String? { labels.first { $0.name == name }?.value }

        public static func == (lhs: Sample, rhs: Sample) -> Bool {
            lhs.name == rhs.name && lhs.labels.map(\.name) == rhs.labels.map(\.name)
                && lhs.labels.map(\.value) == rhs.labels.map(\.value)
                && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN)) && lhs.timestampMs == rhs.timestampMs
        }
    }

    public struct Family: Sendable, Equatable {
        public var name: String
        public var type: MetricType
        public var help: String?
        public var samples: [Sample]

        public init(name: String, type: MetricType, help: String? = nil, samples: [Sample] = []) {
            self.name = name
            self.type = type
            self.help = help
            self.samples = samples
        }
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "line \(line), column \(column): \(message)" }
    }

    public var families: [Family]

    public init(families: [Family]) {
        self.families = families
    }

    public func family(_ name: String) -> Family? { families.first { $0.name == name } }

    /// The sum over every series of the family's plain samples (a counter's or gauge's value; a histogram's or
    /// summary's `_sum` is `sum(name + "_sum")`); nil when no sample has that name.
    public func sum(_ sampleName: String) -> Double? {
        var total: Double?
        for family in families where sampleName.hasPrefix(family.name) {
            for sample in family.samples where sample.name == sampleName {
                total = (total ?? 0) + sample.value
            }
        }
        return total
    }

    /// The largest value of the samples of that name across series; nil when there is none.
    public func max(_ sampleName: String) -> Double? {
        var largest: Double?
        for family in families where sampleName.hasPrefix(family.name) {
            for sample in family.samples where sample.name == sampleName && !sample.value.isNaN {
                largest = Swift.max(largest ?? sample.value, sample.value)
            }
        }
        return largest
    }

    /// Parses a whole exposition.
    public static func parse(_ text: String) throws(ParseError) -> PrometheusExposition {
        var parser = Parser()
        var lineNumber = 0
        // By bytes: "\r\n" is one Character, so a String split on "\n" would not end a CRLF line.
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            try parser.line(Array(line), number: lineNumber)
        }
        return PrometheusExposition(families: parser.families)
    }

    struct Parser {
        var families: [Family] = []
        /// Family index by name.
        var index: [String: Int] = [:]
        /// Families whose `# TYPE` was given (a second one is an error).
        var typed: Set<String> = []

        mutating func line(_ bytes: [UInt8], number: Int) throws(ParseError) {
            var cursor = Cursor(bytes: bytes, line: number)
            cursor.skipBlanks()
            if cursor.atEnd { return }
            if cursor.peek == UInt8(ascii: "#") {
                try comment(&cursor)
            } else {
                try sample(&cursor)
            }
        }

        mutating func comment(_ cursor: inout Cursor) throws(ParseError) {
            cursor.advance()
            cursor.skipBlanks()
            let keyword = cursor.word()
            guard keyword == "HELP" || keyword == "TYPE" else { return }
            guard cursor.skipBlanks() > 0 else { return }
            let name = try cursor.metricName()
            if keyword == "HELP" {
                var text = ""
                if cursor.skipBlanks() > 0 || cursor.atEnd { text = try cursor.rest(escapingQuotes: false) }
                else { throw cursor.error("expected a space after the metric name") }
                let position = familyIndex(name, type: .untyped)
                families[position].help = text
            } else {
                guard cursor.skipBlanks() > 0 else { throw cursor.error("expected the type after the metric name") }
                let word = cursor.word()
                guard let type = MetricType(rawValue: word) else {
                    throw cursor.error("unknown type '\(word)' (counter, gauge, histogram, summary or untyped)")
                }
                cursor.skipBlanks()
                guard cursor.atEnd else { throw cursor.error("unexpected text after the type") }
                guard !typed.contains(name) else { throw cursor.error("a second # TYPE line for \(name)") }
                if let existing = index[name], !families[existing].samples.isEmpty {
                    throw cursor.error("# TYPE for \(name) after its samples")
                }
                typed.insert(name)
                let position = familyIndex(name, type: type)
                families[position].type = type
            }
        }

        mutating func sample(_ cursor: inout Cursor) throws(ParseError) {
            let name = try cursor.metricName()
            var labels: [(name: String, value: String)] = []
            var blanks = cursor.skipBlanks()
            if cursor.peek == UInt8(ascii: "{") {
                cursor.advance()
                labels = try cursor.labels()
                blanks = cursor.skipBlanks()
            }
            guard blanks > 0 else { throw cursor.error("expected a space before the value") }
            let valueText = cursor.word()
            guard let value = Self.float(valueText) else {
                throw cursor.error(valueText.isEmpty ? "missing value" : "'\(valueText)' is not a float value")
            }
            var timestamp: Int64?
            if cursor.skipBlanks() > 0, !cursor.atEnd {
                let text = cursor.word()
                guard let ms = Int64(text) else { throw cursor.error("'\(text)' is not an integer timestamp (milliseconds)") }
                timestamp = ms
                cursor.skipBlanks()
            }
            guard cursor.atEnd else { throw cursor.error("unexpected text after the sample") }
            let position = familyIndex(familyName(of: name), type: .untyped)
            families[position].samples.append(Sample(name: name, labels: labels, value: value, timestampMs: timestamp))
        }

        /// The typed family a sample belongs to: its own name, or a histogram's or summary's with the suffix off.
        func familyName(of sample: String) -> String {
            if index[sample] != nil { return sample }
            for suffix in ["_bucket", "_sum", "_count", "_created"] where sample.hasSuffix(suffix) {
                let base = String(sample.dropLast(suffix.count))
                if let position = index[base] {
                    let type = families[position].type
                    if type == .histogram || (type == .summary && suffix != "_bucket") { return base }
                }
            }
            return sample
        }

        mutating func familyIndex(_ name: String, type: MetricType) -> Int {
            if let position = index[name] { return position }
            families.append(Family(name: name, type: type))
            index[name] = families.count - 1
            return families.count - 1
        }

        /// Go's `strconv.ParseFloat` forms the format allows: decimal and exponent forms, `NaN`, `+Inf`, `-Inf`.
        static func float(_ text: String) -> Double? {
            switch text {
            case "NaN", "nan": return .nan
            case "+Inf", "Inf", "+inf", "inf": return .infinity
            case "-Inf", "-inf": return -.infinity
            default:
                guard !text.isEmpty, text.utf8.allSatisfy({ byte in
                    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                        || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+")
                        || byte == UInt8(ascii: "-")
                }), let value = Double(text), value.isFinite else { return nil }
                return value
            }
        }
    }

    struct Cursor {
        let bytes: [UInt8]
        let line: Int
        var position = 0

        var atEnd: Bool { position >= bytes.count || (position == bytes.count - 1 && bytes[position] == UInt8(ascii: "\r")) }
        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }
        mutating func advance() { position += 1 }

        func error(_ message: String) -> ParseError {
            ParseError(line: line, column: position + 1, message: message)
        }

        @discardableResult
        mutating func skipBlanks() -> Int {
            let start = position
            while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { advance() }
            return position - start
        }

        /// Bytes up to the next blank or the end.
        mutating func word() -> String {
            let start = position
            while !atEnd, let byte = peek, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { advance() }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        static func isNameStart(_ byte: UInt8, colon: Bool) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || byte == UInt8(ascii: "_") || (colon && byte == UInt8(ascii: ":"))
        }

        static func isNameByte(_ byte: UInt8, colon: Bool) -> Bool {
            isNameStart(byte, colon: colon) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }

        /// `[a-zA-Z_:][a-zA-Z0-9_:]*`, or `[a-zA-Z_][a-zA-Z0-9_]*` for a label name.
        mutating func name(colon: Bool, what: String) throws(ParseError) -> String {
            guard let first = peek, Self.isNameStart(first, colon: colon) else {
                throw error("expected a \(what) (letters, digits, _\(colon ? " and :" : ""); not starting with a digit)")
            }
            let start = position
            while let byte = peek, Self.isNameByte(byte, colon: colon) { advance() }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func metricName() throws(ParseError) -> String { try name(colon: true, what: "metric name") }

        /// `name="value"` pairs up to the closing brace, a trailing comma allowed.
        mutating func labels() throws(ParseError) -> [(name: String, value: String)] {
            var labels: [(name: String, value: String)] = []
            while true {
                skipBlanks()
                if peek == UInt8(ascii: "}") { advance(); return labels }
                let label = try name(colon: false, what: "label name")
                guard !labels.contains(where: { $0.name == label }) else { throw error("label \(label) given twice") }
                skipBlanks()
                guard peek == UInt8(ascii: "=") else { throw error("expected = after label \(label)") }
                advance()
                skipBlanks()
                guard peek == UInt8(ascii: "\"") else { throw error("expected a quoted value for label \(label)") }
                advance()
                labels.append((label, try quoted()))
                skipBlanks()
                if peek == UInt8(ascii: ",") { advance(); continue }
                guard peek == UInt8(ascii: "}") else { throw error("expected , or } after label \(label)") }
            }
        }

        /// A label value after its opening quote, through its closing quote: escapes `\\`, `\"` and `\n`.
        mutating func quoted() throws(ParseError) -> String {
            var out: [UInt8] = []
            while let byte = peek {
                advance()
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let next = peek else { throw error("a label value ends in a lone backslash") }
                    advance()
                    switch next {
                    case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                    case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                    case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                    default:
                        position -= 2
                        throw error("unknown escape \\\(String(decoding: [next], as: UTF8.self)) in a label value (\\\\, \\\" and \\n are)")
                    }
                default:
                    out.append(byte)
                }
            }
            throw error("a label value has no closing quote")
        }

        /// The rest of the line as a HELP text: escapes `\\` and `\n` (a backslash before anything else stays).
        mutating func rest(escapingQuotes: Bool) throws(ParseError) -> String {
            var out: [UInt8] = []
            var end = bytes.count
            if end > 0, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            while position < end {
                let byte = bytes[position]
                advance()
                if byte == UInt8(ascii: "\\"), position < end {
                    let next = bytes[position]
                    if next == UInt8(ascii: "\\") { out.append(next); advance(); continue }
                    if next == UInt8(ascii: "n") { out.append(UInt8(ascii: "\n")); advance(); continue }
                }
                out.append(byte)
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

extension PrometheusExposition {
    /// A histogram's buckets summed over its series: (upper bound, cumulative count), by bound, `+Inf` last.
    public func buckets(_ family: String) -> [(le: Double, count: Double)] {
        guard let found = self.family(family), found.type == .histogram else { return [] }
        var byBound: [Double: Double] = [:]
        for sample in found.samples where sample.name == family + "_bucket" {
            guard let text = sample.label("le"), let bound = Parser.float(text) else { continue }
            byBound[bound, default: 0] += sample.value
        }
        return byBound.sorted { $0.key < $1.key }.map { (le: $0.key, count: $0.value) }
    }

    /// Writes the exposition back in the text format (families in order, labels escaped): parsing the result gives
    /// the same exposition.
    public var text: String {
        var out = ""
        for family in families {
            if let help = family.help {
                out += "# HELP \(family.name) \(help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n"))\n"
            }
            if family.type != .untyped || family.samples.isEmpty { out += "# TYPE \(family.name) \(family.type.rawValue)\n" }
            for sample in family.samples {
                out += sample.name
                if !sample.labels.isEmpty {
                    out += "{" + sample.labels.map { label in
                        let escaped = label.value.replacingOccurrences(of: "\\", with: "\\\\")
                            .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
                        return "\(label.name)=\"\(escaped)\""
                    }.joined(separator: ",") + "}"
                }
                out += " " + Self.format(sample.value)
                if let timestamp = sample.timestampMs { out += " \(timestamp)" }
                out += "\n"
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        return "\(value)"
    }
}
