import BenchSupport
import Yams

/// Which requests' chunks are written to chunks.csv (`chunk_rows`, `--chunk-rows`). Every figure (the summary, the ITL,
/// ICL and tokens-per-chunk histograms, the time series) is aggregated as records arrive whichever is chosen, so this
/// sets only the disk a run writes and what can be looked at chunk by chunk afterwards.
public enum ChunkRows: Sendable, Equatable {
    /// Every chunk of every request (the default).
    case all
    /// No chunk rows.
    case none
    /// The chunks of a deterministic sample of requests: each request is kept when a hash of its sequence number
    /// falls below the fraction, so the same run keeps the same requests.
    case sample(Double)

    /// As written in a scenario and in run.json: `all`, `none` or the sample's fraction.
    public var text: String {
        switch self {
        case .all: "all"
        case .none: "none"
        case .sample(let fraction): "\(fraction)"
        }
    }

    /// Whether request `seq`'s chunk rows are written.
    @inline(__always)
    public func keeps(seq: Int) -> Bool {
        switch self {
        case .all: return true
        case .none: return false
        case .sample(let fraction):
            var generator = SplitMix64(seed: UInt64(truncatingIfNeeded: seq) &+ 0x6368_756E_6B73)
            return Double(generator.next() >> 11) / Double(1 << 53) < fraction
        }
    }

    public static let valid = "all, none, or a fraction of requests between 0 and 1 (exclusive) whose chunks are kept, such as 0.01"

    /// Reads `all`, `none` or a fraction in (0, 1).
    public static func parse(_ text: String, at site: ValueSite) throws -> ChunkRows {
        switch text {
        case "all": return .all
        case "none": return .none
        default:
            guard let fraction = Double(text), fraction > 0, fraction < 1 else {
                throw site.error("'\(text)' is not a chunk_rows setting", hint: "give \(valid)")
            }
            return .sample(fraction)
        }
    }
}

extension ScenarioReader {
    func chunkRows(_ node: Node, path: String) throws -> ChunkRows {
        try ChunkRows.parse(try string(node, path: path), at: site(node, path))
    }
}
