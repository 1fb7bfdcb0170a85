import LoadGen
import Synchronization

/// A clock that moves only when told: `advanceToNextDeadline()` jumps to the earliest sleeper's deadline and wakes
/// every sleeper due then, in the order they went to sleep. With `Simulation` it drives runners, pacers and the
/// engine through a whole run in virtual time: no sleeps, no wall clock, the same result on a busy machine.
public final class ManualClock: RunTimeClock, @unchecked Sendable {
    public struct Instant: InstantProtocol, Sendable {
        public var nanoseconds: Int64

        public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

        public func advanced(by duration: Swift.Duration) -> Instant {
            Instant(nanoseconds: nanoseconds + duration.nanosecondsValue)
        }

        public func duration(to other: Instant) -> Swift.Duration { .nanoseconds(other.nanoseconds - nanoseconds) }

        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    }

    /// Thrown to a sleeper woken by `interrupt` rather than by its deadline.
    public struct Interrupted: Error {}

    private struct Sleeper {
        var id: UInt64
        var deadline: Int64
        var continuation: CheckedContinuation<Void, Error>
    }

    private struct State {
        var now: Int64
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        /// Sleeps interrupted or cancelled before their continuation was registered.
        var settled: [UInt64: Error] = [:]
    }

    private let state: Mutex<State>

    public init(startNs: Int64 = 0) {
        state = Mutex(State(now: startNs))
    }

    public var now: Instant { Instant(nanoseconds: state.withLock { $0.now }) }
    public var minimumResolution: Swift.Duration { .nanoseconds(1) }

    public func instant(nanoseconds: Int64) -> Instant { Instant(nanoseconds: nanoseconds) }
    public func nanoseconds(of instant: Instant) -> Int64 { instant.nanoseconds }

    /// A ticket for a sleep that someone else may end early (`interrupt`).
    public func makeSleepID() -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
    }

    public func sleep(until deadline: Instant, tolerance: Swift.Duration?) async throws {
        try await sleep(untilNs: deadline.nanoseconds, id: makeSleepID())
    }

    /// Sleeps until `deadline`; `interrupt(id)` or the task's cancellation ends it early with an error.
    public func sleep(untilNs deadline: Int64, id: UInt64) async throws {
        try Task.checkCancellation()
        if state.withLock({ deadline <= $0.now }) { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let early = state.withLock { state -> Error? in
                    if let error = state.settled.removeValue(forKey: id) { return error }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let early { continuation.resume(throwing: early) }
            }
        } onCancel: {
            self.end(id, with: CancellationError())
        }
    }

    /// Ends the sleep `id` now with `Interrupted` (before it started: as soon as it starts).
    public func interrupt(_ id: UInt64) {
        end(id, with: Interrupted())
    }

    private func end(_ id: UInt64, with error: Error) {
        let sleeper = state.withLock { state -> Sleeper? in
            if let index = state.sleepers.firstIndex(where: { $0.id == id }) { return state.sleepers.remove(at: index) }
            state.settled[id] = error
            return nil
        }
        sleeper?.continuation.resume(throwing: error)
    }

    /// Sleepers waiting now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Moves to the earliest deadline and wakes everyone due then. False when nobody sleeps.
    @discardableResult
    public func advanceToNextDeadline() -> Bool {
        let due = state.withLock { state -> [Sleeper] in
            guard let next = state.sleepers.map(\.deadline).min() else { return [] }
            state.now = max(state.now, next)
            let due = state.sleepers.filter { $0.deadline <= state.now }
            state.sleepers.removeAll { $0.deadline <= state.now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
        return !due.isEmpty
    }

    /// Moves to `ns` (never back), waking everyone due by then in deadline order.
    public func advance(toNs ns: Int64) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, ns)
            let due = state.sleepers.filter { $0.deadline <= state.now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= state.now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
