import Foundation
import LoadGen

/// The run second by second, accumulated as records arrive: `timeseries.csv` and its plot.
public struct TimeSeries {
    public struct Row: Equatable {
        /// Start of the second, seconds from the run's start.
        public var second: Int
        /// The level running at the start of the second.
        public var level: String
        /// Requests sent and not yet ended at the end of the second.
        public var inFlight: Int
        public var dispatched: Int
        public var dropped: Int
        public var completed: Int
        public var errors: Int
        /// Tokens that arrived in the second (chunk arrivals; whole bodies when they ended).
        public var outputTokens: Int
        /// Lateness (sent - scheduled) of the requests sent in the second, milliseconds.
        public var latenessP50Ms: Double?
        public var latenessMaxMs: Double?
        /// The errors of the second by class.
        public var errorClasses: [ErrorClass: Int] = [:]
    }

    public private(set) var rows: [Row] = []

    /// Every figure of a second, accumulated as records arrive; rows are made from them at the end, when the levels'
    /// start times are known. Memory grows with the run's seconds, not its records.
    struct Second {
        var dispatched = 0
        var dropped = 0
        var completed = 0
        var errors = 0
        /// Tokens of whole bodies that ended in the second, and of chunks that arrived in it.
        var outputTokens = 0
        var chunkTokens = 0
        var errorClasses: [ErrorClass: Int] = [:]
        /// In-flight change at the end of the second.
        var inFlightChange = 0
        /// Lateness of the requests sent in the second, quantized (`latenessKey`), with counts.
        var lateness: [Int64: Int] = [:]
        var latenessCount = 0
        var latenessMaxNs: Int64?
        /// The lateness median, once the second is settled (its quantized values are then dropped).
        var latenessP50Key: Int64?
        var settled = false

        /// The lower median, as the rank (n - 1) / 2 of the sorted values.
        mutating func settle() {
            guard !settled else { return }
            settled = true
            guard latenessCount > 0 else { return }
            var rank = (latenessCount - 1) / 2
            for key in lateness.keys.sorted() {
                let n = lateness[key]!
                if rank < n {
                    latenessP50Key = key
                    break
                }
                rank -= n
            }
            lateness = [:]
        }
    }

    private var seconds: [Second] = []
    /// A second is settled once a request ending this long after it has arrived: every request sent in it has ended by
    /// then (a request lasts at most the total timeout), so its lateness median is final and its values are dropped.
    var settleAfterNs: Int64 = 600_000_000_000
    private var latestEndNs: Int64 = .min
    private var nextToSettle = 0
    /// Seconds still holding their lateness values (for tests: the memory that waits to be settled).
    var secondsHoldingLateness: Int { seconds.filter { !$0.lateness.isEmpty }.count }
    /// Off when `report` restores the chunks' tokens per second from the run's log (chunk rows not all kept).
    var chunkTokensFromRecords = true
    private var lastNs: Int64 = -1

    public init() {}

    public init(records: [RequestRecord], levels: [LevelResult]) {
        self.init()
        for record in records { add(record) }
        finish(levels: levels)
    }

    private mutating func second(_ ns: Int64) -> Int {
        let index = max(Int(ns / 1_000_000_000), 0)
        if index >= seconds.count { seconds.append(contentsOf: repeatElement(Second(), count: index - seconds.count + 1)) }
        return index
    }

    /// Lateness as kept for its second's median: whole microseconds below a millisecond, three significant digits
    /// above (the column shows microseconds), so a second's memory is bounded whatever its request count.
    static func latenessKey(_ ns: Int64) -> Int64 {
        let micros = (Double(ns) / 1_000).rounded()
        let magnitude = abs(micros)
        guard magnitude >= 1_000 else { return Int64(micros) }
        let step = pow(10, (log10(magnitude)).rounded(.down) - 2)
        return Int64((micros / step).rounded() * step)
    }

    public mutating func add(_ record: RequestRecord) {
        lastNs = max(lastNs, record.endNs, record.sentNs)
        if record.errorClass == .dropped {
            seconds[second(record.sentNs)].dropped += 1
        } else {
            let sent = second(record.sentNs)
            seconds[sent].dispatched += 1
            let lateness = record.sentNs - record.scheduledNs
            // A straggler for a second already settled counts everywhere but in its median.
            if !seconds[sent].settled {
                seconds[sent].lateness[Self.latenessKey(lateness), default: 0] += 1
                seconds[sent].latenessCount += 1
            }
            seconds[sent].latenessMaxNs = max(seconds[sent].latenessMaxNs ?? lateness, lateness)
            // In flight at the end of each second from the one it was sent in up to the one before it ended.
            seconds[sent].inFlightChange += 1
            seconds[second(record.endNs)].inFlightChange -= 1
        }
        let end = second(record.endNs)
        if let errorClass = record.errorClass {
            seconds[end].errors += 1
            seconds[end].errorClasses[errorClass, default: 0] += 1
        } else {
            seconds[end].completed += 1
        }
        if record.chunks.isEmpty && record.chunkSummary.count == 0 {
            if record.succeeded { seconds[end].outputTokens += record.outputTokens }
        } else if chunkTokensFromRecords {
            for chunk in record.chunks { seconds[second(chunk.arrivalNs)].chunkTokens += chunk.tokens }
        }
        latestEndNs = max(latestEndNs, record.endNs)
        while nextToSettle < seconds.count && Int64(nextToSettle + 1) * 1_000_000_000 + settleAfterNs < latestEndNs {
            seconds[nextToSettle].settle()
            nextToSettle += 1
        }
    }

    /// Output tokens that arrived in a second, from chunks not kept as rows (`report`, from the run's HDR log).
    mutating func addChunkTokens(_ tokens: Int, second index: Int) {
        guard index >= 0 else { return }
        if index >= seconds.count { seconds.append(contentsOf: repeatElement(Second(), count: index - seconds.count + 1)) }
        seconds[index].chunkTokens += tokens
    }

    /// Chunk tokens by the second they arrived in (what `addChunkTokens` restores).
    var chunkTokensBySecond: [Int] { seconds.map(\.chunkTokens) }

    /// Makes the rows: one per second up to the last send or end, each named by the level running at its start.
    public mutating func finish(levels: [LevelResult]) {
        guard lastNs >= 0 else {
            rows = []
            return
        }
        let count = Int(lastNs / 1_000_000_000) + 1
        if seconds.count < count { seconds.append(contentsOf: repeatElement(Second(), count: count - seconds.count)) }
        var running = 0
        for index in seconds.indices { seconds[index].settle() }
        rows = (0..<count).map { index in
            let second = seconds[index]
            let startNs = Int64(index) * 1_000_000_000
            let level = levels.last { $0.startNs <= startNs }?.name ?? levels.first?.name ?? ""
            running += second.inFlightChange
            var row = Row(second: index, level: level, inFlight: running, dispatched: second.dispatched, dropped: second.dropped,
                          completed: second.completed, errors: second.errors, outputTokens: second.outputTokens + second.chunkTokens,
                          latenessP50Ms: nil, latenessMaxMs: second.latenessMaxNs.map { Double($0) / 1e6 })
            row.errorClasses = second.errorClasses
            row.latenessP50Ms = second.latenessP50Key.map { Double($0) / 1e3 }
            return row
        }
    }

    public static let header = "second,level_name,in_flight,dispatched,dropped,completed,errors,output_tokens,lateness_p50_ms,lateness_max_ms,error_classes\n"

    public var csv: String {
        Self.header + rows.map { row in
            "\(row.second),\(CSVFormat.field(row.level)),\(row.inFlight),\(row.dispatched),\(row.dropped),\(row.completed),"
                + "\(row.errors),\(row.outputTokens),\(CSVFormat.number(row.latenessP50Ms, digits: 3)),\(CSVFormat.number(row.latenessMaxMs, digits: 3)),"
                // `class=count` pairs, `;`-separated, in the order of ErrorClass.
                + ErrorClass.allCases.compactMap { errorClass in row.errorClasses[errorClass].map { "\(errorClass.rawValue)=\($0)" } }
                    .joined(separator: ";") + "\n"
        }.joined()
    }
}
