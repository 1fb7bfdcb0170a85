import Histogram
import LoadGen
import Synchronization

/// Live figures of the level running, fed by records as they finish and read by the progress display.
public final class LiveProgress: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var level: String
        public var done: Int
        public var failed: Int
        /// Requests the level will send (warm-up included), when a count limits it.
        public var expected: Int?
        public var elapsedNs: Int64
        /// Time left when a duration limits the level.
        public var remainingNs: Int64?
        public var ttftP50Ms: Double?
        public var ttftP99Ms: Double?
        /// Output tokens per second over the last few seconds.
        public var tokensPerSecond: Double
    }

    private struct State {
        var level = ""
        var plan: LevelPlan?
        var startNs: Int64 = 0
        var done = 0
        var failed = 0
        var ttft = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        /// (arrival, tokens) of recent chunks, for the tokens/s of the last `windowNs`.
        var recent: [(Int64, Int)] = []
        var pruneAt = 4096
    }

    private let state = Mutex(State())
    static let windowNs: Int64 = 3_000_000_000

    public init() {}

    public func begin(_ plan: LevelPlan, at nowNs: Int64) {
        state.withLock { state in
            state = State()
            state.level = plan.name
            state.plan = plan
            state.startNs = nowNs
            state.ttft.autoResize = true
        }
    }

    public func add(_ record: RequestRecord) {
        state.withLock { state in
            state.done += 1
            if !record.succeeded { state.failed += 1 }
            if let first = record.chunks.first { _ = state.ttft.record(UInt64(max(first.arrivalNs - record.sentNs, 0))) }
            for chunk in record.chunks { state.recent.append((chunk.arrivalNs, chunk.tokens)) }
            if record.chunks.isEmpty && record.succeeded { state.recent.append((record.endNs, record.outputTokens)) }
            // Arrivals older than the window before this record's end are dropped here too, not only when a line is
            // drawn: a run that draws none (--quiet) would otherwise keep every chunk's arrival.
            if state.recent.count >= state.pruneAt {
                state.recent.removeAll { $0.0 < record.endNs - Self.windowNs }
                state.pruneAt = max(4096, 2 * state.recent.count)
            }
        }
    }

    /// Arrivals held for the tokens-per-second figure (for tests: bounded by the window, not the run).
    var recentCount: Int { state.withLock { $0.recent.count } }

    public func snapshot(at nowNs: Int64) -> Snapshot {
        state.withLock { state in
            state.recent.removeAll { $0.0 < nowNs - Self.windowNs }
            let span = Double(min(Self.windowNs, max(nowNs - state.startNs, 1))) / 1e9
            let tokens = state.recent.reduce(0) { $0 + $1.1 }
            let elapsed = nowNs - state.startNs
            var remaining: Int64?
            if let duration = state.plan?.durationNs { remaining = max(0, duration + (state.plan?.warmupNs ?? 0) - elapsed) }
            let expected = state.plan?.requests.map { $0 + (state.plan?.warmup ?? 0) }
            return Snapshot(level: state.level, done: state.done, failed: state.failed, expected: expected, elapsedNs: elapsed,
                            remainingNs: remaining,
                            ttftP50Ms: state.ttft.totalCount > 0 ? Double(state.ttft.valueAtPercentile(50)) / 1e6 : nil,
                            ttftP99Ms: state.ttft.totalCount > 0 ? Double(state.ttft.valueAtPercentile(99)) / 1e6 : nil,
                            tokensPerSecond: Double(tokens) / span)
        }
    }

    /// One line: a bar when the end is known, the ETA, counts, live TTFT and tokens/s.
    public static func line(_ snapshot: Snapshot, barWidth: Int = 24) -> String {
        var fraction: Double?
        var etaSeconds: Double?
        if let expected = snapshot.expected, expected > 0 {
            fraction = min(Double(snapshot.done) / Double(expected), 1)
            if snapshot.done > 0 {
                etaSeconds = Double(snapshot.elapsedNs) / 1e9 * Double(expected - snapshot.done) / Double(snapshot.done)
            }
        }
        if let remaining = snapshot.remainingNs {
            let total = Double(snapshot.elapsedNs + remaining)
            fraction = max(fraction ?? 0, total > 0 ? Double(snapshot.elapsedNs) / total : 0)
            etaSeconds = min(etaSeconds ?? .infinity, Double(remaining) / 1e9)
        }
        var text = snapshot.level
        if let fraction {
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            text += " [" + String(repeating: "=", count: filled) + String(repeating: " ", count: barWidth - filled) + "]"
            text += " " + CSVFormat.number(fraction * 100, digits: 0) + "%"
        }
        text += " \(snapshot.done)" + (snapshot.expected.map { "/\($0)" } ?? "") + " done, \(snapshot.failed) failed"
        if let etaSeconds, etaSeconds.isFinite { text += ", ETA \(Int(etaSeconds.rounded(.up)))s" }
        if let p50 = snapshot.ttftP50Ms, let p99 = snapshot.ttftP99Ms {
            text += ", TTFT p50 \(CSVFormat.number(p50, digits: 1)) p99 \(CSVFormat.number(p99, digits: 1)) ms"
        }
        text += ", \(CSVFormat.number(snapshot.tokensPerSecond, digits: 0)) tok/s"
        return text
    }
}
