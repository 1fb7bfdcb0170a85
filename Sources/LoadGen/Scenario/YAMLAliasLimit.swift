import CYaml

/// Refuses a scenario whose YAML aliases expand to too many nodes before the text reaches Yams.
///
/// An alias (`*name`) repeats the node its anchor (`&name`) names, so nine levels of ten aliases each ("billion
/// laughs") make a billion nodes out of a few hundred bytes: walking them (interpolation, key checks, hashing a key)
/// never ends and memory grows without bound. This reads the file's events with libyaml (the parser under Yams), one
/// pass, keeping only a count per anchor, and stops at the first alias past the limit, so a bomb costs microseconds.
/// The count is of nodes that aliases add; a file without aliases is never refused, however large.
public enum YAMLAliasLimit {
    /// The most nodes the aliases of one scenario file may add in all.
    public static let maxAliasedNodes = 100_000

    /// Where the limit was passed: the alias's line and column (1-based), and the nodes added up to it.
    public struct Exceeded: Error, Equatable {
        public var line: Int
        public var column: Int
        public var nodes: Int
    }

    /// Throws `Exceeded` at the first alias that takes the nodes added by aliases past `limit`. Text libyaml cannot
    /// parse is left to Yams, which reports it with its own message.
    public static func check(_ yaml: String, limit: Int = maxAliasedNodes) throws(Exceeded) {
        let utf8 = Array(yaml.utf8)
        if utf8.isEmpty { return }
        // libyaml reads from this copy until the parser is deleted.
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: utf8.count)
        defer { input.deallocate() }
        input.initialize(from: utf8, count: utf8.count)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, input, utf8.count)
        var counter = Counter(limit: limit)
        var event = yaml_event_t()
        while yaml_parser_parse(&parser, &event) == 1 {
            let type = event.type
            var passed: Int?
            switch type {
            case YAML_SCALAR_EVENT:
                counter.leaf(anchor: name(event.data.scalar.anchor))
            case YAML_SEQUENCE_START_EVENT:
                counter.open(anchor: name(event.data.sequence_start.anchor))
            case YAML_MAPPING_START_EVENT:
                counter.open(anchor: name(event.data.mapping_start.anchor))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                counter.close()
            case YAML_ALIAS_EVENT:
                passed = counter.alias(name(event.data.alias.anchor))
            default:
                break
            }
            let line = Int(event.start_mark.line) + 1
            let column = Int(event.start_mark.column) + 1
            yaml_event_delete(&event)
            if let passed { throw Exceeded(line: line, column: column, nodes: passed) }
            if type == YAML_STREAM_END_EVENT { return }
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// Expanded sizes: of each anchored node, and of each collection still open.
    private struct Counter {
        let limit: Int
        /// Nodes added by aliases so far.
        var aliased = 0
        /// Each anchor's node size with its own aliases expanded (a later anchor of the same name replaces it).
        var sizes: [String: Int] = [:]
        /// The collections open, innermost last: their anchor and their size so far.
        var open: [(anchor: String?, size: Int)] = []

        init(limit: Int) { self.limit = limit }

        mutating func leaf(anchor: String?) {
            add(1, anchor: anchor)
        }

        mutating func open(anchor: String?) {
            open.append((anchor, 1))
        }

        mutating func close() {
            guard let closed = open.popLast() else { return }
            add(closed.size, anchor: closed.anchor)
        }

        /// The nodes added when the limit is passed, else nil.
        mutating func alias(_ anchor: String?) -> Int? {
            // An undefined alias is Yams' error to report; count it as one node meanwhile.
            let size = anchor.flatMap { sizes[$0] } ?? 1
            aliased = min(aliased + size, Int.max / 4)
            if aliased > limit { return aliased }
            add(size, anchor: nil)
            return nil
        }

        /// A finished node of `size` nodes joins the collection it is in; an anchor remembers its size. Sizes are
        /// capped just past the limit, so no sum overflows.
        private mutating func add(_ size: Int, anchor: String?) {
            let capped = min(size, limit + 1)
            if let anchor { sizes[anchor] = capped }
            if !open.isEmpty { open[open.count - 1].size = min(open[open.count - 1].size + capped, limit + 1) }
        }
    }
}
