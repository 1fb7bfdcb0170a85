/// Sleeps until each planned arrival on `clock` and hands it on. Generic over the clock so tests drive it with a
/// virtual clock and check exact schedules.
public struct ArrivalDriver<C: Clock>: Sendable where C.Duration == Duration, C: Sendable {
    public let clock: C

    public init(clock: C) {
        self.clock = clock
    }

    /// For each planned arrival: `admit(index, intendedOffset)` decides before sleeping (nil ends the run), then
    /// `dispatch(ticket, intendedOffset)` runs at the arrival's time (at once when running late: the intended
    /// time is kept, so lateness is measured rather than hidden). Ends when the pacer ends or the task is cancelled.
    public func run<P: Pacer, Ticket>(_ pacer: inout P, start: C.Instant, admit: (Int, Duration) -> Ticket?,
                                      dispatch: (Ticket, Duration) async -> Void) async {
        var index = 0
        while let offset = pacer.next(), let ticket = admit(index, offset) {
            do {
                try await clock.sleep(until: start.advanced(by: offset), tolerance: nil)
            } catch {
                return
            }
            await dispatch(ticket, offset)
            index += 1
        }
    }
}

/// CLOCK_MONOTONIC as a Swift `Clock`, so sleeping and the records' timestamps share one time line.
public struct MonotonicSleepClock: Clock, Sendable {
    public struct Instant: InstantProtocol, Sendable {
        public var nanoseconds: Int64

        public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

        public func advanced(by duration: Duration) -> Instant {
            Instant(nanoseconds: nanoseconds + duration.nanosecondsValue)
        }

        public func duration(to other: Instant) -> Duration { .nanoseconds(other.nanoseconds - nanoseconds) }

        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    }

    public init() {}

    public var now: Instant { Instant(nanoseconds: MonotonicClock.nanoseconds()) }

    public var minimumResolution: Duration { .nanoseconds(1) }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let remaining = deadline.nanoseconds - MonotonicClock.nanoseconds()
        if remaining > 0 { try await Task.sleep(nanoseconds: UInt64(remaining)) }
        try Task.checkCancellation()
    }
}

extension Duration {
    /// The whole duration in nanoseconds.
    public var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
