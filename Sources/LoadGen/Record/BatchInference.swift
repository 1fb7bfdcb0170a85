/// Which requests a server prefilled together, read from its own figures: SambaNova's usage gives each request's
/// `start_time` and `time_to_first_token`. Requests whose prefill intervals `[start, start + ttft]` overlap and
/// whose first tokens came out at the same moment (within the tolerance) were one batch.
public enum BatchInference {
    /// One request's prefill as the server reported it, in seconds (start on the epoch).
    public struct Prefill: Sendable, Equatable {
        public var start: Double
        public var ttft: Double

        public init(start: Double, ttft: Double) {
            self.start = start
            self.ttft = ttft
        }

        var firstToken: Double { start + ttft }
    }

    /// First tokens this close belong to one batch: 2 ms, or 5% of the batch's TTFT when that is more (the
    /// server's clock and its writes add jitter to the figures it reports).
    public static func tolerance(ttft: Double) -> Double { max(0.002, 0.05 * ttft) }

    static func usable(_ prefill: Prefill) -> Bool { prefill.start.isFinite && prefill.ttft.isFinite && prefill.ttft >= 0 }

    /// The size of each batch, in the order their first tokens came out.
    public static func batchSizes(_ prefills: [Prefill]) -> [Int] {
        var sizes = [Int]()
        _ = walk(prefills.filter(usable).sorted { $0.firstToken < $1.firstToken }, before: .infinity) { sizes.append($0) }
        return sizes
    }

    /// Walks prefills sorted by first token, batch by batch: a prefill joins the batch whose first first token
    /// (the anchor) came out within the tolerance before its own, if it started before that anchor's first token;
    /// otherwise it is the next batch's anchor. Stops at the first batch whose members could still arrive after
    /// `watermark` (its anchor's first token plus the tolerance is not before it) and returns how many it took.
    static func walk(_ sorted: [Prefill], before watermark: Double, _ batch: (Int) -> Void) -> Int {
        var index = 0
        while index < sorted.count {
            let anchor = sorted[index]
            let reach = tolerance(ttft: anchor.ttft)
            guard anchor.firstToken + reach < watermark else { break }
            var next = index + 1
            while next < sorted.count, sorted[next].firstToken - anchor.firstToken <= reach,
                  sorted[next].start < anchor.firstToken {
                next += 1
            }
            batch(next - index)
            index = next
        }
        return index
    }

    /// The batch sizes of a level, counted as its records arrive in memory that does not grow with the level: records
    /// arrive as requests end, and a request's first token came out at most its whole duration before its end, so a
    /// batch whose first tokens are all older than the newest first token seen less `horizonSeconds` (the longest a
    /// request can last) can gain no member and is counted; only the last horizon's prefills are held. With a total
    /// timeout the horizon is that timeout plus 10 s, and the counts are exactly `batchSizes` of every prefill.
    public struct Tally: Sendable, Equatable {
        /// Batches by size.
        public private(set) var counts: [Int: Int] = [:]
        /// Prefills added (those with both figures usable).
        public private(set) var prefills = 0
        public var horizonSeconds: Double
        private var pending: [Prefill] = []
        private var newestFirstToken = -Double.infinity
        private var foldAt: Int
        private let smallestFold: Int

        public init(horizonSeconds: Double = 600, foldAt: Int = 4096) {
            self.horizonSeconds = horizonSeconds
            self.foldAt = foldAt
            smallestFold = foldAt
        }

        public mutating func add(_ prefill: Prefill) {
            guard BatchInference.usable(prefill) else { return }
            prefills += 1
            pending.append(prefill)
            newestFirstToken = max(newestFirstToken, prefill.firstToken)
            if pending.count >= foldAt {
                fold(before: newestFirstToken - horizonSeconds)
                foldAt = max(smallestFold, 2 * pending.count)
            }
        }

        /// Counts every batch still held (the level has ended).
        public mutating func finish() { fold(before: .infinity) }

        /// Prefills held (for tests: the last horizon's, not the level's).
        public var held: Int { pending.count }

        private mutating func fold(before watermark: Double) {
            pending.sort { $0.firstToken < $1.firstToken }
            var counted = counts
            let taken = BatchInference.walk(pending, before: watermark) { counted[$0, default: 0] += 1 }
            counts = counted
            pending.removeFirst(taken)
        }

        /// The counts with every batch still held counted too.
        public var finishedCounts: [Int: Int] {
            guard !pending.isEmpty else { return counts }
            var finished = self
            finished.finish()
            return finished.counts
        }

        /// Batches, the mean and median requests per batch and the largest batch (nil without a batch).
        public var figures: (batches: Int, mean: Double, median: Int, largest: Int)? {
            let counts = finishedCounts
            let batches = counts.values.reduce(0, +)
            guard batches > 0 else { return nil }
            let requests = counts.reduce(0) { $0 + $1.key * $1.value }
            // The median as the sorted sizes' element (n - 1) / 2.
            var rank = (batches - 1) / 2
            var median = 0
            for size in counts.keys.sorted() {
                if rank < counts[size]! { median = size; break }
                rank -= counts[size]!
            }
            return (batches, Double(requests) / Double(batches), median, counts.keys.max()!)
        }

        /// Every batch's size, smallest first (the counts as a list; not in time order).
        public var sizes: [Int] {
            let counts = finishedCounts
            return counts.keys.sorted().flatMap { size in Array(repeating: size, count: counts[size]!) }
        }

        public static func == (a: Tally, b: Tally) -> Bool {
            a.counts == b.counts && a.prefills == b.prefills && a.pending == b.pending
        }
    }
}
