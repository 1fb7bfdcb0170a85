/// Closed-loop load: N virtual users as a task group, each sending its next request when its last one ended
/// (plus the think time). Records go to `onRecord` as each request finishes.
public struct ClosedLoopRunner<T: Transport, C: RunTimeClock>: Sendable {
    public let executor: RequestExecutor<T, C>
    public var clock: Timeline<C> { executor.timeline }

    public init(executor: RequestExecutor<T, C>) {
        self.executor = executor
    }

    private enum Finished: Sendable {
        case user
        case drainExpired
        case watchdogStopped
    }

    /// Runs one level; sequence numbers start at `firstSeq`. Returns when every request of the level has ended.
    public func run(_ plan: LevelPlan, firstSeq: Int, control: RunControl? = nil,
                    onRecord: @escaping @Sendable (RequestRecord) -> Void) async -> LevelResult {
        let dispatcher = LevelDispatcher(plan: plan, firstSeq: firstSeq)
        control?.attach(dispatcher, now: clock.now())
        defer { control?.detach(dispatcher) }
        let clock = self.clock
        let executor = self.executor
        let finished: @Sendable (RequestRecord) -> Void = { record in
            dispatcher.ended(record)
            onRecord(record)
        }
        await withTaskCancellationHandler {
            await withTaskGroup(of: Finished.self) { group in
                for _ in 0..<plan.concurrency {
                    group.addTask {
                        // `scheduled` in a closed loop: the moment this virtual user became free.
                        var scheduled = clock.now()
                        while !Task.isCancelled, let ticket = dispatcher.next(now: scheduled) {
                            let context = DispatchContext(level: plan.index, levelName: plan.name, seq: ticket.seq,
                                                          warmup: ticket.warmup, scheduledNs: scheduled)
                            await executor.run(context, reserveSeq: dispatcher.reserveSeq, onRecord: finished)
                            if plan.thinkTimeNs > 0 {
                                try? await clock.sleep(forNs: plan.thinkTimeNs)
                            }
                            scheduled = clock.now()
                        }
                        return .user
                    }
                }
                // The watchdog ends the duration on time (even while every virtual user is busy), then bounds the drain.
                group.addTask {
                    do {
                        if let duration = plan.durationNs, let windowStart = await dispatcher.waitUntilWindowOpens() {
                            // Whichever comes first: the request count stops dispatching, or the duration ends.
                            await withTaskGroup(of: Void.self) { race in
                                race.addTask { await dispatcher.waitUntilStopped() }
                                race.addTask {
                                    if (try? await clock.sleep(untilNs: windowStart + duration)) != nil {
                                        dispatcher.stop("duration", now: windowStart + duration)
                                    }
                                }
                                await race.next()
                                race.cancelAll()
                            }
                        }
                        await dispatcher.waitUntilStopped()
                        try Task.checkCancellation()
                        try await clock.sleep(forNs: plan.drainTimeoutNs)
                    } catch {
                        return .watchdogStopped
                    }
                    return .drainExpired
                }
                var usersLeft = plan.concurrency
                while let finished = await group.next() {
                    switch finished {
                    case .user:
                        usersLeft -= 1
                        if usersLeft == 0 { group.cancelAll() }
                    case .drainExpired:
                        // In-flight requests past the drain limit are cancelled and recorded as such.
                        group.cancelAll()
                    case .watchdogStopped:
                        break
                    }
                }
            }
        } onCancel: {
            dispatcher.stop("cancelled", now: clock.now())
        }
        return dispatcher.result(endNs: clock.now())
    }
}
