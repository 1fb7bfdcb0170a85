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
