import LoadGen
import Synchronization

/// The run directory's record files as a sink: records and level ends go through one stream to one writer task, so
/// the load never waits on the disk, and the files always describe whole levels (an interrupted run can be rebuilt
/// with `report`).
public final class RunFilesSink: RecordSink {
    private enum Event: Sendable {
        case record(RequestRecord)
        case levels([LevelResult])
    }

    private let continuation: AsyncStream<Event>.Continuation
    private let writer: Task<Void, Error>
    /// The aggregate is fed on a task of its own, in the order records arrive (the files' order), so the files and the
    /// figures are made on two cores.
    private let aggregateContinuation: AsyncStream<RequestRecord>.Continuation
    private let aggregator: Task<Void, Error>

    public init(_ output: RunOutput) {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        self.continuation = continuation
        writer = Task {
            for await event in events {
                switch event {
                case .record(let record): try output.write(record)
                case .levels(let levels): try output.writeLevels(levels)
                }
            }
        }
        let (records, aggregateContinuation) = AsyncStream.makeStream(of: RequestRecord.self)
        self.aggregateContinuation = aggregateContinuation
        aggregator = Task {
            for await record in records { try output.aggregate(record) }
        }
    }

    /// Records can arrive from several threads at once: both streams get them under one lock, so the aggregate sees
    /// them in the files' order (`report`, reading the files, then sums them in the same order, to the last bit).
    private let order = Mutex(())

    public func receive(_ record: RequestRecord) {
        order.withLock { _ in
            continuation.yield(.record(record))
            aggregateContinuation.yield(record)
        }
    }

    public func levelEnded(_ levels: [LevelResult]) { continuation.yield(.levels(levels)) }

    public func finish() async throws {
        continuation.finish()
        aggregateContinuation.finish()
        try await writer.value
        try await aggregator.value
    }
}
