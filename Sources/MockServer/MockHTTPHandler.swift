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
    /// The request's body went over `maxBodyBytes`: it is read to its end and discarded, then answered 413.
    private var bodyTooLarge = false
    /// The connection's read deadlines (shared with the handlers that see its raw bytes and its responses).
    private let timer: MockConnectionTimer?
    /// Slots held by this connection's requests, released at once when the client leaves.
    private var leases: [CapacityLease] = []
    /// This connection's requests waiting for a slot, withdrawn when the client leaves.
    private var tickets: [UInt64] = []
    static let maxBodyBytes = 8 << 20

    init(profile: MockProfile, counter: RequestCounter, gate: CapacityGate?, timer: MockConnectionTimer? = nil) {
        self.profile = profile
        self.counter = counter
        self.gate = gate
        self.timer = timer
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
            bodyTooLarge = false
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var chunk):
            if (body?.readableBytes ?? 0) + chunk.readableBytes <= Self.maxBodyBytes {
                body?.writeBuffer(&chunk)
            } else {
                bodyTooLarge = true
                body = nil
            }
        case .end:
            guard var head else { return }
            self.head = nil
            timer?.requestReceived()
            // The request is complete now: the mock's own clock for this request starts here.
            let received = NIODeadline.now()
            if bodyTooLarge {
                // The rest of an oversized upload is not worth reading: the answer ends the connection.
                head.headers.replaceOrAdd(name: "Connection", value: "close")
                let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
                let error = MockError.bodyTooLarge(limit: Self.maxBodyBytes)
                if let api = MockAPIs.definition(forPath: path) {
                    respondError(context, head: head, api: api, error)
                } else {
                    respondJSON(context, head: head, status: error.status,
                                body: MockJSON.error(message: error.message, type: error.type, code: error.code))
                }
            } else {
                route(head, body: body ?? ByteBuffer(), received: received, context: context)
            }
            body = nil
        }
    }

    private func route(_ head: HTTPRequestHead, body: ByteBuffer, received: NIODeadline, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        if let api = MockAPIs.definition(forPath: path) {
            if head.method == .POST {
                generate(api, head, body: body, received: received, context: context)
            } else {
                respondError(context, head: head, api: api, .methodNotAllowed(head.method), extraHeaders: [("Allow", "POST")])
            }
            return
        }
        let modelPrefix = "/v1/models/"
        let readable = head.method == .GET || head.method == .HEAD
        switch path {
        case "/v1/models" where readable:
            respond(context, head: head, status: .ok, contentType: "application/json", body: MockJSON.modelList(profile.models))
        case _ where readable && path.hasPrefix(modelPrefix):
            let id = String(path.dropFirst(modelPrefix.count)).removingPercentEncoding ?? ""
            if let model = profile.models.first(where: { $0.id == id }) {
                respond(context, head: head, status: .ok, contentType: "application/json", body: MockJSON.model(model))
            } else {
                respond(context, head: head, status: .notFound, contentType: "application/json",
                        body: #"{"error":"Model not found"}"#)
            }
        case "/v1/mock/stats" where readable:
            // The mock's own counts, for checks from outside (e.g. records on disk after kill -9 vs answers sent).
            respond(context, head: head, status: .ok, contentType: "application/json", body: counter.statsJSON)
        case _ where path == "/v1/models" || path == "/v1/mock/stats" || path.hasPrefix(modelPrefix):
            let error = MockError.methodNotAllowed(head.method)
            respond(context, head: head, status: error.status, contentType: "application/json",
                    body: MockJSON.error(message: error.message, type: error.type, code: error.code),
                    extraHeaders: [("Allow", "GET, HEAD")])
        default:
            // Under an API that owns its subpaths (a stored response, token counting, batches: none of them kept by a
            // stateless mock) the error takes that API's shape; elsewhere SambaNova's plain body.
            if let api = MockAPIs.definition(under: path) {
                respondError(context, head: head, api: api,
                             MockError(status: .notFound, type: "invalid_request_error", code: "not_found",
                                       message: "Not found: \(head.method) \(path)"))
            } else {
                respondJSON(context, head: head, status: .notFound, body: #"{"error":"Not found"}"#)
            }
        }
    }

    /// The key a request carries: `Authorization: Bearer KEY`, or (Messages) `x-api-key: KEY`.
    private func presentedKey(_ head: HTTPRequestHead, api: any MockAPIDefinition) -> String? {
        if let value = head.headers.first(name: "authorization") {
            let parts = value.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let key = parts[1].trimmingCharacters(in: .whitespaces)
                if !key.isEmpty { return key }
            }
        }
        if api.api == .messages, let key = head.headers.first(name: "x-api-key"), !key.isEmpty { return key }
        return nil
    }

    private func generate(_ api: any MockAPIDefinition, _ head: HTTPRequestHead, body: ByteBuffer, received: NIODeadline,
                          context: ChannelHandlerContext) {
        let key = presentedKey(head, api: api)
        guard let key, profile.apiKey.map({ $0 == key }) ?? true else {
            respondError(context, head: head, api: api, .unauthorized(keyGiven: key != nil))
            return
        }
        let request: MockRequest
        switch MockRequest.parse(api, body: body, models: profile.models) {
        case .success(let parsed): request = parsed
        case .failure(let error):
            respondError(context, head: head, api: api, error)
            return
        }
        let number = counter.next()
        let fault = profile.faults.fault(seed: profile.seed, requestNumber: number)
        switch fault {
        case .rateLimited:
            respondRateLimited(context, head: head, api: api)
            return
        case .overloaded(let plainText):
            if plainText {
                respond(context, head: head, status: .serviceUnavailable, contentType: "text/plain; charset=utf-8",
                        body: "Service Unavailable: the model is overloaded, try again later\n")
            } else {
                respondError(context, head: head, api: api, .overloaded(midStream: false))
            }
            return
        default:
            break
        }
        guard let gate else {
            begin(api, head, request: request, number: number, started: received, lease: nil, fault: fault,
                  context: context)
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
                handler.begin(api, head, request: request, number: number, started: .now(), lease: lease, fault: fault,
                              context: context)
            }
        }
        switch admission {
        case .active(let lease):
            begin(api, head, request: request, number: number, started: received, lease: lease, fault: fault,
                  context: context)
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
    private func begin(_ api: any MockAPIDefinition, _ head: HTTPRequestHead, request: MockRequest, number: UInt64,
                       started: NIODeadline, lease: CapacityLease?, fault: MockFault?, context: ChannelHandlerContext) {
        // The same `seed` gives the same text: the plan is keyed by it instead of the request's number.
        let completion = MockCompletion(profile: profile, maxTokens: request.maxTokens,
                                        requestNumber: request.seed.map { $0 ^ 0x5EED_5EED_5EED_5EED } ?? number,
                                        tools: request.callableTools, forceToolCall: request.toolRequired,
                                        stop: request.stop, format: request.format)
        // Batched prefill (capacity.batching) moves the start to the batch's; otherwise it stays.
        let (started, wallStart) = gate?.prefillStart(ready: started, ttftNs: profile.ttftNs)
            ?? (started, Date().timeIntervalSince1970)
        let run = MockRun(profile: profile, request: request, completion: completion, number: number, started: started,
                          wallStart: wallStart, lease: lease, fault: fault)
        let job = api.job(run: run)
        if let lease { leases.append(lease) }
        if request.stream {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/event-stream")
            headers.add(name: "Cache-Control", value: "no-cache")
            if Self.chunkedStreams(head) {
                headers.add(name: "Transfer-Encoding", value: "chunked")
            } else {
                // HTTP/1.0 knows no chunks: the stream's end is the connection's.
                headers.add(name: "Connection", value: "close")
            }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))),
                          promise: nil)
            writeEvents(context, job.opening())
            context.flush()
            scheduleChunk(0, job: job, head: head, context: context)
        } else if gate != nil {
            // The answer takes as long as generating it would at the changing rate, so its chunks are timed unseen.
            scheduleChunk(0, job: job, head: head, context: context)
        } else {
            let last = completion.chunkTokens.indices.last
            if let last, run.stallsForever(atChunk: last) { return }
            let deadline = started + .nanoseconds(last.map {
                completion.offsetNs(ofChunk: $0, profile: profile) + run.stallDelayNs(throughChunk: $0)
            } ?? profile.ttftNs)
            // The job lives on this channel's loop, like the handler.
            let bound = NIOLoopBound((handler: self, context: context, job: job), eventLoop: context.eventLoop)
            // Generation's first chunk came due at its planned time; the answer leaves with its last.
            let first = started + .nanoseconds(completion.chunkTokens.isEmpty ? profile.ttftNs
                                                   : completion.offsetNs(ofChunk: 0, profile: profile) + run.stallDelayNs(throughChunk: 0))
            context.eventLoop.scheduleTask(deadline: deadline) {
                let (handler, context, job) = bound.value
                guard context.channel.isActive else { return }
                run.markSent(first: first, last: .now())
                handler.respondWhole(job: job, head: head, context: context)
            }
        }
    }

    private func scheduleChunk(_ index: Int, job: any MockJob, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let run = job.run
        guard index < run.completion.chunkTokens.count else {
            if run.request.stream {
                finishStream(job: job, keepAlive: head.isKeepAlive && Self.chunkedStreams(head), context: context)
            } else {
                // Its chunks were timed unseen: the first one's time stands, the answer leaves now.
                run.markFinished(at: .now())
                if let written = respondWhole(job: job, head: head, context: context) { release(run, after: written) }
            }
            return
        }
        // A stall that never ends: nothing more is sent; the slot is freed when the client leaves.
        if run.stallsForever(atChunk: index) { return }
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
            // A faulty answer goes chunk by chunk, so its fault strikes exactly where it is planned.
            while handler.gate == nil, run.fault == nil, next < run.completion.chunkTokens.count,
                  next - index < Self.maxChunksPerWrite, handler.deadline(ofChunk: next, run: run) <= now {
                next += 1
            }
            if run.request.stream {
                if handler.strikeFault(beforeChunk: index, job: job, head: head, context: context) { return }
                var events = (index..<next).flatMap { job.events(ofChunk: $0) }
                if case .malformed = run.fault, index == run.faultChunk, !events.isEmpty {
                    events[0].data = String(events[0].data.prefix(events[0].data.utf8.count / 2))
                }
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

    /// Ends a stream with the fault due before chunk `index`, if one is: an error event, a dropped connection, or
    /// the rest of the stream dripped out. Returns true when the stream's planned course ends here.
    private func strikeFault(beforeChunk index: Int, job: any MockJob, head: HTTPRequestHead,
                             context: ChannelHandlerContext) -> Bool {
        let run = job.run
        switch run.fault {
        case .streamError(_, let alternateShape) where index == run.faultChunk:
            let now = NIODeadline.now()
            run.markSent(first: now, last: now)
            writeEvents(context, job.streamError(alternateShape: alternateShape))
            release(run, after: context.writeAndFlush(wrapOutboundOut(.end(nil))))
            if !head.isKeepAlive || !Self.chunkedStreams(head) { context.close(promise: nil) }
            return true
        case .disconnect where index == run.faultChunk:
            // Without the chunked body's last chunk: the client sees the connection end mid-answer.
            context.close(promise: nil)
            return true
        case .drip where index == 0:
            let now = NIODeadline.now()
            run.markSent(first: now, last: now)
            var events: [MockEvent] = []
            for chunk in run.completion.chunkTokens.indices { events += job.events(ofChunk: chunk) }
            events += job.closing()
            let keepAlive = head.isKeepAlive
            drip(Array(Self.render(events).utf8), from: 0, context: context) { handler, context in
                handler.release(run, after: context.writeAndFlush(handler.wrapOutboundOut(.end(nil))))
                if !keepAlive || !Self.chunkedStreams(head) { context.close(promise: nil) }
            }
            return true
        default:
            return false
        }
    }

    /// Writes `bytes` from `offset` on, `dripBytes` at a time every `dripIntervalNs`, then calls `done`.
    private func drip(_ bytes: [UInt8], from offset: Int, context: ChannelHandlerContext,
                      done: @escaping (MockHTTPHandler, ChannelHandlerContext) -> Void) {
        guard offset < bytes.count else {
            done(self, context)
            return
        }
        let end = min(offset + profile.faults.dripBytes, bytes.count)
        var buffer = context.channel.allocator.buffer(capacity: end - offset)
        buffer.writeBytes(bytes[offset..<end])
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let bound = NIOLoopBound((handler: self, context: context, done: done), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .nanoseconds(profile.faults.dripIntervalNs)) {
            let (handler, context, done) = bound.value
            guard context.channel.isActive else { return }
            handler.drip(bytes, from: end, context: context, done: done)
        }
    }

    /// The non-streamed answer, or what its fault makes of it: the error under 503, half a body and a close, a
    /// body cut in half, or a body dripped out. Returns when the answer will have been written, or nil when the drip
    /// releases the request's capacity slot itself at its end.
    @discardableResult
    private func respondWhole(job: any MockJob, head: HTTPRequestHead, context: ChannelHandlerContext) -> EventLoopFuture<Void>? {
        let body = job.wholeBody()
        switch job.run.fault {
        case .streamError:
            // Without a stream to break, the error is the answer: its status says so.
            let error = MockError.overloaded(midStream: true)
            return respondJSON(context, head: head, status: error.status, body: job.api.errorBody(error))
        case .malformed:
            return respondJSON(context, head: head, status: .ok, body: String(body.prefix(body.utf8.count / 2)))
        case .disconnect:
            writeHead(context, head: head, status: .ok, contentType: "application/json", length: body.utf8.count)
            var buffer = context.channel.allocator.buffer(capacity: body.utf8.count / 2)
            buffer.writeBytes(Array(body.utf8.prefix(body.utf8.count / 2)))
            let written = context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))))
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.whenComplete { _ in loopBoundContext.value.close(promise: nil) }
            return written
        case .drip:
            writeHead(context, head: head, status: .ok, contentType: "application/json", length: body.utf8.count)
            context.flush()
            let keepAlive = head.isKeepAlive
            let run = job.run
            drip(Array(body.utf8), from: 0, context: context) { handler, context in
                handler.release(run, after: context.writeAndFlush(handler.wrapOutboundOut(.end(nil))))
                if !keepAlive { context.close(promise: nil) }
            }
            return nil
        default:
            return respondJSON(context, head: head, status: .ok, body: body)
        }
    }
    /// The most chunks one write carries when several are due at once.
    private static let maxChunksPerWrite = 64

    /// Without capacity, chunk `index` is due at its drift-free offset from the start; with it, the rate depends on
    /// how many requests generate at the moment, so each chunk is timed from when the one before it was sent.
    /// A stall fault delays the chunk where it strikes and, by the same time, every later one.
    private func deadline(ofChunk index: Int, run: MockRun) -> NIODeadline {
        let stall = run.stallDelayNs(throughChunk: index)
        guard let gate, index > 0, let previous = run.lastSent else {
            return run.started + .nanoseconds(run.completion.offsetNs(ofChunk: index, profile: profile) + stall)
        }
        let rate = gate.capacity.decodeRate(active: gate.activeCount, singleRate: profile.decodeTokensPerSecond)
        let newStall = stall - run.stallDelayNs(throughChunk: index - 1)
        return previous + .nanoseconds(run.completion.intervalNs(beforeChunk: index, rate: rate) + newStall)
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
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        release(job.run, after: written)
        let counter = self.counter
        written.whenSuccess { counter.streamFinished() }
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

    /// Events as the stream's text, for writing other than event by event.
    private static func render(_ events: [MockEvent]) -> String {
        events.map { event in (event.name.map { "event: \($0)\n" } ?? "") + "data: \(event.data)\n\n" }.joined()
    }

    /// Streams go chunked to HTTP/1.1 clients; an HTTP/1.0 client gets the stream unchunked, ended by the close.
    private static func chunkedStreams(_ head: HTTPRequestHead) -> Bool {
        head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1)
    }

    private func respondError(_ context: ChannelHandlerContext, head: HTTPRequestHead, api: any MockAPIDefinition,
                              _ error: MockError, extraHeaders: [(String, String)] = []) {
        respond(context, head: head, status: error.status, contentType: "application/json", body: api.errorBody(error),
                extraHeaders: extraHeaders)
    }

    /// The rate-limit fault's 429 with its headers.
    private func respondRateLimited(_ context: ChannelHandlerContext, head: HTTPRequestHead, api: any MockAPIDefinition) {
        let faults = profile.faults
        let seconds = String((faults.retryAfterMs + 999) / 1000)
        respond(context, head: head, status: .tooManyRequests, contentType: "application/json",
                body: api.errorBody(.rateLimited(requestsPerMinute: faults.requestsPerMinute)),
                extraHeaders: [("Retry-After", seconds), ("retry-after-ms", String(faults.retryAfterMs)),
                               ("x-ratelimit-limit-requests", String(faults.requestsPerMinute)),
                               ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", seconds)])
    }

    private func writeHead(_ context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus,
                           contentType: String, length: Int, extraHeaders: [(String, String)] = []) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(length))
        headers.add(contentsOf: extraHeaders)
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                      promise: nil)
    }

    @discardableResult
    private func respondJSON(_ context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus,
                             body: String) -> EventLoopFuture<Void> {
        respond(context, head: head, status: status, contentType: "application/json", body: body)
    }

    @discardableResult
    private func respond(_ context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus,
                         contentType: String, body: String, extraHeaders: [(String, String)] = []) -> EventLoopFuture<Void> {
        writeHead(context, head: head, status: status, contentType: contentType, length: body.utf8.count,
                  extraHeaders: extraHeaders)
        // HEAD: the headers GET would get, without the body.
        if head.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
            buffer.writeString(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !head.isKeepAlive {
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.whenComplete { _ in loopBoundContext.value.close(promise: nil) }
        }
        return written
    }
}
