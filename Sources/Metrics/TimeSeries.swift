import LoadGen

/// The run second by second, rebuilt from records: `timeseries.csv` and its plot.
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

    public init(records: [RequestRecord], levels: [LevelResult]) {
        guard let last = records.map({ max($0.endNs, $0.sentNs) }).max(), last >= 0 else { return }
        let seconds = Int(last / 1_000_000_000) + 1
        rows = (0..<seconds).map { second in
            let startNs = Int64(second) * 1_000_000_000
            let level = levels.last { $0.startNs <= startNs }?.name ?? levels.first?.name ?? ""
            return Row(second: second, level: level, inFlight: 0, dispatched: 0, dropped: 0, completed: 0, errors: 0,
                       outputTokens: 0, latenessP50Ms: nil, latenessMaxMs: nil)
        }
        func bucket(_ ns: Int64) -> Int { min(max(Int(ns / 1_000_000_000), 0), seconds - 1) }
        var lateness = Array(repeating: [Double](), count: seconds)
        var changes = Array(repeating: 0, count: seconds + 1)
        for record in records {
            if record.errorClass == .dropped {
                rows[bucket(record.sentNs)].dropped += 1
            } else {
                let sent = bucket(record.sentNs)
                rows[sent].dispatched += 1
                lateness[sent].append(Double(record.sentNs - record.scheduledNs) / 1e6)
                // In flight at the end of each second from the one it was sent in up to the one before it ended.
                changes[sent] += 1
                changes[bucket(record.endNs)] -= 1
            }
            if let errorClass = record.errorClass {
                rows[bucket(record.endNs)].errors += 1
                rows[bucket(record.endNs)].errorClasses[errorClass, default: 0] += 1
            } else {
                rows[bucket(record.endNs)].completed += 1
            }
            if record.chunks.isEmpty {
                if record.succeeded { rows[bucket(record.endNs)].outputTokens += record.outputTokens }
            } else {
                for chunk in record.chunks { rows[bucket(chunk.arrivalNs)].outputTokens += chunk.tokens }
            }
        }
        var running = 0
        for second in 0..<seconds {
            running += changes[second]
            rows[second].inFlight = running
            let sorted = lateness[second].sorted()
            if !sorted.isEmpty {
                rows[second].latenessP50Ms = sorted[(sorted.count - 1) / 2]
                rows[second].latenessMaxMs = sorted.last
            }
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
