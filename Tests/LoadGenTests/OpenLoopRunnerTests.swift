import Testing
@testable import LoadGen
import MockServer

@Suite(.serialized) struct OpenLoopRunnerTests {
    func plan(rate: Double, requests: Int?, duration: Int64? = nil, arrival: ArrivalProcess = .constant, cap: Int = 1024,
              drop: Bool = false) -> LevelPlan {
        LevelPlan(index: 0, name: "r\(Int(rate))", load: .rate(rate), requests: requests, durationNs: duration,
                  drainTimeoutNs: 5_000_000_000, arrival: arrival, maxInFlight: cap, dropAtCap: drop)
    }

    @Test func constantRateKeepsItsScheduleWhateverTheServerDoes() async throws {
        let box = RecordBox()
        let result = try await withMock(MockProfile(ttftNs: 150_000_000, outputTokens: 8...8)) { server, transport in
            await OpenLoopRunner(executor: chatExecutor(transport, baseURL: server.baseURL))
                .run(plan(rate: 50, requests: 20), firstSeq: 0) { box.add($0) }
        }
        let records = box.all.sorted { $0.seq < $1.seq }
        #expect(records.count == 20)
        #expect(records.allSatisfy { $0.errorClass == nil })
        // Intended starts exactly 20 ms apart although each request takes over 150 ms (several overlap).
        let scheduled = records.map(\.scheduledNs)
        #expect(zip(scheduled.dropFirst(), scheduled).allSatisfy { $0 - $1 == 20_000_000 })
        #expect(result.stopReason == "requests")
        #expect(result.windowEndNs - result.windowStartNs == 19 * 20_000_000)
        // Requests start close to plan (generous bound: a debug build on a shared machine).
        #expect(records.allSatisfy { $0.sentNs - $0.scheduledNs < 20_000_000 })
    }

    @Test func atTheCapArrivalsAreDropped() async throws {
        let box = RecordBox()
        _ = try await withMock(MockProfile(ttftNs: 400_000_000, outputTokens: 4...4)) { server, transport in
            await OpenLoopRunner(executor: chatExecutor(transport, baseURL: server.baseURL))
                .run(plan(rate: 100, requests: 10, cap: 2, drop: true), firstSeq: 0) { box.add($0) }
        }
        let records = box.all
        #expect(records.count == 10)
        #expect(records.filter { $0.errorClass == nil }.count == 2)
        let dropped = records.filter { $0.errorClass == .dropped }
        #expect(dropped.count == 8)
        #expect(dropped.allSatisfy { $0.status == 0 && $0.errorMessage?.contains("2 requests already in flight") == true })
    }

    @Test func atTheCapArrivalsWaitAndStartLate() async throws {
        let box = RecordBox()
        _ = try await withMock(MockProfile(ttftNs: 50_000_000, outputTokens: 4...4)) { server, transport in
            await OpenLoopRunner(executor: chatExecutor(transport, baseURL: server.baseURL))
                .run(plan(rate: 100, requests: 4, cap: 1), firstSeq: 0) { box.add($0) }
        }
        let records = box.all.sorted { $0.seq < $1.seq }
        #expect(records.count == 4 && records.allSatisfy { $0.errorClass == nil })
        // One at a time, each about 50 ms, on a 10 ms schedule: the fourth starts at least ~120 ms late.
        let lateness = records.map { Double($0.sentNs - $0.scheduledNs) / 1e6 }
        #expect(lateness[3] > 120)
        #expect(zip(records.dropFirst(), records).allSatisfy { $0.sentNs >= $1.endNs })
    }

    @Test func durationStopsAPoissonLevel() async throws {
        let box = RecordBox()
        let result = try await withMock(MockProfile(ttftNs: 5_000_000, outputTokens: 4...4)) { server, transport in
            await OpenLoopRunner(executor: chatExecutor(transport, baseURL: server.baseURL))
                .run(plan(rate: 200, requests: nil, duration: 500_000_000, arrival: .poisson), firstSeq: 0) { box.add($0) }
        }
        #expect(result.stopReason == "duration")
        #expect(result.windowEndNs - result.windowStartNs == 500_000_000)
        // About 100 arrivals (Poisson: 100 +- 4 standard deviations).
        #expect((60...140).contains(box.all.count))
        #expect(box.all.allSatisfy { $0.scheduledNs < result.windowEndNs })
    }
}
