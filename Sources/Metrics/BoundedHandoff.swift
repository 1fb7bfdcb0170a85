import Foundation

/// A bounded queue from any number of producer threads to one consumer thread of its own.
///
/// The run's records go to the files and to the aggregate through two of these. They are bounded so that a recorder
/// that falls behind the load holds the load back instead of queueing records without limit: at 15,000 requests/s of
/// 64-chunk records an unbounded queue grew the client by tens of MB in a minute. `put` blocks while the queue is
/// full, so the consumer must be a thread and not a task of the cooperative pool (the pool's threads may all be the
/// blocked producers). The time producers spent blocked is counted (`blockedNs`), so a run can say it was held back.
final class BoundedHandoff<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var finished = false
    private var consumerWaiting = false
    private var producersWaiting = 0
    private var largest = 0
    private var blocked: Int64 = 0
    let capacity: Int
    /// The consumer is woken when this many items wait (or on `put(_:urgent:)`), and otherwise every `pollNs`: one
    /// wake-up per item would cost more than the item.
    private let wakeBatch: Int

    init(capacity: Int, wakeBatch: Int = 32) {
        precondition(capacity > 0, "a handoff needs room for one item")
        self.capacity = capacity
        self.wakeBatch = min(wakeBatch, capacity)
        items.reserveCapacity(capacity)
    }

    /// Adds an item, waiting while the queue is full. Items put after `finish()` are dropped.
    func put(_ item: Element, urgent: Bool = false) {
        condition.lock()
        defer { condition.unlock() }
        if items.count >= capacity && !finished {
            let start = DispatchTime.now().uptimeNanoseconds
            producersWaiting += 1
            while items.count >= capacity && !finished { condition.wait() }
            producersWaiting -= 1
            blocked += Int64(DispatchTime.now().uptimeNanoseconds - start)
        }
        guard !finished else { return }
        items.append(item)
        largest = max(largest, items.count)
        if consumerWaiting && (urgent || items.count >= wakeBatch) { condition.broadcast() }
    }

    /// Moves every waiting item into `batch` (emptied first), waiting for at least one; false once the queue is
    /// finished and empty.
    func take(into batch: inout [Element]) -> Bool {
        batch.removeAll(keepingCapacity: true)
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !finished {
            consumerWaiting = true
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.01))
            consumerWaiting = false
        }
        if items.isEmpty { return false }
        swap(&items, &batch)
        if producersWaiting > 0 { condition.broadcast() }
        return true
    }

    /// No more items: the consumer drains what is queued and stops; blocked producers return.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The most items ever queued at once, and the nanoseconds producers spent waiting for room (summed over
    /// producers).
    var backlog: (largest: Int, blockedNs: Int64) {
        condition.lock()
        defer { condition.unlock() }
        return (largest, blocked)
    }
}

/// A consumer thread's end, awaited from async code: whichever of the thread's end and the wait comes second resumes.
final class ThreadCompletion: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?
    private var ended = false
    private var waiter: CheckedContinuation<Void, any Error>?

    /// Starts `body` on a thread of its own; `body`'s error is the one `wait()` throws.
    static func start(name: String, _ body: @escaping @Sendable () throws -> Void) -> ThreadCompletion {
        let completion = ThreadCompletion()
        let thread = Thread {
            var failure: (any Error)?
            do { try body() } catch { failure = error }
            completion.end(failure)
        }
        thread.name = name
        thread.start()
        return completion
    }

    private func end(_ failure: (any Error)?) {
        lock.lock()
        error = failure
        ended = true
        let waiting = waiter
        waiter = nil
        lock.unlock()
        if let waiting {
            if let failure { waiting.resume(throwing: failure) } else { waiting.resume() }
        }
    }

    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            lock.lock()
            if ended {
                let failure = error
                lock.unlock()
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }
}
