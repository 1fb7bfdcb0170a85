import LoadGen

/// What a shard of a sharded run records about itself in run.json (`shard`), and what `merge` records about each
/// shard it merged (`shards`): where its clock stood, how it started, and (after a merge) how its records were placed.
public struct ShardInfo: Sendable, Equatable {
    public var index: Int
    public var count: Int
    public var host: String
    /// The wall clock (Unix time, nanoseconds) at the shard's monotonic origin: a record's time plus this is its
    /// wall-clock time, which puts every shard's records on one time axis.
    public var clockAnchorNs: Int64
    /// Half the interval between the two wall-clock reads around the monotonic one: the anchor's own uncertainty.
    public var anchorUncertaintyNs: Int64
    /// The agreed start (`--start-at`, or the first barrier's), Unix nanoseconds; nil when none was agreed.
    public var startAtNs: Int64?
    /// The barrier directory on shared storage (`--barrier`), if any.
    public var barrier: String?
    /// For each level: how long after the agreed instant this shard started it (its observed start skew), ns.
    public var levelLatenessNs: [Int64] = []
    /// The barrier files' modification time (the storage's clock) minus this host's wall clock when it wrote
    /// its first one, ns: a host whose clock is off shows up here. Reported, not corrected for.
    public var storageClockOffsetNs: Int64?
    /// Set by `merge`: `ok`, `failed: <why>` or `missing`, the directory read, the shift added to every time of
    /// its records, and the records it contributed.
    public var status: String?
    public var directory: String?
    public var offsetNs: Int64?
    public var records: Int?

    public init(index: Int, count: Int, host: String, clockAnchorNs: Int64, anchorUncertaintyNs: Int64) {
        self.index = index
        self.count = count
        self.host = host
        self.clockAnchorNs = clockAnchorNs
        self.anchorUncertaintyNs = anchorUncertaintyNs
    }

    /// Unix nanoseconds as seconds with nine decimals, in a string: a JSON number would lose the nanoseconds.
    public static func seconds(_ ns: Int64) -> String {
        let sign = ns < 0 ? "-" : ""
        let magnitude = ns.magnitude
        let fraction = String(magnitude % 1_000_000_000)
        return "\(sign)\(magnitude / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
    }

    public static func nanoseconds(_ text: String) -> Int64? {
        let negative = text.hasPrefix("-")
        let body = negative ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), parts.count == 1 || (1...9).contains(parts[1].count),
              parts.count == 1 || parts[1].allSatisfy(\.isASCII) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            guard let digits = Int64(parts[1] + String(repeating: "0", count: 9 - parts[1].count)) else { return nil }
            fraction = digits
        }
        let (product, overflow) = whole.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        return (negative ? -1 : 1) * (product + fraction)
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("index", .number(Double(index))), ("count", .number(Double(count))), ("host", .string(host)),
            ("clock_anchor_unix_s", .string(Self.seconds(clockAnchorNs))),
            ("clock_anchor_uncertainty_ns", .number(Double(anchorUncertaintyNs))),
            ("start_at_unix_s", startAtNs.map { .string(Self.seconds($0)) } ?? .null),
            ("barrier", barrier.map(JSONValue.string) ?? .null),
            ("level_start_lateness_ms", .array(levelLatenessNs.map { .number(Double($0) / 1e6) })),
            ("storage_clock_offset_ms", storageClockOffsetNs.map { .number(Double($0) / 1e6) } ?? .null),
        ]
        if let status { pairs.append(("status", .string(status))) }
        if let directory { pairs.append(("directory", .string(directory))) }
        if let offsetNs { pairs.append(("offset_ms", .number(Double(offsetNs) / 1e6))) }
        if let records { pairs.append(("records", .number(Double(records)))) }
        return .object(pairs)
    }

    /// Reads `json` back; nil when it is not a shard's record.
    public init?(json: JSONValue) {
        guard let index = json["index"]?.intValue, let count = json["count"]?.intValue,
              let anchor = json["clock_anchor_unix_s"]?.stringValue.flatMap(Self.nanoseconds) else { return nil }
        self.init(index: index, count: count, host: json["host"]?.stringValue ?? "",
                  clockAnchorNs: anchor, anchorUncertaintyNs: Int64(json["clock_anchor_uncertainty_ns"]?.numberValue ?? 0))
        startAtNs = json["start_at_unix_s"]?.stringValue.flatMap(Self.nanoseconds)
        barrier = json["barrier"]?.stringValue
        levelLatenessNs = (json["level_start_lateness_ms"]?.arrayValue ?? []).compactMap { $0.numberValue.map { Int64(($0 * 1e6).rounded()) } }
        storageClockOffsetNs = json["storage_clock_offset_ms"]?.numberValue.map { Int64(($0 * 1e6).rounded()) }
        status = json["status"]?.stringValue
        directory = json["directory"]?.stringValue
        offsetNs = json["offset_ms"]?.numberValue.map { Int64(($0 * 1e6).rounded()) }
        records = json["records"]?.intValue
    }
}
