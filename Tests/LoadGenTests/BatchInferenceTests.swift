import Testing
@testable import LoadGen

/// Batches read from the server's start times and TTFTs, with exact numbers.
@Suite struct BatchInferenceTests {
    typealias Prefill = BatchInference.Prefill

    @Test func sharedFirstTokensWithOverlappingPrefillsAreOneBatch() {
        // Three requests prefilled together from t = 10 s (TTFT 50 ms), then two from 10.05 s: two batches.
        let prefills = [Prefill(start: 10.0, ttft: 0.050), Prefill(start: 10.0, ttft: 0.0505), Prefill(start: 10.0, ttft: 0.0495),
                        Prefill(start: 10.05, ttft: 0.050), Prefill(start: 10.05, ttft: 0.051)]
        #expect(BatchInference.batchSizes(prefills) == [3, 2])
        // The order they arrive in does not matter.
        #expect(BatchInference.batchSizes(prefills.reversed()) == [3, 2])
    }

    @Test func differentArrivalsSameFirstTokenAreOneBatch() {
        // A server whose start_time is each request's arrival: the later ones waited less, the first token is shared.
        let prefills = [Prefill(start: 5.000, ttft: 0.080), Prefill(start: 5.010, ttft: 0.070), Prefill(start: 5.025, ttft: 0.055)]
        #expect(BatchInference.batchSizes(prefills) == [3])
    }

    @Test func firstTokensApartOrPrefillsNotOverlappingAreSeparate() {
        // First tokens 3 ms apart with a 50 ms TTFT (tolerance 2.5 ms): two batches.
        #expect(BatchInference.batchSizes([Prefill(start: 1, ttft: 0.050), Prefill(start: 1.003, ttft: 0.050)]) == [1, 1])
        // The same first token, but the second request started after it: not prefilled together.
        #expect(BatchInference.batchSizes([Prefill(start: 1, ttft: 0.050), Prefill(start: 1.0505, ttft: 0)]) == [1, 1])
        #expect(BatchInference.tolerance(ttft: 0.010) == 0.002)
        #expect(abs(BatchInference.tolerance(ttft: 0.100) - 0.005) < 1e-12)
        #expect(BatchInference.batchSizes([]) == [])
    }
}
