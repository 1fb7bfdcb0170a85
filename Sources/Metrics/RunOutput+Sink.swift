import LoadGen

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

    public init(_ output: RunOutput) {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        self.continuation = continuation
        writer = Task {
            for await event in events {
                switch event {
                case .record(let record): try output.add(record)
                case .levels(let levels): try output.writeLevels(levels)
                }
            }
        }
    }

    public func receive(_ record: RequestRecord) { continuation.yield(.record(record)) }

    public func levelEnded(_ levels: [LevelResult]) { continuation.yield(.levels(levels)) }

    public func finish() async throws {
        continuation.finish()
        try await writer.value
    }
}
