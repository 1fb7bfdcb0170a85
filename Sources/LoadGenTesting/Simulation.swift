import Foundation
import Synchronization

/// Runs async code in virtual time, deterministically: every task of `body` (its child tasks inherit the executor)
/// runs on one thread, one job at a time; when no job is ready, the manual clock jumps to its next sleeper's
/// deadline. So a closed loop of N users, an open-loop schedule or a whole engine run takes no wall time and gives
/// the same records on an idle or a busy machine.
public final class Simulation: TaskExecutor, @unchecked Sendable {
    public struct Stuck: Error, CustomStringConvertible {
        public var description: String { "the simulation is stuck: no job is ready and nobody sleeps on the clock" }
    }

    private let jobs = Mutex<[UnownedJob]>([])
    private let wake = DispatchSemaphore(value: 0)

    private init() {}

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        wake.signal()
    }

    private func next() -> UnownedJob? {
        jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    /// Runs `body` on `clock` until it returns. Throws `Stuck` if it waits on something neither a job nor the
    /// clock will ever bring (after `realTimeGrace` of wall time for outside wake-ups).
    public static func run<R: Sendable>(clock: ManualClock, realTimeGrace: Duration = .seconds(30),
                                        _ body: @escaping @Sendable () async -> R) async throws -> R {
        let simulation = Simulation()
        let outcome = Outcome<R>()
        _ = Task(executorPreference: simulation) {
            let value = await body()
            outcome.value.withLock { $0 = value }
            simulation.wake.signal()
        }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, Error>) in
            let thread = Thread {
                let executor = simulation.asUnownedTaskExecutor()
                while true {
                    while let job = simulation.next() { job.runSynchronously(on: executor) }
                    if outcome.finished { break }
                    if clock.advanceToNextDeadline() { continue }
                    // Nothing ready and nobody on the clock: only an outside wake-up (a real-time timer) can help.
                    let seconds = Double(realTimeGrace.components.seconds)
                    if simulation.wake.wait(timeout: .now() + seconds) == .timedOut,
                       simulation.jobs.withLock({ $0.isEmpty }), !outcome.finished {
                        continuation.resume(throwing: Stuck())
                        return
                    }
                }
                continuation.resume(returning: outcome.value.withLock { $0! })
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

/// What the simulated body returned, once it has.
private final class Outcome<R: Sendable>: Sendable {
    let value = Mutex<R?>(nil)
    var finished: Bool { value.withLock { $0 != nil } }
}
