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

    @Test func aWindowThatNeverOpenedIsEmpty() {
        let dispatcher = LevelDispatcher(plan: plan(concurrency: 1, requests: 5, warmup: 3), firstSeq: 0)
        #expect(dispatcher.next(now: 100)?.warmup == true)
        dispatcher.stop("cancelled", now: 900)
        let result = dispatcher.result(endNs: 1_000)
        #expect(result.windowSeconds == 0)
        #expect(result.warmupDispatched == 1 && result.measuredDispatched == 0)
    }

    /// Issue 14, item 8: users race to the lock, so a user free at 0.9 µs may take its ticket after one free at 1 µs.
    /// Without a warm-up it is measured like the other, and the level starts at the earlier time.
    @Test func aUserWhoseTimeIsEarlierThanTheFirstSeenIsNotWarmup() {
        let dispatcher = LevelDispatcher(plan: plan(concurrency: 2, requests: 3), firstSeq: 0)
        #expect(dispatcher.next(now: 1_000) == LevelDispatcher.Ticket(seq: 0, warmup: false))
        #expect(dispatcher.next(now: 900) == LevelDispatcher.Ticket(seq: 1, warmup: false))
        #expect(dispatcher.next(now: 950) == LevelDispatcher.Ticket(seq: 2, warmup: false))
        let result = dispatcher.result(endNs: 5_000)
        #expect(result.warmupDispatched == 0 && result.measuredDispatched == 3)
        #expect(result.startNs == 900 && result.windowStartNs == 900 && result.windowEndNs == 1_000)
    }

    /// A warm-up time counts from the earliest user's time, whichever order the users reach the lock in.
    @Test func aWarmupTimeCountsFromTheEarliestUser() {
        var plan = plan(concurrency: 3, requests: 2)
        plan.warmupNs = 50
        let dispatcher = LevelDispatcher(plan: plan, firstSeq: 0)
        #expect(dispatcher.next(now: 1_000)?.warmup == true)
        #expect(dispatcher.next(now: 900)?.warmup == true)
        #expect(dispatcher.next(now: 949)?.warmup == true)
        #expect(dispatcher.next(now: 950)?.warmup == false)
        #expect(dispatcher.next(now: 1_010)?.warmup == false)
        #expect(dispatcher.result(endNs: 2_000).startNs == 900)
    }

    /// Issue 14, item 9: four users, four requests: all go out at 0, so a window closing at the last dispatch would be
    /// empty. It runs to the last measured request's end (61 ms) instead, and throughput is the 80 tokens over it.
    @Test func noMoreRequestsThanUsersWindowRunsToTheLastEnd() async throws {
        let box = RecordBox()
        let executor = scriptedExecutor { _, _ in Self.twenty }
        let result = try await Simulation.run(clock: executor.transport.clock) {
            await ClosedLoopRunner(executor: executor).run(plan(concurrency: 4, requests: 4), firstSeq: 0) { box.add($0) }
        }
        #expect(box.all.count == 4 && box.all.allSatisfy { $0.sentNs == 0 && $0.endNs == 61_000_000 })
        #expect(result.stopReason == "requests" && result.windowToLastEnd)
        #expect(result.windowStartNs == 0 && result.windowEndNs == 61_000_000)
    }

    /// A level whose measured requests ended while others were still being dispatched keeps its window to the last
    /// dispatch.
    @Test func moreRequestsThanUsersWindowClosesAtTheLastDispatch() async throws {
        let executor = scriptedExecutor { _, _ in Self.twenty }
        let result = try await Simulation.run(clock: executor.transport.clock) {
            await ClosedLoopRunner(executor: executor).run(plan(concurrency: 4, requests: 5), firstSeq: 0) { _ in }
        }
        #expect(!result.windowToLastEnd && result.windowStartNs == 0 && result.windowEndNs == 61_000_000)
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
