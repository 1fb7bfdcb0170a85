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

    /// The size of each batch, in the order their first tokens came out.
    public static func batchSizes(_ prefills: [Prefill]) -> [Int] {
        let sorted = prefills.filter { $0.start.isFinite && $0.ttft.isFinite && $0.ttft >= 0 }
            .sorted { $0.firstToken < $1.firstToken }
        var sizes = [Int]()
        var anchor: Prefill?
        for prefill in sorted {
            if let first = anchor, prefill.firstToken - first.firstToken <= tolerance(ttft: first.ttft),
               prefill.start < first.firstToken {
                sizes[sizes.count - 1] += 1
            } else {
                anchor = prefill
                sizes.append(1)
            }
        }
        return sizes
    }
}
