import LoadGen
import Synchronization

/// A transport whose answers are written by the test: each request's status, first-token delay, chunks and usage,
/// stamped on a manual clock's time line. It honours cancellation (the task's, and `cancelAll`) as libcurl's does:
/// the transfer ends `cancelled` at that moment.
public final class ScriptedTransport: Transport, @unchecked Sendable {
    /// One answer, with times relative to the moment the request was sent.
    public struct Answer: Sendable {
        public var status: Int
        /// Headers arrive after this.
        public var headersNs: Int64
        /// The first token-carrying chunk arrives after this.
        public var ttftNs: Int64
        /// Each later chunk arrives this long after the one before.
        public var chunkGapNs: Int64
        /// Tokens of each chunk, in order; their sum is the usage's output tokens.
        public var chunkTokens: [Int]
        /// Answer bytes per token (a chunk's bytes are its tokens times this, so apportioning the usage over the
        /// chunks by text length gives back the scripted tokens).
        public var bytesPerToken: Int
        /// The server's usage: input tokens.
        public var inputTokens: Int
        /// A failure the client detected mid-stream (after the chunks), or nil.
        public var failure: StreamFailure?
        /// The terminator follows the last chunk after this.
        public var endGapNs: Int64 = 1_000_000

        public init(status: Int = 200, headersNs: Int64 = 1_000_000, ttftNs: Int64, chunkGapNs: Int64 = 10_000_000,
                    chunkTokens: [Int], bytesPerToken: Int = 4, inputTokens: Int = 10, failure: StreamFailure? = nil) {
            self.status = status
            self.headersNs = headersNs
            self.ttftNs = ttftNs
            self.chunkGapNs = chunkGapNs
            self.chunkTokens = chunkTokens
            self.bytesPerToken = bytesPerToken
            self.inputTokens = inputTokens
            self.failure = failure
        }

        /// An HTTP error answer (no stream) after `delayNs`.
        public static func status(_ status: Int, afterNs delayNs: Int64 = 1_000_000) -> Answer {
            Answer(status: status, headersNs: delayNs, ttftNs: delayNs, chunkTokens: [])
        }

        /// The time from sent to the end of the answer.
        public var durationNs: Int64 {
            chunkTokens.isEmpty ? headersNs : ttftNs + chunkGapNs * Int64(chunkTokens.count - 1) + endGapNs
        }
    }

    private struct State {
        var performed = 0
        var inFlight: [UInt64: Int] = [:]
        var requests: [HTTPRequest] = []
        var cancelReason: [UInt64: String] = [:]
    }

    public let clock: ManualClock
    public let timeline: Timeline<ManualClock>
    private let script: @Sendable (_ index: Int, _ request: HTTPRequest) -> Answer
    private let state = Mutex(State())

    /// `script` answers the `index`-th request performed (from 0).
    public init(clock: ManualClock, script: @escaping @Sendable (_ index: Int, _ request: HTTPRequest) -> Answer) {
        self.clock = clock
        self.timeline = Timeline(clock: clock, originNs: 0)
        self.script = script
    }

    /// Every request performed, in order.
    public var requests: [HTTPRequest] { state.withLock { $0.requests } }

    public var inFlight: Int { state.withLock { $0.inFlight.count } }

    public func load() -> TransportLoad {
        TransportLoad(atNs: timeline.now(), busyNs: 0, cpuNs: nil, wakeups: state.withLock { $0.performed })
    }

    public func cancelAll(reason: String) {
        let ids = state.withLock { state -> [UInt64] in
            for id in state.inFlight.keys { state.cancelReason[id] = reason }
            return Array(state.inFlight.keys)
        }
        for id in ids { clock.interrupt(id) }
    }

    public func perform(_ request: HTTPRequest, options: TransferOptions) async -> TransferOutcome {
        let id = clock.makeSleepID()
        let index = state.withLock { state -> Int in
            state.performed += 1
            state.requests.append(request)
            state.inFlight[id] = state.performed - 1
            return state.performed - 1
        }
        defer { _ = state.withLock { $0.inFlight.removeValue(forKey: id) } }
        let answer = script(index, request)
        var outcome = TransferOutcome()
        outcome.sentNs = timeline.now()
        let sent = outcome.sentNs
        // Ends the outcome as cancelled at the moment the wait was cut short.
        func cancelled(_ error: Error) -> TransferOutcome {
            var outcome = outcome
            outcome.completedNs = timeline.now()
            let reason = state.withLock { $0.cancelReason.removeValue(forKey: id) }
            outcome.failure = StreamFailure(.cancelled, message: reason ?? "cancelled")
            return outcome
        }
        do {
            try await clock.sleep(untilNs: sent + answer.headersNs, id: id)
            outcome.status = answer.status
            outcome.headersNs = sent + answer.headersNs
            guard (200..<300).contains(answer.status) else {
                outcome.completedNs = outcome.headersNs!
                return outcome
            }
            outcome.readAsStream = options.streaming
            outcome.firstByteNs = sent + answer.ttftNs
            for (index, tokens) in answer.chunkTokens.enumerated() {
                let arrival = sent + answer.ttftNs + answer.chunkGapNs * Int64(index)
                try await clock.sleep(untilNs: arrival, id: id)
                outcome.stream.addChunk(arrivalNs: arrival, answerBytes: tokens * answer.bytesPerToken, reasoningBytes: 0,
                                        toolBytes: 0)
                outcome.bytesReceived += tokens * answer.bytesPerToken
            }
            let end = sent + answer.durationNs
            try await clock.sleep(untilNs: end, id: id)
            outcome.lastByteNs = end
            outcome.completedNs = end
            outcome.stream.usage = ParsedUsage(inputTokens: answer.inputTokens, outputTokens: answer.chunkTokens.reduce(0, +))
            outcome.stream.finishReason = answer.failure == nil ? "stop" : nil
            if let failure = answer.failure {
                outcome.failure = failure
            } else {
                outcome.stream.terminatorNs = end
            }
            if !options.streaming {
                // A whole body: the chunks were only the server's pace.
                outcome.stream.chunks = []
            }
            return outcome
        } catch {
            return cancelled(error)
        }
    }
}
