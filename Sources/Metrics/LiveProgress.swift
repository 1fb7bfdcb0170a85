import Histogram
import LoadGen
import Synchronization

/// Live figures of the level running, fed by records as they finish and read by the progress display.
public final class LiveProgress: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var level: String
        /// Measured requests ended, and of those failed.
        public var done: Int
        public var failed: Int
        /// Measured requests the level will send, when a count limits it.
        public var expected: Int?
        public var elapsedNs: Int64
        /// Time left when a duration limits the level.
        public var remainingNs: Int64?
        public var ttftP50Ms: Double?
        public var ttftP99Ms: Double?
        /// Output tokens per second over the last few seconds.
        public var tokensPerSecond: Double
        /// Warm-up requests ended, and how many the level sends when its warm-up is a count.
        public var warmupDone: Int = 0
        public var warmupExpected: Int?
    }

    private struct State {
        var level = ""
        var plan: LevelPlan?
        var startNs: Int64 = 0
        var done = 0
        var failed = 0
        var warmupDone = 0
        var ttft = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        /// Tokens of recent chunks by arrival, for the tokens/s of the last `windowNs`.
        var recent = TokenWindow()
    }

    /// Tokens summed into 10 ms slots of arrival time, in a ring that covers the window: memory is the ring's, not
    /// the chunks'. (A list of every chunk's arrival held 2.3 million entries, 52 MB, at 12,000 requests/s of
    /// 64-chunk answers.)
    struct TokenWindow {
        static let slotNs: Int64 = 10_000_000
        static let slots = Int(LiveProgress.windowNs / slotNs) + 1
        private var tokens = [Int](repeating: 0, count: slots)
        /// The slot each ring entry holds now (entries are reused as time moves on).
        private var slotOf = [Int64](repeating: .min, count: slots)
        private var newest: Int64 = .min

        static func slot(_ ns: Int64) -> Int64 { ns >= 0 ? ns / slotNs : (ns - slotNs + 1) / slotNs }

        mutating func add(arrivalNs: Int64, tokens count: Int) {
            let slot = Self.slot(arrivalNs)
            newest = max(newest, slot)
            guard slot > newest - Int64(Self.slots) else { return }  // older than the ring reaches: out of any window
            let index = Int(((slot % Int64(Self.slots)) + Int64(Self.slots)) % Int64(Self.slots))
            if slotOf[index] < slot {
                slotOf[index] = slot
                tokens[index] = 0
            } else if slotOf[index] > slot {
                return
            }
            tokens[index] += count
        }

        /// Tokens that arrived from `fromNs` on (to the slot: up to 10 ms earlier).
        func sum(fromNs: Int64) -> Int {
            let lowest = Self.slot(fromNs)
            var total = 0
            for index in 0..<Self.slots where slotOf[index] >= lowest { total += tokens[index] }
            return total
        }

        /// Memory held, in slots: constant.
        var count: Int { tokens.count }
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
            if record.warmup {
                state.warmupDone += 1
            } else {
                state.done += 1
                if !record.succeeded { state.failed += 1 }
            }
            if let first = record.chunks.first { _ = state.ttft.record(UInt64(max(first.arrivalNs - record.sentNs, 0))) }
            for chunk in record.chunks { state.recent.add(arrivalNs: chunk.arrivalNs, tokens: chunk.tokens) }
            if record.chunks.isEmpty && record.succeeded { state.recent.add(arrivalNs: record.endNs, tokens: record.outputTokens) }
        }
    }

    /// Slots held for the tokens-per-second figure (for tests: fixed by the window, not the run or its rate).
    var recentCount: Int { state.withLock { $0.recent.count } }

    public func snapshot(at nowNs: Int64) -> Snapshot {
        state.withLock { state in
            let span = Double(min(Self.windowNs, max(nowNs - state.startNs, 1))) / 1e9
            let tokens = state.recent.sum(fromNs: nowNs - Self.windowNs)
            let elapsed = nowNs - state.startNs
            var remaining: Int64?
            if let duration = state.plan?.durationNs { remaining = max(0, duration + (state.plan?.warmupNs ?? 0) - elapsed) }
            let warmupCount = (state.plan?.warmupNs ?? 0) > 0 ? nil : state.plan.map(\.warmup)
            return Snapshot(level: state.level, done: state.done, failed: state.failed, expected: state.plan?.requests,
                            elapsedNs: elapsed, remainingNs: remaining,
                            ttftP50Ms: state.ttft.totalCount > 0 ? Double(state.ttft.valueAtPercentile(50)) / 1e6 : nil,
                            ttftP99Ms: state.ttft.totalCount > 0 ? Double(state.ttft.valueAtPercentile(99)) / 1e6 : nil,
                            tokensPerSecond: Double(tokens) / span, warmupDone: state.warmupDone,
                            warmupExpected: warmupCount.flatMap { $0 > 0 ? $0 : nil })
        }
    }

    /// One line: a bar when the end is known, the ETA, measured and warm-up counts apart, live TTFT and tokens/s.
    /// With `width` (the terminal's columns) it never reaches the last column, so it never wraps: the figures least
    /// needed go first (tokens/s, TTFT, ETA, the warm-up count), then the bar shrinks, then the line is cut.
    public static func line(_ snapshot: Snapshot, barWidth: Int = 24, width: Int? = nil) -> String {
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
        let counts = " \(snapshot.done)" + (snapshot.expected.map { "/\($0)" } ?? "") + " measured, \(snapshot.failed) failed"
        let warmup = snapshot.warmupDone > 0 || snapshot.warmupExpected != nil
            ? ", warm-up \(snapshot.warmupDone)" + (snapshot.warmupExpected.map { "/\($0)" } ?? "") : ""
        let eta = etaSeconds.flatMap { $0.isFinite ? ", ETA \(Int($0.rounded(.up)))s" : nil } ?? ""
        let ttft = zip2(snapshot.ttftP50Ms, snapshot.ttftP99Ms).map { p50, p99 in
            ", TTFT p50 \(CSVFormat.number(p50, digits: 1)) p99 \(CSVFormat.number(p99, digits: 1)) ms"
        } ?? ""
        let tokens = ", \(CSVFormat.number(snapshot.tokensPerSecond, digits: 0)) tok/s"
        func bar(_ width: Int) -> String {
            guard let fraction else { return "" }
            let percent = " " + CSVFormat.number(fraction * 100, digits: 0) + "%"
            guard width > 0 else { return percent }
            let filled = Int((fraction * Double(width)).rounded(.down))
            return " [" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "]" + percent
        }
        // Parts in the order they are dropped to fit.
        var optional = [warmup, eta, ttft, tokens]
        func compose(_ barWidth: Int) -> String {
            snapshot.level + bar(barWidth) + counts + optional[0] + optional[1] + optional[2] + optional[3]
        }
        guard let width else { return compose(barWidth) }
        let room = max(width - 1, 1)
        for drop in [3, 2, 1, 0] where compose(barWidth).count > room { optional[drop] = "" }
        var shrunk = barWidth
        while compose(shrunk).count > room && shrunk > 0 { shrunk -= 1 }
        return String(compose(shrunk).prefix(room))
    }
}
