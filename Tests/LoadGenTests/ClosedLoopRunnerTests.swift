import Synchronization
import Testing
@testable import LoadGen
import MockServer

final class RecordBox: Sendable {
    private let records = Mutex<[RequestRecord]>([])
    func add(_ record: RequestRecord) { records.withLock { $0.append(record) } }
    var all: [RequestRecord] { records.withLock { $0 } }
}

@Suite(.serialized) struct ClosedLoopRunnerTests {
    let profile = MockProfile(ttftNs: 20_000_000, decodeTokensPerSecond: 2000, tokensPerChunk: 4...4, outputTokens: 20...20)

    func plan(concurrency: Int, requests: Int?, duration: Int64? = nil, warmup: Int = 0, drain: Int64 = 10_000_000_000) -> LevelPlan {
        LevelPlan(index: 3, name: "c\(concurrency)", load: .concurrency(concurrency), requests: requests, durationNs: duration,
                  warmup: warmup, drainTimeoutNs: drain)
    }

    @Test func requestCountWithWarmupAndAtMostNInFlight() async throws {
        let box = RecordBox()
        let result = try await withMock(profile) { server, transport in
            let runner = ClosedLoopRunner(executor: chatExecutor(transport, baseURL: server.baseURL))
            return await runner.run(plan(concurrency: 4, requests: 10, warmup: 2), firstSeq: 100) { box.add($0) }
        }
        let records = box.all.sorted { $0.seq < $1.seq }
        #expect(records.map(\.seq) == Array(100..<112))
        #expect(records.filter(\.warmup).map(\.seq) == [100, 101])
        #expect(records.allSatisfy { $0.errorClass == nil && $0.level == 3 && $0.levelName == "c4" })
        #expect(result.warmupDispatched == 2 && result.measuredDispatched == 10 && result.stopReason == "requests")
        // The window opens at the first measured dispatch and closes at the last one.
        let measured = records.filter { !$0.warmup }
        #expect(result.windowStartNs == measured.map(\.scheduledNs).min())
        #expect(result.windowEndNs == measured.map(\.scheduledNs).max())
        // Never more than four requests between sent and end at once.
        for record in records {
            let overlapping = records.filter { $0.sentNs <= record.sentNs && $0.endNs > record.sentNs }
            #expect(overlapping.count <= 4)
        }
        // A virtual user sends as soon as it is free: scheduled is at or before sent.
        #expect(records.allSatisfy { $0.scheduledNs <= $0.sentNs })
    }

    @Test func durationEndsTheWindow() async throws {
        let box = RecordBox()
        let result = try await withMock(profile) { server, transport in
            let runner = ClosedLoopRunner(executor: chatExecutor(transport, baseURL: server.baseURL))
            return await runner.run(plan(concurrency: 2, requests: nil, duration: 300_000_000), firstSeq: 0) { box.add($0) }
        }
        #expect(result.stopReason == "duration")
        #expect(result.windowEndNs - result.windowStartNs == 300_000_000)
        #expect(result.measuredDispatched == box.all.count)
        #expect(box.all.count >= 4)
        #expect(box.all.allSatisfy { $0.scheduledNs < result.windowEndNs })
    }

    @Test func drainStartsWhenTheCountStopsDispatchingEvenWithALongDuration() async throws {
        let box = RecordBox()
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await withMock(MockProfile(ttftNs: 10_000_000_000)) { server, transport in
            let runner = ClosedLoopRunner(executor: chatExecutor(transport, baseURL: server.baseURL))
            return await runner.run(plan(concurrency: 2, requests: 2, duration: 600_000_000_000, drain: 200_000_000),
                                    firstSeq: 0) { box.add($0) }
        }
        #expect(clock.now - started < .seconds(5))
        #expect(result.stopReason == "requests")
        #expect(box.all.count == 2 && box.all.allSatisfy { $0.errorClass == .cancelled })
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
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await withMock(MockProfile(ttftNs: 10_000_000_000)) { server, transport in
            let runner = ClosedLoopRunner(executor: chatExecutor(transport, baseURL: server.baseURL))
            return await runner.run(plan(concurrency: 2, requests: 2, drain: 200_000_000), firstSeq: 0) { box.add($0) }
        }
        #expect(clock.now - started < .seconds(5))
        #expect(box.all.count == 2)
        #expect(box.all.allSatisfy { $0.errorClass == .cancelled })
        #expect(result.measuredDispatched == 2)
    }
}
