/// Sleeps until each planned arrival on `clock` and hands it on. Generic over the clock so tests drive it with a
/// virtual clock and check exact schedules.
public struct ArrivalDriver<C: Clock>: Sendable where C.Duration == Duration, C: Sendable {
    public let clock: C

    public init(clock: C) {
        self.clock = clock
    }

    /// Calls `dispatch(index, intendedOffset)` at each arrival (late arrivals at once, keeping their intended time)
    /// until the pacer ends, an arrival would fall at or after `limit`, or `dispatch` returns false.
    public func run<P: Pacer>(_ pacer: inout P, start: C.Instant, limit: Duration? = nil,
                              dispatch: (Int, Duration) async -> Bool) async {
        var index = 0
        while let offset = pacer.next() {
            if let limit, offset >= limit { return }
            do {
                try await clock.sleep(until: start.advanced(by: offset), tolerance: nil)
            } catch {
                return
            }
            guard await dispatch(index, offset) else { return }
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
