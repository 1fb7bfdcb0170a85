/// A consumer of a run's records: the CSV writers, the live progress line, summary accumulators. Records flow one
/// way: a sink only receives; it never stops the run or touches the transport (policies that decide read the
/// engine's own accumulator instead).
public protocol RecordSink: Sendable {
    /// A level starts at `atNs` (nanoseconds from the run's origin).
    func levelStarted(_ plan: LevelPlan, atNs: Int64)
    /// A request (or attempt, or turn) that ended. Called from many tasks at once; a sink orders its own work.
    func receive(_ record: RequestRecord)
    /// A level ended; `levels` are every level ended so far, in order.
    func levelEnded(_ levels: [LevelResult])
    /// The run ended: no more records. Returns once the sink has written everything it holds.
    func finish() async throws
}

extension RecordSink {
    public func levelStarted(_ plan: LevelPlan, atNs: Int64) {}
    public func levelEnded(_ levels: [LevelResult]) {}
    public func finish() async throws {}
}
