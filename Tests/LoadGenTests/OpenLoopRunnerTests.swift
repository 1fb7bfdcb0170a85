import LoadGenTesting
import Testing
@testable import LoadGen

/// Open loops on a scripted transport and a manual clock: schedules, lateness and drops are exact.
@Suite struct OpenLoopRunnerTests {
    func plan(rate: Double, requests: Int?, duration: Int64? = nil, arrival: ArrivalProcess = .constant, cap: Int = 1024,
              drop: Bool = false) -> LevelPlan {
        LevelPlan(index: 0, name: "r\(Int(rate))", load: .rate(rate), requests: requests, durationNs: duration,
                  drainTimeoutNs: 5_000_000_000, arrival: arrival, maxInFlight: cap, dropAtCap: drop)
    }

    @Test func constantRateKeepsItsScheduleWhateverTheServerDoes() async throws {
        let box = RecordBox()
        let executor = scriptedExecutor { _, _ in answer(ttftNs: 150_000_000) }
        let result = try await Simulation.run(clock: executor.transport.clock) {
            await OpenLoopRunner(executor: executor).run(plan(rate: 50, requests: 20), firstSeq: 0) { box.add($0) }
        }
        let records = box.all.sorted { $0.seq < $1.seq }
        #expect(records.count == 20)
        #expect(records.allSatisfy { $0.errorClass == nil })
        // Intended starts exactly 20 ms apart although each request takes 161 ms (several overlap), and each starts
        // on time: nothing else runs on the virtual clock.
        #expect(records.map(\.scheduledNs) == (0..<20).map { Int64($0) * 20_000_000 })
        #expect(records.allSatisfy { $0.sentNs == $0.scheduledNs })
        #expect(result.stopReason == "requests")
        #expect(result.windowEndNs - result.windowStartNs == 19 * 20_000_000)
    }

    @Test func atTheCapArrivalsAreDropped() async throws {
        let box = RecordBox()
        let executor = scriptedExecutor { _, _ in answer(ttftNs: 400_000_000, tokens: 4) }
        _ = try await Simulation.run(clock: executor.transport.clock) {
            await OpenLoopRunner(executor: executor).run(plan(rate: 100, requests: 10, cap: 2, drop: true), firstSeq: 0) { box.add($0) }
        }
        let records = box.all.sorted { $0.seq < $1.seq }
        #expect(records.count == 10)
        // The first two hold both slots for 401 ms; the eight arrivals 10 ms apart behind them find none.
        #expect(records.map(\.errorClass) == [nil, nil] + Array(repeating: .dropped, count: 8))
        let dropped = records.filter { $0.errorClass == .dropped }
        #expect(dropped.allSatisfy { $0.status == 0 && $0.errorMessage?.contains("2 requests already in flight") == true })
        #expect(dropped.map(\.sentNs) == (2..<10).map { Int64($0) * 10_000_000 })
    }

    @Test func atTheCapArrivalsWaitAndStartLate() async throws {
        let box = RecordBox()
        let executor = scriptedExecutor { _, _ in answer(ttftNs: 50_000_000, tokens: 4) }
        _ = try await Simulation.run(clock: executor.transport.clock) {
            await OpenLoopRunner(executor: executor).run(plan(rate: 100, requests: 4, cap: 1), firstSeq: 0) { box.add($0) }
        }
        let records = box.all.sorted { $0.seq < $1.seq }
        #expect(records.count == 4 && records.allSatisfy { $0.errorClass == nil })
        // One at a time, 51 ms each, on a 10 ms schedule: each waits for the one before.
        #expect(records.map(\.sentNs) == [0, 51_000_000, 102_000_000, 153_000_000])
        #expect(records.map { $0.sentNs - $0.scheduledNs } == [0, 41_000_000, 82_000_000, 123_000_000])
    }

    @Test func durationStopsAPoissonLevel() async throws {
        let box = RecordBox()
        let executor = scriptedExecutor { _, _ in answer(ttftNs: 5_000_000, tokens: 4) }
        let plan = plan(rate: 200, requests: nil, duration: 500_000_000, arrival: .poisson)
        let result = try await Simulation.run(clock: executor.transport.clock) {
            await OpenLoopRunner(executor: executor).run(plan, firstSeq: 0) { box.add($0) }
        }
        #expect(result.stopReason == "duration")
        #expect(result.windowEndNs - result.windowStartNs == 500_000_000)
        // Exactly the pacer's arrivals inside the half second, each sent at its intended time.
        var pacer = plan.pacer()
        var expected: [Int64] = []
        while let next = pacer.next(), next.nanosecondsValue < 500_000_000 { expected.append(next.nanosecondsValue) }
        let records = box.all.sorted { $0.seq < $1.seq }
        #expect(records.map(\.scheduledNs) == expected)
        #expect((60...140).contains(records.count))
        #expect(records.allSatisfy { $0.sentNs == $0.scheduledNs })
    }
}
