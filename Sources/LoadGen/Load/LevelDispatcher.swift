import Synchronization

/// Hands out the requests of one level: warm-up first, then measured ones until the request count or the
/// duration is reached, and keeps the measurement window. Closed-loop virtual users ask it when they are free;
/// the open loop asks it with each arrival's intended time. Dispatching stops the moment the last measured
/// request goes out or the duration ends, so the drain (and its timeout) starts then.
final class LevelDispatcher: Sendable {
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
        var latestMeasuredNs: Int64?
        /// When the first and the last measured request of the level ended (dropped arrivals aside).
        var firstMeasuredEndNs: Int64?
        var lastMeasuredEndNs: Int64?
        var stopReason: String?
        /// Stopped from outside the level (interrupt, abort): conversations start no further turn.
        var hardStop = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        var windowWaiters: [CheckedContinuation<Int64?, Never>] = []

        /// Stops dispatching; returns the waiters to resume outside the lock.
        mutating func stop(_ reason: String, windowEnd: Int64) -> ([CheckedContinuation<Void, Never>], [CheckedContinuation<Int64?, Never>]) {
            guard stopReason == nil else { return ([], []) }
            stopReason = reason
            windowEndNs = windowEnd
            defer {
                stopWaiters.removeAll()
                windowWaiters.removeAll()
            }
            return (stopWaiters, windowWaiters)
        }
    }

    private let plan: LevelPlan
    private let state: Mutex<State>

    init(plan: LevelPlan, firstSeq: Int) {
        self.plan = plan
        self.state = Mutex(State(nextSeq: firstSeq))
    }

    /// The next request for a virtual user that is free at `now`, or nil when the level has stopped dispatching.
    func next(now: Int64) -> Ticket? {
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        var windowWaiters: [CheckedContinuation<Int64?, Never>] = []
        var windowOpened: Int64?
        let ticket = state.withLock { state -> Ticket? in
            guard state.stopReason == nil else { return nil }
            // Users race to the lock, so the times seen here are not in order: the level starts at the earliest, and a
            // time-based warm-up counts from it (a user whose time is earlier than the first one seen is not warm-up
            // when there is no warm-up time).
            let start = min(state.startNs ?? now, now)
            state.startNs = start
            if state.warmupDispatched < plan.warmup || (plan.warmupNs > 0 && now < start + plan.warmupNs) {
                state.warmupDispatched += 1
                state.nextSeq += plan.seqStride
                return Ticket(seq: state.nextSeq - plan.seqStride, warmup: true)
            }
            if state.windowStartNs == nil {
                state.windowStartNs = now
                windowOpened = now
                windowWaiters = state.windowWaiters
                state.windowWaiters.removeAll()
            }
            let windowStart = state.windowStartNs!
            if let limit = plan.durationNs, now >= windowStart + limit {
                (stopWaiters, windowWaiters) = state.stop("duration", windowEnd: windowStart + limit)
                return nil
            }
            state.measuredDispatched += 1
            state.nextSeq += plan.seqStride
            // The window spans every measured dispatch, in whatever order their times arrive.
            state.windowStartNs = min(windowStart, now)
            state.latestMeasuredNs = max(state.latestMeasuredNs ?? now, now)
            if let count = plan.requests, state.measuredDispatched >= count {
                (stopWaiters, _) = state.stop("requests", windowEnd: state.latestMeasuredNs!)
            }
            return Ticket(seq: state.nextSeq - plan.seqStride, warmup: false)
        }
        for waiter in windowWaiters { waiter.resume(returning: windowOpened) }
        for waiter in stopWaiters { waiter.resume() }
        return ticket
    }

    /// A sequence number for a later turn (or retry) of a conversation already dispatched: its turns run to their
    /// end even after the level stops dispatching new conversations, but not after the run was stopped (nil).
    func reserveSeq() -> Int? {
        state.withLock { state in
            guard !state.hardStop else { return nil }
            state.nextSeq += plan.seqStride
            return state.nextSeq - plan.seqStride
        }
    }

    /// Stops dispatching at `now`: the duration has ended (`duration`), the schedule ended (`schedule`) or the run
    /// was cancelled (`cancelled`).
    func stop(_ reason: String, now: Int64, hard: Bool = false) {
        let (stopWaiters, windowWaiters) = state.withLock { state in
            if hard { state.hardStop = true }
            return state.stop(reason, windowEnd: now)
        }
        for waiter in windowWaiters { waiter.resume(returning: nil) }
        for waiter in stopWaiters { waiter.resume() }
    }

    /// Notes a finished request: the window of a level whose measured requests all went out before any of them ended
    /// closes at the last one's end (see `result`).
    func ended(_ record: RequestRecord) {
        guard !record.warmup, record.errorClass != .dropped else { return }
        state.withLock { state in
            state.firstMeasuredEndNs = min(state.firstMeasuredEndNs ?? record.endNs, record.endNs)
            state.lastMeasuredEndNs = max(state.lastMeasuredEndNs ?? record.endNs, record.endNs)
        }
    }

    /// Returns when the first measured request goes out, with its time; nil if dispatching stopped first.
    func waitUntilWindowOpens() async -> Int64? {
        await withCheckedContinuation { continuation in
            let known = state.withLock { state -> Int64?? in
                if let start = state.windowStartNs { return .some(start) }
                if state.stopReason != nil { return .some(nil) }
                state.windowWaiters.append(continuation)
                return .none
            }
            if let known { continuation.resume(returning: known) }
        }
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
            // A window that never opened (stopped during warm-up) is empty: no throughput from warm-up alone.
            var windowEnd = state.windowStartNs == nil ? windowStart : max(state.windowEndNs ?? endNs, windowStart)
            // The request count stopped dispatching before any measured request ended (a closed loop with no more
            // requests than users, a burst of arrivals): a window closing at the last dispatch would hold no
            // completion at all, so it runs on to the last measured request's end instead.
            var toLastEnd = false
            if state.windowStartNs != nil, state.stopReason == "requests", let last = state.lastMeasuredEndNs,
               state.firstMeasuredEndNs! > windowEnd, last > windowEnd {
                windowEnd = last
                toLastEnd = true
            }
            var result = LevelResult(index: plan.index, name: plan.name, concurrency: plan.concurrency, rate: plan.offeredRate,
                                     startNs: start, windowStartNs: windowStart, windowEndNs: windowEnd,
                                     endNs: endNs, warmupDispatched: state.warmupDispatched,
                                     measuredDispatched: state.measuredDispatched, stopReason: state.stopReason ?? "cancelled")
            result.nextSeq = state.nextSeq
            result.windowToLastEnd = toLastEnd
            return result
        }
    }
}
