import NIOCore

/// One request being answered, whichever API renders it: the request, its plan, its capacity slot, and when its
/// chunks went out, from which the server's own timing figures are computed.
final class MockRun: @unchecked Sendable {
    let profile: MockProfile
    let request: MockRequest
    let completion: MockCompletion
    /// The request's number on this server, from 1: with the seed it fixes the answer.
    let number: UInt64
    /// When generation began on the monotonic clock: the end of the request, or the moment it got a capacity slot
    /// after queueing. TTFT and the server metrics count from it, so queueing shows only on the client's clock.
    let started: NIODeadline
    /// The same moment on the wall clock (epoch seconds), for `created`, `start_time` and `end_time`.
    let wallStart: Double
    /// The capacity slot it holds, when the server models capacity.
    let lease: CapacityLease?
    /// What goes wrong with this answer, if anything.
    let fault: MockFault?
    private var firstSent: NIODeadline?
    private(set) var lastSent: NIODeadline?

    init(profile: MockProfile, request: MockRequest, completion: MockCompletion, number: UInt64, started: NIODeadline,
         wallStart: Double, lease: CapacityLease?, fault: MockFault? = nil) {
        self.profile = profile
        self.request = request
        self.completion = completion
        self.number = number
        self.started = started
        self.wallStart = wallStart
        self.lease = lease
        self.fault = fault
    }

    /// The chunk before which a fault during generation strikes: the drawn count of chunks sent first, capped so
    /// that the answer's last chunk is still to come; nil without such a fault (or without chunks).
    var faultChunk: Int? {
        guard let after = fault?.afterChunks, !completion.chunkTokens.isEmpty else { return nil }
        return min(after, completion.chunkTokens.count - 1)
    }

    /// How much later than planned chunk `index` is due because of a stall that struck at or before it.
    func stallDelayNs(throughChunk index: Int) -> Int64 {
        guard case .stall = fault, let at = faultChunk, index >= at else { return 0 }
        return profile.faults.stallNs ?? 0
    }

    /// True when chunk `index` is never sent: a stall that does not end struck before it.
    func stallsForever(atChunk index: Int) -> Bool {
        guard case .stall = fault, let at = faultChunk else { return false }
        return index >= at && profile.faults.stallNs == nil
    }

    /// An id unique on this server and the same on every server with this seed: `prefix_seed_number`.
    func id(_ prefix: String) -> String { "\(prefix)_\(profile.seed)_\(number)" }

    func markChunkSent(index: Int, at time: NIODeadline) {
        if index == 0 { firstSent = time }
        lastSent = time
    }

    /// The answer left at `time`; the first chunk's time stands if it was timed (the capacity model times a whole
    /// answer's chunks unseen).
    func markFinished(at time: NIODeadline) {
        if firstSent == nil { firstSent = time }
        lastSent = time
    }

    func markSent(first: NIODeadline, last: NIODeadline) {
        firstSent = first
        lastSent = last
    }

    /// SambaNova's server-side figures, consistent with the relations in docs/wire-formats.md (Chat Completions,
    /// usage) and with when chunks were sent.
    var figures: ServerFigures {
        let first = firstSent ?? started
        let last = lastSent ?? first
        // A batch's requests share their prefill: each reports the batch's TTFT as planned, not its own write
        // time (which a busy machine spreads), so the batches formed are exactly what the figures say.
        let ttft = profile.capacity?.batching != nil ? Double(profile.ttftNs) / 1e9 : Double((first - started).nanoseconds) / 1e9
        let total = Double((last - started).nanoseconds) / 1e9
        let output = completion.outputTokens
        let all = output + request.promptTokens
        return ServerFigures(timeToFirstToken: ttft, totalLatency: total,
                             outputTokensPerSecond: total > 0 ? Double(output) / total : 0,
                             outputTokensAfterFirstPerSecond: total > ttft ? Double(max(output - 1, 0)) / (total - ttft) : 0,
                             totalTokensPerSecond: total > 0 ? Double(all) / total : 0,
                             startTime: wallStart, endTime: wallStart + total)
    }
}

/// The timing figures SambaNova adds to usage (seconds; start and end on the epoch).
struct ServerFigures {
    var timeToFirstToken: Double
    var totalLatency: Double
    var outputTokensPerSecond: Double
    var outputTokensAfterFirstPerSecond: Double
    var totalTokensPerSecond: Double
    var startTime: Double
    var endTime: Double
}

/// One Server-Sent Event as the mock writes it.
struct MockEvent {
    /// The `event:` line, when the API has one.
    var name: String?
    var data: String
}

/// One API's rendering of a run: the events of a stream in their order, or the whole answer at once. The handler
/// decides when each part is written, from the plan alone, so every API streams on the same schedule.
protocol MockJob: AnyObject {
    var run: MockRun { get }
    /// The API it renders.
    var api: MockAPI { get }
    /// Written with the response head, before the first chunk is due; they carry no tokens.
    func opening() -> [MockEvent]
    /// Written when chunk `index` is due: its tokens, after whatever ends the part before it and starts its own.
    func events(ofChunk index: Int) -> [MockEvent]
    /// Written after the last chunk: the end of the last part, the finish and usage, the terminator.
    func closing() -> [MockEvent]
    /// The non-streamed answer.
    func wholeBody() -> String
    /// An error event in the API's own in-stream shape (the mid-stream error fault); `alternateShape` picks the
    /// API's second shape where it has one.
    func streamError(alternateShape: Bool) -> [MockEvent]
}
