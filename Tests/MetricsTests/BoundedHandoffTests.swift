import Foundation
import Testing
@testable import Metrics

/// The bounded queues between the load and the recorder: nothing lost, nothing reordered per producer, never more
/// than the capacity held, and no producer left waiting once the queue is finished.
@Suite struct BoundedHandoffTests {
    struct Item: Sendable, Equatable {
        var producer: Int
        var sequence: Int
    }

    @Test func everyItemArrivesInEachProducersOrderAndTheQueueStaysWithinItsCapacity() async throws {
        let queue = BoundedHandoff<Item>(capacity: 8, wakeBatch: 4)
        let producers = 4, each = 5_000
        // The consumer thread keeps what it saw; the test checks it once the thread has ended.
        let seen = Seen(producers: producers)
        let consumer = ThreadCompletion.start(name: "test consumer") {
            var batch = [Item]()
            while queue.take(into: &batch) { seen.add(batch) }
        }
        let done = DispatchGroup()
        for producer in 0..<producers {
            done.enter()
            Thread {
                for sequence in 0..<each { queue.put(Item(producer: producer, sequence: sequence)) }
                done.leave()
            }.start()
        }
        done.wait()
        queue.finish()
        try await consumer.wait()
        #expect(seen.outOfOrder == 0)
        #expect(seen.largestBatch <= 8)
        #expect(seen.received == producers * each)
        #expect(seen.next == [Int](repeating: each, count: producers))
        #expect(queue.backlog.largest <= 8)
        #expect(queue.backlog.largest >= 1)
    }

    @Test func finishingReleasesAProducerWaitingForRoomAndDropsWhatComesAfter() async throws {
        let queue = BoundedHandoff<Int>(capacity: 1)
        queue.put(1)
        let returned = DispatchSemaphore(value: 0)
        Thread {
            queue.put(2)  // the queue is full and nothing consumes: this waits until finish()
            returned.signal()
        }.start()
        queue.finish()
        returned.wait()
        queue.put(3)
        var batch = [Int]()
        #expect(queue.take(into: &batch))
        #expect(batch == [1])
        #expect(!queue.take(into: &batch))
        #expect(batch.isEmpty)
    }

    struct WriteFailed: Error {}

    @Test func aConsumerThatFailsStillEmptiesItsQueueAndReportsTheFirstError() async throws {
        let queue = BoundedHandoff<Int>(capacity: 2)
        let handled = Counter()
        let consumer = ThreadCompletion.start(name: "failing consumer") {
            try RunFilesSink.drain(queue) { item in
                handled.add()
                if item == 3 { throw WriteFailed() }
            }
        }
        // 100 items through a queue of 2: the producer would wait forever if the consumer stopped at the error.
        for item in 1...100 { queue.put(item) }
        queue.finish()
        await #expect(throws: WriteFailed.self) { try await consumer.wait() }
        #expect(handled.value == 3)
    }

    final class Seen: @unchecked Sendable {
        private(set) var next: [Int]
        private(set) var received = 0
        private(set) var outOfOrder = 0
        private(set) var largestBatch = 0
        init(producers: Int) { next = [Int](repeating: 0, count: producers) }
        func add(_ batch: [Item]) {
            largestBatch = max(largestBatch, batch.count)
            for item in batch {
                if item.sequence != next[item.producer] { outOfOrder += 1 }
                next[item.producer] = item.sequence + 1
                received += 1
            }
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }
}
