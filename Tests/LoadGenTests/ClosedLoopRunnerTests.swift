import Synchronization
import Testing
@testable import LoadGen
import LoadGenTesting

final class RecordBox: Sendable {
    private let records = Mutex<[RequestRecord]>([])
    func add(_ record: RequestRecord) { records.withLock { $0.append(record) } }
    var all: [RequestRecord] { records.withLock { $0 } }
}

/// Closed loops on a scripted transport and a manual clock: exact times, no server, no sleeps.
@Suite struct ClosedLoopRunnerTests {
    /// 20 tokens: the first chunk at 20 ms, four more 10 ms apart, the end 1 ms later: 61 ms a request.
    static let twenty = answer(ttftNs: 20_000_000, tokens: 20)

    func plan(concurrency: Int, requests: Int?, duration: Int64? = nil, warmup: Int = 0, drain: Int64 = 10_000_000_000) -> LevelPlan {
        LevelPlan(index: 3, name: "c\(concurrency)", load: .concurrency(concurrency), requests: requests, durationNs: duration,
                  warmup: warmup, drainTimeoutNs: drain)
    }

    @Test func requestCountWithWarmupAndAtMostNInFlight() async throws {
        let box = RecordBox()
        let executor = scriptedExecutor { _, _ in Self.twenty }
        let result = try await Simulation.run(clock: executor.transport.clock) {
            await ClosedLoopRunner(executor: executor).run(plan(concurrency: 4, requests: 10, warmup: 2), firstSeq: 100) { box.add($0) }
        }
        let records = box.all.sorted { $0.seq < $1.seq }
        #expect(records.map(\.seq) == Array(100..<112))
        #expect(records.filter(\.warmup).map(\.seq) == [100, 101])
        #expect(records.allSatisfy { $0.errorClass == nil && $0.level == 3 && $0.levelName == "c4" && $0.outputTokens == 20 })
        #expect(result.warmupDispatched == 2 && result.measuredDispatched == 10 && result.stopReason == "requests")
        // Four users start at 0 (two warm-up, two measured), again at 61 ms, and two of them at 122 ms.
        #expect(records.map(\.sentNs) == [0, 0, 0, 0, 61_000_000, 61_000_000, 61_000_000, 61_000_000,
                                            122_000_000, 122_000_000, 122_000_000, 122_000_000])
        // The window opens at the first measured dispatch and closes at the last one.
        #expect(result.windowStartNs == 0 && result.windowEndNs == 122_000_000)
        // Never more than four requests between sent and end at once.
        for record in records {
            #expect(records.filter { $0.sentNs <= record.sentNs && $0.endNs > record.sentNs }.count <= 4)
        }
        // A virtual user sends the moment it is free.
        #expect(records.allSatisfy { $0.scheduledNs == $0.sentNs })
    }

    @Test func durationEndsTheWindow() async throws {
        let box = RecordBox()
        let executor = scriptedExecutor { _, _ in Self.twenty }
        let result = try await Simulation.run(clock: executor.transport.clock) {
            await ClosedLoopRunner(executor: executor).run(plan(concurrency: 2, requests: nil, duration: 300_000_000), firstSeq: 0) { box.add($0) }
        }
        #expect(result.stopReason == "duration")
        #expect(result.windowStartNs == 0 && result.windowEndNs == 300_000_000)
        // Each user sends at 0, 61, 122, 183 and 244 ms; the next at 305 ms is past the window.
        #expect(result.measuredDispatched == 10 && box.all.count == 10)
        #expect(box.all.allSatisfy { $0.scheduledNs < result.windowEndNs })
    }

    @Test func thinkTimeSpacesAUsersRequests() async throws {
        let box = RecordBox()
        let executor = scriptedExecutor { _, _ in Self.twenty }
        var plan = plan(concurrency: 1, requests: 3)
        plan.thinkTimeNs = 500_000_000
        _ = try await Simulation.run(clock: executor.transport.clock) { [plan] in
            await ClosedLoopRunner(executor: executor).run(plan, firstSeq: 0) { box.add($0) }
        }
        #expect(box.all.map(\.sentNs) == [0, 561_000_000, 1_122_000_000])
    }

    @Test func drainStartsWhenTheCountStopsDispatchingEvenWithALongDuration() async throws {
        let box = RecordBox()
        let executor = scriptedExecutor { _, _ in answer(ttftNs: 10_000_000_000) }
        let result = try await Simulation.run(clock: executor.transport.clock) {
            await ClosedLoopRunner(executor: executor)
                .run(plan(concurrency: 2, requests: 2, duration: 600_000_000_000, drain: 200_000_000), firstSeq: 0) { box.add($0) }
        }
        #expect(result.stopReason == "requests")
        // The drain began with the last dispatch at 0: both are cancelled at 200 ms, not after the 10-minute duration.
        #expect(box.all.count == 2 && box.all.allSatisfy { $0.errorClass == .cancelled && $0.endNs == 200_000_000 })
        #expect(result.endNs == 200_000_000)
    }

    /// Users reach the dispatcher's lock out of order: a time earlier than the level's start is no reason for a
    /// warm-up ticket when the level has no warm-up.
    @Test func outOfOrderTimesMakeNoWarmupWithoutWarmup() {
        let dispatcher = LevelDispatcher(plan: plan(concurrency: 2, requests: 3), firstSeq: 0)
        #expect(dispatcher.next(now: 100) == .init(seq: 0, warmup: false))
        #expect(dispatcher.next(now: 50) == .init(seq: 1, warmup: false))
        #expect(dispatcher.next(now: 120) == .init(seq: 2, warmup: false))
        #expect(dispatcher.next(now: 130) == nil)
        let result = dispatcher.result(endNs: 200)
        #expect(result.warmupDispatched == 0 && result.measuredDispatched == 3)
    }

    @Test func aWindowThatNeverOpenedIsEmpty() {
        let dispatcher = LevelDispatcher(plan: plan(concurrency: 1, requests: 5, warmup: 3), firstSeq: 0)
        #expect(dispatcher.next(now: 100)?.warmup == true)
        dispatcher.stop("cancelled", now: 900)
        let result = dispatcher.result(endNs: 1_000)
        #expect(result.windowSeconds == 0)
        #expect(result.warmupDispatched == 1 && result.measuredDispatched == 0)
    }

    @Test func drainTimeoutCancelsWhatIsStillRunning() async throws {
        let box = RecordBox()
        let executor = scriptedExecutor { _, _ in answer(ttftNs: 10_000_000_000) }
        let result = try await Simulation.run(clock: executor.transport.clock) {
            await ClosedLoopRunner(executor: executor).run(plan(concurrency: 2, requests: 2, drain: 200_000_000), firstSeq: 0) { box.add($0) }
        }
        #expect(box.all.count == 2)
        #expect(box.all.allSatisfy { $0.errorClass == .cancelled && $0.endNs == 200_000_000 })
        #expect(result.measuredDispatched == 2)
    }
}
