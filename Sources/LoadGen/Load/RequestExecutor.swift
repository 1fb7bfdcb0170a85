/// Sends requests and turns what came back into records: one request, or a whole conversation (its user turns and
/// tool round trips one after another, each its own record linked by conversation and turn).
public struct RequestExecutor: Sendable {
    public let transport: CurlTransport
    public let factory: RequestFactory

    public init(transport: CurlTransport, factory: RequestFactory) {
        self.transport = transport
        self.factory = factory
    }

    /// The opening request of `context.seq`'s prompt, alone.
    public func execute(_ context: DispatchContext) async -> RequestRecord {
        let outcome = await transport.perform(factory.request(seq: context.seq), options: factory.options)
        return finish(outcome, context: context)
    }

    /// The request of `context` and, when the scenario has conversations or tools, every turn after it: a turn
    /// follows when the answer called a tool (the canned result goes back, up to `tools.rounds` times per user
    /// turn) or the conversation has another user turn. A failed turn ends its conversation. Later turns take
    /// their sequence numbers from `reserveSeq` and are scheduled when the turn before them ended.
    public func run(_ context: DispatchContext, reserveSeq: @Sendable () -> Int,
                    onRecord: @Sendable (RequestRecord) -> Void) async {
        guard factory.hasFollowUps else {
            onRecord(await execute(context))
            return
        }
        var history: [HistoryItem] = [.prompt(factory.opening(seq: context.seq))]
        var userTurns = factory.followUps(seq: context.seq)[...]
        var turnContext = context
        var request = factory.request(seq: context.seq)
        var toolRounds = 0
        while true {
            let outcome = await transport.perform(request, options: factory.options)
            let output = outcome.stream.capture
            var record = finish(outcome, context: turnContext)
            let answer = record.output ?? output
            if !factory.recordText { record.output = nil }
            onRecord(record)
            guard record.succeeded, let answer, !Task.isCancelled else { return }
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
            turnContext = DispatchContext(level: context.level, levelName: context.levelName, seq: reserveSeq(),
                                          warmup: context.warmup, scheduledNs: transport.clock.now(),
                                          conversation: context.seq, turn: turnContext.turn + 1)
            request = factory.request(history: history)
        }
    }

    private func finish(_ outcome: TransferOutcome, context: DispatchContext) -> RequestRecord {
        var record = RecordBuilder.build(outcome, context: context, api: factory.api, model: factory.model,
                                         streaming: factory.options.streaming, decoder: factory.options.decoder)
        if !factory.recordText && !factory.hasFollowUps { record.output = nil }
        return record
    }
}
