import BenchSupport
import LoadGen
import Testing

/// The batch sizes counted as records arrive (`BatchInference.Tally`) are exactly those of every prefill at once,
/// while only the last horizon's prefills are held.
@Suite struct BatchTallyTests {
    /// Prefills in batches of 1 to 6 with first tokens within the tolerance, batches 10-40 ms apart, each request
    /// ending up to 5 s after its first token; fed in the order the requests end.
    static func prefills(count: Int, seed: UInt64) -> [(prefill: BatchInference.Prefill, endsAt: Double)] {
        var random = SplitMix64(seed: seed)
        var out: [(BatchInference.Prefill, Double)] = []
        var clock = 1_000.0
        while out.count < count {
            let size = Int(random.next() % 6) + 1
            let ttft = 0.05 + Double(random.next() % 1000) / 10_000
            let start = clock
            for _ in 0..<size {
                let jitter = Double(random.next() % 1000) / 1_000_000  // under 1 ms: inside the 2 ms tolerance
                let prefill = BatchInference.Prefill(start: start + jitter / 2, ttft: ttft + jitter / 2)
                out.append((prefill, prefill.start + prefill.ttft + Double(random.next() % 5000) / 1000))
            }
            clock += 0.01 + Double(random.next() % 30) / 1000
        }
        return out.sorted { $0.1 < $1.1 }
    }

    @Test(arguments: [UInt64(1), 2, 3]) func countedAsTheyArriveTheBatchesAreThoseOfAllAtOnce(seed: UInt64) throws {
        let fed = Self.prefills(count: 20_000, seed: seed)
        var tally = BatchInference.Tally(horizonSeconds: 6, foldAt: 64)
        var mostHeld = 0
        for (prefill, _) in fed {
            tally.add(prefill)
            mostHeld = max(mostHeld, tally.held)
        }
        let whole = BatchInference.batchSizes(fed.map(\.prefill))
        #expect(tally.sizes == whole.sorted())
        #expect(tally.prefills == fed.count)
        // 20,000 prefills over about 120 s: the tally held at most a few horizons' worth (6 s is about 1,000).
        #expect(mostHeld < 5_000, "held \(mostHeld)")
        let figures = try #require(tally.figures)
        #expect(figures.batches == whole.count)
        #expect(figures.largest == whole.max())
        #expect(figures.median == whole.sorted()[(whole.count - 1) / 2])
        #expect(abs(figures.mean - Double(whole.reduce(0, +)) / Double(whole.count)) < 1e-12)
    }

    /// A horizon shorter than the requests last is the one way to count a batch too early: the test above would
    /// fail with it, so it checks something.
    @Test func aHorizonShorterThanTheRequestsSplitsBatches() {
        let fed = Self.prefills(count: 5_000, seed: 9)
        var tally = BatchInference.Tally(horizonSeconds: 0.001, foldAt: 16)
        for (prefill, _) in fed { tally.add(prefill) }
        #expect(tally.sizes != BatchInference.batchSizes(fed.map(\.prefill)).sorted())
    }
}
