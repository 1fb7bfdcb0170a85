import Synchronization

/// Stops a run from outside its levels: an interrupt (Ctrl-C, SIGTERM) or an abort (error rate). Stopping ends
/// dispatching at once in the running level and keeps later levels from starting; requests in flight go on until
/// they finish or `cancelInFlight` cancels them (each then recorded as `cancelled`). Conversations start no new turn.
public final class RunControl: Sendable {
    private struct State {
        var reason: String?
        var dispatchers: [ObjectIdentifier: LevelDispatcher] = [:]
        var cancelHandlers: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Why the run was stopped (`interrupted`, `aborted: ...`), or nil while it runs normally.
    public var stopReason: String? { state.withLock { $0.reason } }
    public var isStopped: Bool { stopReason != nil }

    /// Stops dispatching (the first reason given stays).
    public func stop(_ reason: String, now: Int64) {
        let dispatchers = state.withLock { state -> [LevelDispatcher] in
            if state.reason == nil { state.reason = reason }
            return Array(state.dispatchers.values)
        }
        for dispatcher in dispatchers { dispatcher.stop(reason, now: now, hard: true) }
    }

    /// Cancels every request in flight through the handlers registered (the transport's).
    public func cancelInFlight() {
        for handler in state.withLock({ $0.cancelHandlers }) { handler() }
    }

    public func onCancelInFlight(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.cancelHandlers.append(handler) }
    }

    func attach(_ dispatcher: LevelDispatcher, now: Int64) {
        let reason = state.withLock { state -> String? in
            state.dispatchers[ObjectIdentifier(dispatcher)] = dispatcher
            return state.reason
        }
        if let reason { dispatcher.stop(reason, now: now, hard: true) }
    }

    func detach(_ dispatcher: LevelDispatcher) {
        _ = state.withLock { $0.dispatchers.removeValue(forKey: ObjectIdentifier(dispatcher)) }
    }
}
