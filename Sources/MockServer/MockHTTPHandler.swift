import Foundation
import NIOCore
import NIOHTTP1

/// One connection's requests: routes them and writes the answers, streamed ones chunk by chunk on a schedule.
final class MockHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let profile: MockProfile
    private let counter: RequestCounter
    private let gate: CapacityGate?
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// Slots held by this connection's requests, released at once when the client leaves.
    private var leases: [CapacityLease] = []
    /// This connection's requests waiting for a slot, withdrawn when the client leaves.
    private var tickets: [UInt64] = []
    private static let maxBodyBytes = 8 << 20

    init(profile: MockProfile, counter: RequestCounter, gate: CapacityGate?) {
        self.profile = profile
        self.counter = counter
        self.gate = gate
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The next queued request starts now rather than when this one's next chunk would have come due.
        for lease in leases { lease.release() }
        leases.removeAll()
        for ticket in tickets { gate?.withdraw(ticket) }
        tickets.removeAll()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var chunk):
            if (body?.readableBytes ?? 0) + chunk.readableBytes <= Self.maxBodyBytes {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            // The request is complete now: the mock's own clock for this request starts here.
            let received = NIODeadline.now()
            route(head, body: body ?? ByteBuffer(), received: received, context: context)
            body = nil
        }
    }

    private func route(_ head: HTTPRequestHead, body: ByteBuffer, received: NIODeadline, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        switch (head.method, path) {
        case (.POST, "/v1/chat/completions"):
            generate(.chat, head, body: body, received: received, context: context)
        case (.POST, "/v1/responses"):
            generate(.responses, head, body: body, received: received, context: context)
        case (.POST, "/v1/messages"):
            generate(.messages, head, body: body, received: received, context: context)
        case (.GET, "/v1/models"):
            respondJSON(context, head: head, status: .ok, body: MockJSON.modelList(profile.models))
        case (_, "/v1/chat/completions"), (_, "/v1/models"), (_, "/v1/responses"), (_, "/v1/messages"):
            respondError(context, head: head, api: MockAPI(path: path) ?? .chat,
                         MockError(status: .methodNotAllowed, type: "invalid_request_error", code: "method_not_allowed",
                                   message: "Method \(head.method) not allowed"))
        default:
            // Under the Responses or Messages path (a stored response, token counting, batches: none of them kept by
            // a stateless mock) the error takes that API's shape; elsewhere SambaNova's plain body.
            if let api = MockAPI(path: path), api != .chat {
                respondError(context, head: head, api: api,
                             MockError(status: .notFound, type: "invalid_request_error", code: "not_found",
                                       message: "Not found: \(head.method) \(path)"))
            } else {
                respondJSON(context, head: head, status: .notFound, body: #"{"error":"Not found"}"#)
            }
        }
    }

    private func generate(_ api: MockAPI, _ head: HTTPRequestHead, body: ByteBuffer, received: NIODeadline,
                          context: ChannelHandlerContext) {
        let request: MockRequest
        switch MockRequest.parse(api, body: body) {
        case .success(let parsed): request = parsed
        case .failure(let error):
            respondError(context, head: head, api: api, error)
            return
        }
        let number = counter.next()
        guard let gate else {
            begin(api, head, request: request, number: number, started: received, lease: nil, context: context)
            return
        }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        let admission = gate.admit { ticket, lease in
            // Called from whichever loop freed the slot: the request runs on its own channel's loop.
            loop.execute {
                let (handler, context) = bound.value
                handler.tickets.removeAll { $0 == ticket }
                guard context.channel.isActive else {
                    lease.release()
                    return
                }
                handler.begin(api, head, request: request, number: number, started: .now(), lease: lease, context: context)
            }
        }
        switch admission {
        case .active(let lease):
            begin(api, head, request: request, number: number, started: received, lease: lease, context: context)
        case .queued(let ticket):
            tickets.append(ticket)
        case .full:
            respondError(context, head: head, api: api,
                         MockError(status: .tooManyRequests, type: "rate_limit_error", code: "queue_full",
                                   message: "Too many requests: \(gate.capacity.maxQueue) are already queued"))
        }
    }

    /// Generates the answer from `started` on: at once, or when a queued request gets its slot (so a streamed
    /// answer's headers and opening events also wait for it).
    private func begin(_ api: MockAPI, _ head: HTTPRequestHead, request: MockRequest, number: UInt64,
                       started: NIODeadline, lease: CapacityLease?, context: ChannelHandlerContext) {
        let completion = MockCompletion(profile: profile, maxTokens: request.maxTokens, requestNumber: number,
                                        tools: request.callableTools)
        let run = MockRun(profile: profile, request: request, completion: completion, number: number, started: started,
                          wallStart: Date().timeIntervalSince1970, lease: lease)
        let job: any MockJob = switch api {
        case .chat: ChatJob(run: run)
        case .responses: ResponsesJob(run: run)
        case .messages: MessagesJob(run: run)
        }
        if let lease { leases.append(lease) }
        if request.stream {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/event-stream")
            headers.add(name: "Cache-Control", value: "no-cache")
            headers.add(name: "Transfer-Encoding", value: "chunked")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))),
                          promise: nil)
            writeEvents(context, job.opening())
            context.flush()
            scheduleChunk(0, job: job, head: head, context: context)
        } else if gate != nil {
            // The answer takes as long as generating it would at the changing rate, so its chunks are timed unseen.
            scheduleChunk(0, job: job, head: head, context: context)
        } else {
            let deadline = started + .nanoseconds(completion.chunkTokens.indices.last.map {
                completion.offsetNs(ofChunk: $0, profile: profile)
            } ?? profile.ttftNs)
            // The job lives on this channel's loop, like the handler.
            let bound = NIOLoopBound((handler: self, context: context, job: job), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(deadline: deadline) {
                let (handler, context, job) = bound.value
                guard context.channel.isActive else { return }
                let sent = NIODeadline.now()
                run.markSent(first: sent, last: sent)
                handler.respondJSON(context, head: head, status: .ok, body: job.wholeBody())
            }
        }
    }

    private func scheduleChunk(_ index: Int, job: any MockJob, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let run = job.run
        guard index < run.completion.chunkTokens.count else {
            if run.request.stream {
                finishStream(job: job, keepAlive: head.isKeepAlive, context: context)
            } else {
                let sent = NIODeadline.now()
                run.markSent(first: sent, last: sent)
                release(run, after: respondJSON(context, head: head, status: .ok, body: job.wholeBody()))
            }
            return
        }
        let bound = NIOLoopBound((handler: self, context: context, job: job), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(deadline: deadline(ofChunk: index, run: run)) {
            let (handler, context, job) = bound.value
            guard context.channel.isActive else {
                run.lease?.release()
                return
            }
            // Chunks already due go out with this one, in one write, as a server that streams faster than its timer
            // ticks (or has fallen behind) sends them. Under the capacity model each chunk is timed from the last.
            var next = index + 1
            let now = NIODeadline.now()
            while handler.gate == nil, next < run.completion.chunkTokens.count, next - index < Self.maxChunksPerWrite,
                  handler.deadline(ofChunk: next, run: run) <= now {
                next += 1
            }
            if run.request.stream {
                let events = (index..<next).flatMap { job.events(ofChunk: $0) }
                if index == 0 && handler.profile.stampSendTimes {
                    // Read last, just before the bytes are handed to the socket.
                    handler.writeStamp(context, sentNs: MockClock.monotonicNanoseconds())
                }
                handler.writeEvents(context, events)
                context.flush()
            }
            let sent = NIODeadline.now()
            for chunk in index..<next { run.markChunkSent(index: chunk, at: sent) }
            handler.scheduleChunk(next, job: job, head: head, context: context)
        }
    }

    /// The most chunks one write carries when several are due at once.
    private static let maxChunksPerWrite = 64

    /// Without capacity, chunk `index` is due at its drift-free offset from the start; with it, the rate depends on
    /// how many requests generate at the moment, so each chunk is timed from when the one before it was sent.
    private func deadline(ofChunk index: Int, run: MockRun) -> NIODeadline {
        guard let gate, index > 0, let previous = run.lastSent else {
            return run.started + .nanoseconds(run.completion.offsetNs(ofChunk: index, profile: profile))
        }
        let rate = gate.capacity.decodeRate(active: gate.activeCount, singleRate: profile.decodeTokensPerSecond)
        return previous + .nanoseconds(run.completion.intervalNs(beforeChunk: index, rate: rate))
    }

    /// A request ends when its last byte is written (or cannot be): then its slot passes on.
    private func release(_ run: MockRun, after written: EventLoopFuture<Void>) {
        guard let lease = run.lease else { return }
        leases.removeAll { $0 === lease }
        written.whenComplete { _ in lease.release() }
    }

    private func finishStream(job: any MockJob, keepAlive: Bool, context: ChannelHandlerContext) {
        if job.run.completion.chunkTokens.isEmpty {
            let now = NIODeadline.now()
            job.run.markSent(first: now, last: now)
        }
        writeEvents(context, job.closing())
        release(job.run, after: context.writeAndFlush(wrapOutboundOut(.end(nil))))
        if !keepAlive { context.close(promise: nil) }
    }

    /// The send-time stamp comment (LoadGen's `SendStamp` reads it).
    private func writeStamp(_ context: ChannelHandlerContext, sentNs: Int64) {
        var buffer = context.channel.allocator.buffer(capacity: 40)
        buffer.writeStaticString(": x-mock-sent-ns ")
        buffer.writeString(String(sentNs))
        buffer.writeStaticString("\n")
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    }

    /// Writes events without flushing: those due at one moment leave together.
    private func writeEvents(_ context: ChannelHandlerContext, _ events: [MockEvent]) {
        var buffer = context.channel.allocator.buffer(capacity: events.reduce(0) { $0 + $1.data.utf8.count + 64 })
        for event in events {
            if let name = event.name {
                buffer.writeStaticString("event: ")
                buffer.writeString(name)
                buffer.writeStaticString("\n")
            }
            buffer.writeStaticString("data: ")
            buffer.writeString(event.data)
            buffer.writeStaticString("\n\n")
        }
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    }

    private func respondError(_ context: ChannelHandlerContext, head: HTTPRequestHead, api: MockAPI, _ error: MockError) {
        respondJSON(context, head: head, status: error.status, body: api.errorBody(error))
    }

    @discardableResult
    private func respondJSON(_ context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus,
                             body: String) -> EventLoopFuture<Void> {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                      promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !head.isKeepAlive {
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.whenComplete { _ in loopBoundContext.value.close(promise: nil) }
        }
        return written
    }
}
