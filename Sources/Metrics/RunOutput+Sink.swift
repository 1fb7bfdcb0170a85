import Dispatch
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
        ProcessAllocator.settle()
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
            var trimmed = DispatchTime.now().uptimeNanoseconds
            try Self.drain(records) { record in
                try output.aggregate(record)
                let now = DispatchTime.now().uptimeNanoseconds
                if now - trimmed > Self.trimEveryNs {
                    trimmed = now
                    ProcessAllocator.returnFreedMemory()
                }
            }
        }
    }

    /// How often the aggregating thread gives the pages the process has freed back to the system
    /// (`ProcessAllocator.returnFreedMemory`). glibc keeps what a process frees for its next allocations, so a moment
    /// with many requests in flight (a server that stalls while the load goes on) would set the client's RSS for the
    /// rest of the run: a 4-minute soak at 1,000 requests/s rose from 60 to 85 MB in steps with a heap of 20 to 60 MB.
    /// Trimmed, RSS follows what is in use.
    static let trimEveryNs: UInt64 = 10_000_000_000

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
