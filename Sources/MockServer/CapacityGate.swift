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

    struct Waiter {
        var ticket: UInt64
        var start: @Sendable (_ ticket: UInt64, _ lease: CapacityLease) -> Void
    }

    struct State {
        var active = 0
        var queue: [Waiter] = []
        var nextTicket: UInt64 = 0
    }

    let state = Mutex(State())

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
