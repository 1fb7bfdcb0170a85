/// A clock the load can run on: CLOCK_MONOTONIC in a run (`MonotonicSleepClock`), a manual clock in tests. Its
/// instants map to nanoseconds, so records keep plain offsets from the run's origin.
public protocol RunTimeClock: Clock, Sendable where Duration == Swift.Duration {
    func instant(nanoseconds: Int64) -> Instant
    func nanoseconds(of instant: Instant) -> Int64
}

/// A run's time line on a clock: "now" as nanoseconds from the run's origin, and sleeping until an offset on it.
/// Runners, pacers, the executor's back-off and the engine read time and sleep through it, never through the wall
/// clock, so a manual clock drives all of them in tests.
public struct Timeline<C: RunTimeClock>: Sendable {
    public let clock: C
    public let originNs: Int64

    public init(clock: C, originNs: Int64) {
        self.clock = clock
        self.originNs = originNs
    }

    /// Nanoseconds since the origin.
    @inline(__always)
    public func now() -> Int64 { clock.nanoseconds(of: clock.now) - originNs }

    /// The instant of an offset from the origin.
    public func instant(atNs offset: Int64) -> C.Instant { clock.instant(nanoseconds: originNs + offset) }

    /// Sleeps until `offset` from the origin (returns at once when it has passed). Throws when the task is cancelled.
    public func sleep(untilNs offset: Int64) async throws {
        try await clock.sleep(until: instant(atNs: offset), tolerance: nil)
    }

    /// Sleeps `nanoseconds` from now.
    public func sleep(forNs nanoseconds: Int64) async throws {
        try await sleep(untilNs: now() + max(0, nanoseconds))
    }
}

extension MonotonicSleepClock: RunTimeClock {
    public func instant(nanoseconds: Int64) -> Instant { Instant(nanoseconds: nanoseconds) }
    public func nanoseconds(of instant: Instant) -> Int64 { instant.nanoseconds }
}

extension Timeline where C == MonotonicSleepClock {
    /// CLOCK_MONOTONIC with the origin of `clock`, the time line libcurl's write callback stamps on.
    public init(_ clock: RunClock) {
        self.init(clock: MonotonicSleepClock(), originNs: clock.originNs)
    }
}
