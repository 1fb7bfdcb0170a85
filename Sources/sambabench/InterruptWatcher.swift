import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into calls while a run is going: the handler gets the count so far (1 for the first)
/// and the signal's name. Restores the default handling when cancelled.
/// The sources are created once and only cancelled afterwards.
final class InterruptWatcher: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(handler: @escaping @Sendable (_ count: Int, _ name: String) -> Void) {
        let count = Mutex(0)
        sources = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
            // The default action (terminate) is replaced; the source still sees the signal.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let seen = count.withLock { value -> Int in
                    value += 1
                    return value
                }
                handler(seen, name)
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// Watches a level's measured requests for the scenario's abort threshold.
final class ErrorRateMonitor: Sendable {
    private struct Counts {
        var finished = 0
        var failed = 0
    }

    private let counts = Mutex(Counts())
    let policy: AbortPolicy

    init(policy: AbortPolicy) { self.policy = policy }

    func reset() { counts.withLock { $0 = Counts() } }

    /// Adds a finished request; returns a reason once the level's error rate is above the threshold.
    func add(failed: Bool) -> String? {
        counts.withLock { counts in
            counts.finished += 1
            if failed { counts.failed += 1 }
            let rate = Double(counts.failed) / Double(counts.finished)
            guard counts.finished >= policy.minRequests, rate > policy.errorRate else { return nil }
            return "aborted: \(counts.failed) of \(counts.finished) requests failed (\(String(format: "%.1f", rate * 100))%), above abort.error_rate \(String(format: "%.1f", policy.errorRate * 100))%"
        }
    }
}

import LoadGen
