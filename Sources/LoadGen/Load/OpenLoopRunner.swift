/// Open-loop load: requests start at their planned times whatever earlier ones do (wrk2's constant throughput),
/// so a slow server shows up as queueing instead of a lower offered load. Every record keeps its intended start
/// (`scheduled`) beside the actual one (`sent`). A cap bounds requests in flight; at the cap an arrival waits
/// (and starts late) or is dropped, by the level's policy.
public struct OpenLoopRunner<T: Transport, C: RunTimeClock>: Sendable {
    public let executor: RequestExecutor<T, C>
    public var clock: Timeline<C> { executor.timeline }

    public init(executor: RequestExecutor<T, C>) {
        self.executor = executor
    }

    private struct DrainExpired: Error {}

    public func run(_ plan: LevelPlan, firstSeq: Int, control: RunControl? = nil,
                    onRecord: @escaping @Sendable (RequestRecord) -> Void) async -> LevelResult {
        let clock = self.clock
        let executor = self.executor
        let dispatcher = LevelDispatcher(plan: plan, firstSeq: firstSeq)
        let finished: @Sendable (RequestRecord) -> Void = { record in
            dispatcher.ended(record)
            onRecord(record)
        }
        control?.attach(dispatcher, now: clock.now())
        defer { control?.detach(dispatcher) }
        let limit = InFlightLimit(limit: plan.maxInFlight)
        let startNs = clock.now()
        let driver = ArrivalDriver(clock: clock.clock)
        let start = clock.instant(atNs: startNs)
        do {
            // A discarding group: a long run keeps no finished child around.
            try await withThrowingDiscardingTaskGroup { group in
                var pacer = plan.pacer()
                await driver.run(&pacer, start: start, admit: { _, offset in
                    dispatcher.next(now: startNs + offset.nanosecondsValue)
                }, dispatch: { ticket, offset in
                    let context = DispatchContext(level: plan.index, levelName: plan.name, seq: ticket.seq,
                                                  warmup: ticket.warmup, scheduledNs: startNs + offset.nanosecondsValue)
                    if !limit.tryAcquire() {
                        if plan.dropAtCap {
                            onRecord(RecordBuilder.dropped(context: context, limit: plan.maxInFlight, factory: executor.factory,
                                                           nowNs: clock.now()))
                            return
                        }
                        await limit.acquire()
                    }
                    group.addTask {
                        await executor.run(context, reserveSeq: dispatcher.reserveSeq, onRecord: finished)
                        limit.release()
                    }
                })
                dispatcher.stop(Task.isCancelled ? "cancelled" : "schedule", now: clock.now())
                // The drain: in-flight requests may finish until the drain timeout; then they are cancelled (and
                // recorded as such) by leaving the group with an error.
                let deadline = clock.now() + plan.drainTimeoutNs
                while limit.inFlight > 0 {
                    if clock.now() >= deadline || Task.isCancelled { throw DrainExpired() }
                    try? await clock.sleep(forNs: 5_000_000)
                }
            }
        } catch {}
        return dispatcher.result(endNs: clock.now())
    }
}

extension LevelPlan {
    /// The pacer a level asks for.
    public func pacer() -> any Pacer {
        guard let shard, shard.count > 1 else { return wholePacer() }
        return ShardPacer(wholePacer(), shard: shard, slot: shardSlot)
    }

    /// The pacer of the whole level (every shard's arrivals).
    func wholePacer() -> any Pacer {
        switch load {
        case .concurrency:
            preconditionFailure("a closed-loop level has no pacer")
        case .ramp(let from, let to):
            return RampPacer(from: from, to: to, overNs: durationNs ?? 60_000_000_000)
        case .rate(let rate):
            switch arrival {
            case .constant: return ConstantPacer(rate: rate)
            case .poisson: return PoissonPacer(rate: rate, seed: seed)
            case .gamma: return GammaPacer(rate: rate, burstiness: burstiness, seed: seed)
            }
        }
    }
}
