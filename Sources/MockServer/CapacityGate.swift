import Foundation
import NIOCore
import Synchronization

/// The server-wide slots of the capacity model: at most `slots` requests (of any API) generate at once, the rest
/// wait in arrival order, and a full queue turns requests away. Shared by every connection on every event loop.
final class CapacityGate: Sendable {
    let capacity: MockCapacity

    /// What became of a request that asked for a slot.
    enum Admission {
        /// It holds a slot now.
        case active(CapacityLease)
        /// It waits; its `start` gets its ticket and a slot when its turn comes, unless it is withdrawn first.
        case queued(ticket: UInt64)
        /// The queue is full: answer 429.
        case full
    }

    private struct Waiter {
        var ticket: UInt64
        var start: @Sendable (_ ticket: UInt64, _ lease: CapacityLease) -> Void
    }

    private struct State {
        var active = 0
        var queue: [Waiter] = []
        var nextTicket: UInt64 = 0
    }

    private let state = Mutex(State())

    /// The batch being collected and where the last prefill ends (batched prefill only).
    private struct Batching {
        var closes: NIODeadline = .uptimeNanoseconds(0)
        var start: NIODeadline = .uptimeNanoseconds(0)
        var wallStart: Double = 0
        var members = 0
        var prefillEnds: NIODeadline = .uptimeNanoseconds(0)
        var sizes: [Int] = []
    }

    private let batching = Mutex(Batching())

    /// When a request that may start generating at `ready` begins its prefill, and that moment on the wall clock:
    /// `ready` itself without batching; with it, its batch's start, shared by every request of the batch.
    func prefillStart(ready: NIODeadline, ttftNs: Int64) -> (start: NIODeadline, wallStart: Double) {
        guard let settings = capacity.batching else {
            return (ready, Date().timeIntervalSince1970)
        }
        return batching.withLock { batch in
            if batch.members > 0 && ready < batch.closes && batch.members < settings.maxBatch {
                batch.members += 1
                batch.sizes[batch.sizes.count - 1] += 1
                return (batch.start, batch.wallStart)
            }
            batch.closes = ready + .nanoseconds(settings.windowNs)
            batch.start = max(batch.closes, batch.prefillEnds)
            batch.prefillEnds = batch.start + .nanoseconds(ttftNs)
            batch.wallStart = Date().timeIntervalSince1970 + Double((batch.start - .now()).nanoseconds) / 1e9
            batch.members = 1
            batch.sizes.append(1)
            return (batch.start, batch.wallStart)
        }
    }

    /// The size of every batch formed so far, in order: the ground truth batch-size inference is checked against.
    var batchSizes: [Int] { batching.withLock { $0.sizes } }

    init(capacity: MockCapacity) {
        self.capacity = capacity
    }

    /// Requests holding a slot now.
    var activeCount: Int { state.withLock { $0.active } }

    /// Takes a free slot, or queues the request; `start` runs on the thread that frees its slot, so it must hop to the
    /// request's own event loop.
    func admit(start: @escaping @Sendable (_ ticket: UInt64, _ lease: CapacityLease) -> Void) -> Admission {
        state.withLock { state in
            if state.active < capacity.slots {
                state.active += 1
                return .active(CapacityLease(gate: self))
            }
            guard state.queue.count < capacity.maxQueue else { return .full }
            state.nextTicket += 1
            state.queue.append(Waiter(ticket: state.nextTicket, start: start))
            return .queued(ticket: state.nextTicket)
        }
    }

    /// Drops a queued request whose client left; does nothing once it has been handed a slot.
    func withdraw(_ ticket: UInt64) {
        state.withLock { $0.queue.removeAll { $0.ticket == ticket } }
    }

    /// Passes a freed slot straight to the oldest waiter, or returns it to the pool.
    fileprivate func release() {
        let next = state.withLock { state -> Waiter? in
            guard !state.queue.isEmpty else {
                state.active -= 1
                return nil
            }
            return state.queue.removeFirst()
        }
        // Outside the lock: the waiter's start is the handler's code.
        if let next { next.start(next.ticket, CapacityLease(gate: self)) }
    }
}

/// One request's hold on a slot; releasing it more than once (end of stream, disconnect, stale timer) is harmless.
final class CapacityLease: Sendable {
    private let gate: CapacityGate
    private let released = Atomic(false)

    fileprivate init(gate: CapacityGate) {
        self.gate = gate
    }

    func release() {
        if released.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged { gate.release() }
    }
}
