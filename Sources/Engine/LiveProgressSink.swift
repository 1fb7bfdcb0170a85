import LoadGen
import Metrics
import Synchronization

/// The live progress line as a sink: it counts the level's records and, while a level runs, redraws the line on the
/// observer every `progressInterval` (none when the observer shows no progress).
final class LiveProgressSink: RecordSink {
    private let live = LiveProgress()
    private let observer: any RunObserver
    private let now: @Sendable () -> Int64
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    init(observer: any RunObserver, now: @escaping @Sendable () -> Int64) {
        self.observer = observer
        self.now = now
    }

    func levelStarted(_ plan: LevelPlan, atNs: Int64) {
        live.begin(plan, at: atNs)
        guard let interval = observer.progressInterval else { return }
        let (live, observer, now) = (self.live, self.observer, self.now)
        // The line is for a person: redrawn on the wall clock, whatever clock the load runs on.
        let task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                observer.progress(LiveProgress.line(live.snapshot(at: now()), width: observer.progressWidth), final: false)
            }
        }
        ticker.withLock { $0?.cancel(); $0 = task }
    }

    func receive(_ record: RequestRecord) { live.add(record) }

    func levelEnded(_ levels: [LevelResult]) {
        ticker.withLock { $0?.cancel(); $0 = nil }
        observer.progress(LiveProgress.line(live.snapshot(at: now()), width: observer.progressWidth), final: true)
    }

    func finish() async throws {
        ticker.withLock { $0?.cancel(); $0 = nil }
    }
}
