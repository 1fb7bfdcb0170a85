import Synchronization

/// Hands out the requests of one closed-loop level: warm-up first, then measured ones until the request count or
/// the duration is reached. Virtual users ask it for their next request; it also keeps the measurement window.
final class ClosedLoopDispatcher: Sendable {
    struct Ticket: Equatable {
        var seq: Int
        var warmup: Bool
    }

    private struct State {
        var nextSeq: Int
        var warmupDispatched = 0
        var measuredDispatched = 0
        var startNs: Int64?
        var windowStartNs: Int64?
        var windowEndNs: Int64?
        var lastMeasuredNs: Int64?
        var stopReason: String?
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let plan: LevelPlan
    private let state: Mutex<State>

    init(plan: LevelPlan, firstSeq: Int) {
        self.plan = plan
        self.state = Mutex(State(nextSeq: firstSeq))
    }

    /// The next request for a virtual user that is free at `now`, or nil when the level has stopped dispatching.
    func next(now: Int64) -> Ticket? {
        let (ticket, waiters) = state.withLock { state -> (Ticket?, [CheckedContinuation<Void, Never>]) in
            guard state.stopReason == nil else { return (nil, []) }
            if state.startNs == nil { state.startNs = now }
            if state.warmupDispatched < plan.warmup {
                state.warmupDispatched += 1
                state.nextSeq += 1
                return (Ticket(seq: state.nextSeq - 1, warmup: true), [])
            }
            let windowStart = state.windowStartNs ?? now
            state.windowStartNs = windowStart
            var stop: (String, Int64)?
            if let limit = plan.durationNs, now >= windowStart + limit {
                stop = ("duration", windowStart + limit)
            } else if let count = plan.requests, state.measuredDispatched >= count {
                stop = ("requests", state.lastMeasuredNs ?? now)
            }
            if let (reason, end) = stop {
                state.stopReason = reason
                state.windowEndNs = end
                defer { state.stopWaiters.removeAll() }
                return (nil, state.stopWaiters)
            }
            state.measuredDispatched += 1
            state.lastMeasuredNs = now
            state.nextSeq += 1
            return (Ticket(seq: state.nextSeq - 1, warmup: false), [])
        }
        for waiter in waiters { waiter.resume() }
        return ticket
    }

    /// Stops dispatching at once (the run was cancelled); the window ends at `now`.
    func cancel(now: Int64) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.stopReason == nil else { return [] }
            state.stopReason = "cancelled"
            state.windowEndNs = now
            defer { state.stopWaiters.removeAll() }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once dispatching has stopped.
    func waitUntilStopped() async {
        await withCheckedContinuation { continuation in
            let stopped = state.withLock { state -> Bool in
                if state.stopReason != nil { return true }
                state.stopWaiters.append(continuation)
                return false
            }
            if stopped { continuation.resume() }
        }
    }

    func result(endNs: Int64) -> LevelResult {
        state.withLock { state in
            let start = state.startNs ?? endNs
            let windowStart = state.windowStartNs ?? start
            return LevelResult(index: plan.index, name: plan.name, concurrency: plan.concurrency, startNs: start,
                               windowStartNs: windowStart, windowEndNs: max(state.windowEndNs ?? endNs, windowStart),
                               endNs: endNs, warmupDispatched: state.warmupDispatched,
                               measuredDispatched: state.measuredDispatched, stopReason: state.stopReason ?? "cancelled")
        }
    }

    var nextSeq: Int { state.withLock { $0.nextSeq } }
}
