#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one clock of a run: CLOCK_MONOTONIC in nanoseconds. It is system-wide, so a mock in another process
/// stamps on the same time line, and reading it costs no allocation (it is read in libcurl's write callback).
public enum MonotonicClock {
    @inline(__always)
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }
}

/// A run's time origin. Records store offsets from it, never wall time.
public struct RunClock: Sendable {
    public let originNs: Int64

    public init(originNs: Int64 = MonotonicClock.nanoseconds()) {
        self.originNs = originNs
    }

    /// Nanoseconds since the origin.
    @inline(__always)
    public func now() -> Int64 { MonotonicClock.nanoseconds() - originNs }

    @inline(__always)
    public func offset(ofMonotonic ns: Int64) -> Int64 { ns - originNs }
}
