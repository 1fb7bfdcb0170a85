import Testing
@testable import Metrics

/// Each self-health rule held with exact inputs, at and either side of its thresholds.
@Suite struct SelfHealthRulesTests {
    func evidence(sent: Int = 96, late: Int = 0, open: Bool = false, busy: Double? = nil, seconds: Double = 10) -> SelfHealth.Evidence {
        SelfHealth.Evidence(level: "c8", openLoop: open, sent: sent, late: late, latenessP99Ms: late > 0 ? 2.5 : 0.1,
                            transportBusy: busy, transportCPU: nil, levelSeconds: seconds)
    }

    @Test func lateRequestsNeedBothACountAndAShare() {
        let rules = SelfHealth()
        // The demo's case that used to warn: one request of 96 out 2.8 ms late.
        #expect(rules.warnings(evidence(late: 1)).isEmpty)
        // 4 of 20 is 20% but under the count; 5 of 20 fires; 5 of 101 is under 5%; 5 of 100 is exactly 5% and fires.
        #expect(rules.warnings(evidence(sent: 20, late: 4)).isEmpty)
        #expect(rules.warnings(evidence(sent: 20, late: 5)).map(\.rule) == [.lateRequests])
        #expect(rules.warnings(evidence(sent: 101, late: 5)).isEmpty)
        #expect(rules.warnings(evidence(sent: 100, late: 5)).map(\.rule) == [.lateRequests])
        #expect(rules.warnings(evidence(sent: 0, late: 0)).isEmpty)
        let warning = rules.warnings(evidence(sent: 100, late: 5))[0]
        #expect(warning.figure == "late_requests 5 of 100 (5%) sent over 1 ms after their virtual user was free, lateness p99 2.5 ms")
        #expect(warning.threshold == "at least 5 requests and 5% of those sent")
        #expect(warning.advice.contains("sambabench calibrate"))
    }

    @Test func transportBusyMustBeSustained() {
        let rules = SelfHealth()
        #expect(rules.warnings(evidence(busy: 0.8)).isEmpty)
        #expect(rules.warnings(evidence(busy: 0.81)).map(\.rule) == [.transportBusy])
        // Saturated, but for under 2 s: a blip.
        #expect(rules.warnings(evidence(busy: 0.95, seconds: 1.99)).isEmpty)
        #expect(rules.warnings(evidence(busy: 0.95, seconds: 2)).map(\.rule) == [.transportBusy])
        #expect(rules.transport(level: "c8", busy: 0.95, cpu: 0.5, seconds: 4)?.figure
                == "transport_busy_fraction 95% over 4 s, on a CPU 50% of it")
        #expect(rules.transport(level: "c8", busy: nil, cpu: nil, seconds: 4) == nil)
    }

    @Test func bothRulesFireTogetherAndThresholdsAreSettings() {
        var rules = SelfHealth()
        #expect(rules.warnings(evidence(sent: 20, late: 10, busy: 0.9)).map(\.rule) == [.lateRequests, .transportBusy])
        rules.minimumLate = 1
        rules.minimumLateShare = 0.01
        #expect(rules.warnings(evidence(late: 1)).map(\.rule) == [.lateRequests])
        #expect(rules.warnings(evidence(late: 1)).first?.threshold == "at least 1 requests and 1% of those sent")
    }
}

/// The analyst's lines from exact level figures.
@Suite struct ReportAnalysisTests {
    func point(_ name: String, _ load: Double, _ throughput: Double?, ttft: Double? = 200, failed: Int = 0) -> ReportAnalysis.Point {
        ReportAnalysis.Point(name: name, load: load, throughput: throughput, ttftP50: ttft, ttftP99: ttft.map { $0 * 1.1 },
                             requests: 64, failed: failed)
    }

    @Test func theKneeIsTheFirstLevelWithin90PercentOfTheHighestWithQueueingAfterIt() throws {
        let sweep = [point("c1", 1, 400), point("c2", 2, 750), point("c4", 4, 1360), point("c8", 8, 2000),
                     point("c16", 16, 2040, ttft: 1130), point("c32", 32, 1800, ttft: 2990)]
        let knee = try #require(ReportAnalysis.knee(sweep.reversed()))
        #expect(knee.level?.name == "c8" && knee.highest.name == "c16" && knee.last.name == "c32" && knee.queueing)
        #expect(ReportAnalysis.kneeSentence(knee, loadLabel: "concurrency")
                == "**Knee at c8**: its output throughput (2000 tokens/s) is 98% of the highest (2040 tokens/s at c16); from "
                + "there to c32, 4x the concurrency bought -10% throughput while TTFT p50 went from 200 ms to 2990 ms. Past the "
                + "knee, more load mostly adds queueing.")
        // 1836 is exactly 90% of 2040: c4 at 1836 would be the knee.
        #expect(ReportAnalysis.knee([point("c4", 4, 1836), point("c8", 8, 2040), point("c16", 16, 2040, ttft: 900)])?.level?.name == "c4")
        #expect(ReportAnalysis.knee([point("c4", 4, 1835), point("c8", 8, 2040), point("c16", 16, 2040, ttft: 900)])?.level?.name == "c8")
    }

    @Test func noKneeWhileThroughputStillRisesOrWithoutQueueing() throws {
        let rising = try #require(ReportAnalysis.knee([point("c1", 1, 400), point("c2", 2, 800), point("c4", 4, 1600)]))
        #expect(rising.level == nil)
        #expect(ReportAnalysis.kneeSentence(rising, loadLabel: "concurrency").hasPrefix("No knee within the levels tried"))
        // Flat throughput with a flat TTFT (a noisy open loop): not a queueing knee.
        let flat = try #require(ReportAnalysis.knee([point("r2", 2, 660, ttft: 150), point("r4", 4, 860, ttft: 150),
                                                     point("r8", 8, 700, ttft: 150)]))
        #expect(flat.level?.name == "r4" && !flat.queueing)
        #expect(ReportAnalysis.kneeSentence(flat, loadLabel: "offered rate").contains("so this is no queueing knee"))
        // Under three levels with a throughput: nothing to say.
        #expect(ReportAnalysis.knee([point("c1", 1, 400), point("c2", 2, nil), point("c4", 4, 900)]) == nil)
    }

    @Test func levelByLevelChanges() {
        #expect(ReportAnalysis.changes([point("c2", 2, 750, ttft: 200), point("c1", 1, 400, ttft: 200),
                                        point("c4", 4, 1200, ttft: 300, failed: 2)]) == [
            "c2 against c1: TTFT p50 200 ms → 200 ms (0%), p99 220 ms → 220 ms, throughput 400 → 750 tokens/s (+88%), no errors.",
            "c4 against c2: TTFT p50 200 ms → 300 ms (+50%), p99 220 ms → 330 ms, throughput 750 → 1200 tokens/s (+60%), errors 0 → 2 of 64.",
        ])
    }
}
