/// How the transport thread is scheduled. Its timestamps are only as prompt as the thread is to run when bytes arrive;
/// on a busy machine an ordinary thread waits for a core behind everything else that is runnable.
public enum TransportPriority: String, Sendable, CaseIterable, Codable {
    /// Scheduled like every other thread.
    case normal
    /// Nice -10 (Linux): a larger share and earlier wake-ups than ordinary threads. Needs root or CAP_SYS_NICE.
    case raised
    /// SCHED_FIFO priority 1 (Linux): runs the moment it is woken, ahead of every ordinary thread; the default. Needs
    /// root or CAP_SYS_NICE (else `raised`, else `normal`); the kernel's real-time throttling still leaves other
    /// threads 5% of each core. On a busy machine this is what keeps the TTFT error's p99 under a millisecond.
    case realtime
}

/// How hard the transport thread has worked since it started: a snapshot of running totals.
public struct TransportLoad: Sendable, Equatable {
    /// When it was taken, nanoseconds from the run origin.
    public var atNs: Int64
    /// Time the thread spent outside its wait for sockets: reading, parsing, decoding, starting and finishing
    /// transfers, or ready to run but waiting for a core.
    public var busyNs: Int64
    /// CPU time the thread used (its CPU clock; nil where it cannot be read).
    public var cpuNs: Int64?
    /// Times its wait for sockets returned.
    public var wakeups: Int

    public init(atNs: Int64, busyNs: Int64, cpuNs: Int64?, wakeups: Int) {
        self.atNs = atNs
        self.busyNs = busyNs
        self.cpuNs = cpuNs
        self.wakeups = wakeups
    }
}

/// The transport thread's share of a stretch of time (a level): busy time and CPU time over wall time. A thread busy
/// most of the time cannot take timestamps the moment bytes arrive, so the client, not the server, may be the limit.
public struct TransportUtilisation: Sendable, Equatable, Codable {
    /// Busy time / wall time, 0...1.
    public var busyFraction: Double
    /// CPU time / wall time (nil where the thread's CPU clock cannot be read).
    public var cpuFraction: Double?

    public init(busyFraction: Double, cpuFraction: Double?) {
        self.busyFraction = busyFraction
        self.cpuFraction = cpuFraction
    }

    /// Between two snapshots of the same transport; nil when no time passed.
    public init?(from start: TransportLoad, to end: TransportLoad) {
        let wall = end.atNs - start.atNs
        guard wall > 0 else { return nil }
        busyFraction = min(1, max(0, Double(end.busyNs - start.busyNs) / Double(wall)))
        if let before = start.cpuNs, let after = end.cpuNs {
            cpuFraction = max(0, Double(after - before) / Double(wall))
        } else {
            cpuFraction = nil
        }
    }

    /// Above it the transport thread is called saturated: it may delay what it measures.
    public static let busyLimit = 0.8
}
