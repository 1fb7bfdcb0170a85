import LoadGen
import Synchronization

/// The run directory's record files as a sink: records and level ends go to one writer thread, and the records in
/// the same order to one aggregating thread, so the files and the figures are made on two cores and the load never
/// waits on the disk, and the files always describe whole levels (an interrupted run can be rebuilt with `report`).
///
/// Both queues are bounded (`capacity` records): a load faster than the recorder is held back rather than queued
/// without limit, so memory does not grow with the run's length or rate. `backlog` says whether that happened.
public final class RunFilesSink: RecordSink {
    private enum Event: Sendable {
        case record(RequestRecord)
        case levels([LevelResult])
    }

    public static let defaultCapacity = 2048

    private let events: BoundedHandoff<Event>
    private let records: BoundedHandoff<RequestRecord>
    private let writer: ThreadCompletion
    private let aggregator: ThreadCompletion

    public init(_ output: RunOutput, capacity: Int = RunFilesSink.defaultCapacity) {
        let events = BoundedHandoff<Event>(capacity: capacity)
        let records = BoundedHandoff<RequestRecord>(capacity: capacity)
        self.events = events
        self.records = records
        writer = ThreadCompletion.start(name: "sambabench files") {
            try Self.drain(events) { event in
                switch event {
                case .record(let record): try output.write(record)
                case .levels(let levels): try output.writeLevels(levels)
                }
            }
        }
        aggregator = ThreadCompletion.start(name: "sambabench aggregate") {
            try Self.drain(records) { try output.aggregate($0) }
        }
    }

    /// Handles every item until the queue finishes. After the first error nothing more is handled, but the queue is
    /// still emptied, so producers never wait on a consumer that has stopped; the error is thrown at the end.
    static func drain<Element>(_ queue: BoundedHandoff<Element>, _ handle: (Element) throws -> Void) throws {
        var batch = [Element]()
        var failure: (any Error)?
        while queue.take(into: &batch) {
            guard failure == nil else { continue }
            do {
                for item in batch { try handle(item) }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Records can arrive from several threads at once: both queues get them under one lock, so the aggregate sees
    /// them in the files' order (`report`, reading the files, then sums them in the same order, to the last bit).
    private let order = Mutex(())

    public func receive(_ record: RequestRecord) {
        order.withLock { _ in
            events.put(.record(record))
            records.put(record)
        }
    }

    public func levelEnded(_ levels: [LevelResult]) {
        order.withLock { _ in events.put(.levels(levels), urgent: true) }
    }

    /// The most records either queue held at once, and the time the load was held back waiting for room.
    public var backlog: (largest: Int, blockedNs: Int64) {
        let (a, b) = (events.backlog, records.backlog)
        return (max(a.largest, b.largest), a.blockedNs + b.blockedNs)
    }

    public func finish() async throws {
        events.finish()
        records.finish()
        // Both threads are awaited before either error is thrown.
        var failure: (any Error)?
        do { try await writer.wait() } catch { failure = error }
        do { try await aggregator.wait() } catch { failure = failure ?? error }
        if let failure { throw failure }
    }
}
