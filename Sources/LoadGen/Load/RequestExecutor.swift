/// Sends requests and turns what came back into records: one request, or a whole conversation (its user turns and
/// tool round trips one after another, each its own record linked by conversation and turn), with the scenario's
/// retries (each attempt its own record).
public struct RequestExecutor<T: Transport, C: RunTimeClock>: Sendable {
    public let transport: T
    public let factory: RequestFactory
    /// The run's time line: `scheduled` of later turns and retries, and the retries' back-off.
    public let timeline: Timeline<C>

    public init(transport: T, factory: RequestFactory, timeline: Timeline<C>) {
        self.transport = transport
        self.factory = factory
        self.timeline = timeline
    }

    /// The opening request of `context.seq`'s prompt, alone (no retries, no further turns).
    public func execute(_ context: DispatchContext) async -> RequestRecord {
        let outcome = await transport.perform(factory.request(seq: context.seq, level: context.levelName), options: factory.options)
        var record = build(outcome, context: context)
        if !factory.recordText { record.output = nil }
        return record
    }

    /// The request of `context` and, when the scenario has conversations or tools, every turn after it: a turn
    /// follows when the answer called a tool (the canned result goes back, up to `tools.rounds` times per user
    /// turn) or the conversation has another user turn. A failed turn ends its conversation. Later turns and
    /// retries take their sequence numbers from `reserveSeq` (nil once the run is being stopped: nothing more is
    /// sent) and are scheduled when the request before them ended.
    public func run(_ context: DispatchContext, reserveSeq: @Sendable () -> Int?,
                    onRecord: @Sendable (RequestRecord) -> Void) async {
        var history: [HistoryItem] = [.prompt(factory.opening(seq: context.seq, level: context.levelName))]
        var userTurns = factory.followUps(seq: context.seq, level: context.levelName)[...]
        var turnContext = context
        var request = factory.request(seq: context.seq, level: context.levelName)
        var toolRounds = 0
        while true {
            let (record, answer) = await send(request, context: turnContext, reserveSeq: reserveSeq, onRecord: onRecord)
            guard factory.hasFollowUps, record.succeeded, let answer, !Task.isCancelled else { return }
            history.append(.assistant(answer))
            if let tools = factory.tools, !answer.toolCalls.isEmpty, toolRounds < tools.rounds {
                toolRounds += 1
                history.append(.toolResults(answer.toolCalls.map {
                    ToolResult(callId: $0.id, name: $0.name, output: tools.result(for: $0.name))
                }))
            } else if let next = userTurns.popFirst() {
                toolRounds = 0
                history.append(.user(next))
            } else {
                return
            }
            guard let seq = reserveSeq() else { return }
            turnContext = DispatchContext(level: context.level, levelName: context.levelName, seq: seq,
                                          warmup: context.warmup, scheduledNs: timeline.now(),
                                          conversation: context.seq, turn: turnContext.turn + 1)
            request = factory.request(history: history, level: context.levelName)
        }
    }

    /// One request and its retries; every attempt goes to `onRecord`. Returns the last attempt's record and answer.
    private func send(_ request: HTTPRequest, context: DispatchContext, reserveSeq: @Sendable () -> Int?,
                      onRecord: @Sendable (RequestRecord) -> Void) async -> (RequestRecord, CapturedOutput?) {
        var context = context
        var attempt = 1
        let policy = factory.retries
        while true {
            let outcome = await transport.perform(request, options: factory.options)
            var record = build(outcome, context: context)
            record.attempt = attempt
            let answer = record.output
            if !factory.recordText { record.output = nil }
            onRecord(record)
            guard let errorClass = record.errorClass, attempt <= policy.maxRetries, policy.on.contains(errorClass),
                  !Task.isCancelled else { return (record, answer) }
            let wait = policy.delayNs(afterAttempt: attempt, retryAfterMs: record.rateLimit.retryAfterMs)
            do { try await timeline.sleep(forNs: wait) } catch { return (record, answer) }
            guard let seq = reserveSeq() else { return (record, answer) }
            attempt += 1
            // `scheduled` of a retry: when its backoff ended.
            context = DispatchContext(level: context.level, levelName: context.levelName, seq: seq, warmup: context.warmup,
                                      scheduledNs: timeline.now(), conversation: context.conversation,
                                      turn: context.turn)
        }
    }

    private func build(_ outcome: TransferOutcome, context: DispatchContext) -> RequestRecord {
        var record = RecordBuilder.build(outcome, context: context, api: factory.api, model: factory.model,
                                         streaming: factory.options.streaming, decoder: factory.options.decoder)
        // A server may echo what it was sent (the key among it) in an error: it never reaches a file or a log.
        record.errorMessage = record.errorMessage.map(factory.redact)
        if record.inputTokens == nil, record.turn == 1 {
            // No usage from the server: the prompt's local estimate, marked as such (later turns re-send
            // answers the pool knows nothing of, so they stay empty).
            record.inputTokens = factory.prompts.inputTokens(seq: context.conversation, level: context.levelName)
            record.inputTokenSource = factory.prompts.inputTokenSource
        }
        return record
    }
}

extension RequestExecutor where T == CurlTransport, C == MonotonicSleepClock {
    /// libcurl on CLOCK_MONOTONIC, on the transport's own time line.
    public init(transport: CurlTransport, factory: RequestFactory) {
        self.init(transport: transport, factory: factory, timeline: Timeline(transport.clock))
    }
}

/// The executor of a live run: libcurl on CLOCK_MONOTONIC.
public typealias LiveExecutor = RequestExecutor<CurlTransport, MonotonicSleepClock>
