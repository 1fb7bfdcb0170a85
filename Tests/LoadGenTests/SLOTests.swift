import Testing
@testable import LoadGen

@Suite struct SLOTests {
    let metrics = ["ttft_ms", "decode_tps", "e2e_ms"]

    @Test func parsesEveryForm() throws {
        #expect(try SLO.parse("p99 ttft_ms < 500", metrics: metrics).get()
                == SLO(statistic: .percentile(99), metric: "ttft_ms", comparison: .below, threshold: 500))
        #expect(try SLO.parse("p99.9 e2e_ms <= 2000", metrics: metrics).get().statistic == .percentile(99.9))
        #expect(try SLO.parse("mean decode_tps >= 100", metrics: metrics).get().comparison == .atLeast)
        #expect(try SLO.parse("error_rate < 0.01", metrics: metrics).get()
                == SLO(statistic: .value, metric: "error_rate", comparison: .below, threshold: 0.01))
        #expect(SLO(statistic: .percentile(99), metric: "ttft_ms", comparison: .below, threshold: 500).description == "p99 ttft_ms < 500")
    }

    @Test func rejectsWithAReason() {
        func reason(_ text: String) -> String {
            if case .failure(let error) = SLO.parse(text, metrics: metrics) { return error.message }
            return "parsed"
        }
        #expect(reason("p99 ttft < 500").hasPrefix("unknown metric 'ttft'"))
        #expect(reason("q99 ttft_ms < 500") == "'q99' is not a statistic: p50, p90, p99, p99.9, mean, min or max")
        #expect(reason("p99 ttft_ms = 500") == "'=' is not a comparison: <, <=, > or >=")
        #expect(reason("p99 ttft_ms < soon") == "'soon' is not a number")
        #expect(reason("ttft_ms < 5").hasPrefix("'ttft_ms' needs a statistic"))
        #expect(reason("fast").hasPrefix("write it as"))
    }

    /// Drives a search against a pretend server that meets the SLOs up to `capacity`.
    func search(capacity: Double, settings: SLOSearchSettings, integral: Bool) -> SLOSearch {
        var search = SLOSearch(settings: settings, integral: integral)
        while let load = search.next() { search.record(load: load, met: load <= capacity) }
        return search
    }

    @Test func bracketsThenBisectsToTheCapacity() {
        let result = search(capacity: 13, settings: SLOSearchSettings(start: 1, max: 256, budget: 10, resolution: 1), integral: true)
        #expect(result.tried.map(\.load) == [1, 2, 4, 8, 16, 12, 14, 13])
        #expect(result.answer == 13)
    }

    @Test func stopsAtTheMaximumWhenEverythingPasses() {
        let result = search(capacity: 1000, settings: SLOSearchSettings(start: 1, max: 20, budget: 10, resolution: 1), integral: true)
        #expect(result.tried.map(\.load) == [1, 2, 4, 8, 16, 20])
        #expect(result.answer == 20)
    }

    @Test func nothingMeetsTheSLOs() {
        let result = search(capacity: 0, settings: SLOSearchSettings(start: 1, max: 64, budget: 10, resolution: 1), integral: true)
        #expect(result.tried.map(\.load) == [1])
        #expect(result.answer == nil)
    }

    @Test func budgetBoundsTheLevels() {
        let result = search(capacity: 13, settings: SLOSearchSettings(start: 1, max: 256, budget: 6, resolution: 1), integral: true)
        #expect(result.tried.count == 6)
        #expect(result.answer == 12)
    }

    @Test func ratesBisectOnTheResolutionGrid() {
        let result = search(capacity: 37.3, settings: SLOSearchSettings(start: 5, max: 200, budget: 12, resolution: 0.5), integral: false)
        #expect(result.tried.map(\.load) == [5, 10, 20, 40, 30, 35, 37.5, 36.5, 37])
        #expect(abs(result.answer! - 37.3) <= 0.5)
    }
}
