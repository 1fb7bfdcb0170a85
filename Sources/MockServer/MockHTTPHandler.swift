import Foundation
import NIOCore
import NIOHTTP1

/// One connection's requests: routes them and writes the answers, streamed ones chunk by chunk on a schedule.
final class MockHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let profile: MockProfile
    private let counter: RequestCounter
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private static let maxBodyBytes = 8 << 20

    init(profile: MockProfile, counter: RequestCounter) {
        self.profile = profile
        self.counter = counter
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
            chatCompletions(head, body: body, received: received, context: context)
        case (.GET, "/v1/models"):
            respondJSON(context, head: head, status: .ok, body: MockJSON.modelList(profile.models))
        case (_, "/v1/chat/completions"), (_, "/v1/models"):
            respondJSON(context, head: head, status: .methodNotAllowed,
                        body: MockJSON.error(message: "Method \(head.method) not allowed", type: "invalid_request_error",
                                             code: "method_not_allowed"))
        default:
            respondJSON(context, head: head, status: .notFound, body: #"{"error":"Not found"}"#)
        }
    }

    private func chatCompletions(_ head: HTTPRequestHead, body: ByteBuffer, received: NIODeadline,
                                 context: ChannelHandlerContext) {
        let request: ChatRequest
        switch ChatRequest.parse(body) {
        case .success(let parsed): request = parsed
        case .failure(let error):
            respondJSON(context, head: head, status: .badRequest,
                        body: MockJSON.error(message: error.message, type: "invalid_request_error", code: error.code))
            return
        }
        let number = counter.next()
        let completion = MockCompletion(profile: profile, maxTokens: request.maxTokens, requestNumber: number)
        let job = ChatJob(profile: profile, request: request, completion: completion, received: received,
                          wallStart: Date().timeIntervalSince1970, id: "mock-\(profile.seed)-\(number)")
        if request.stream {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/event-stream")
            headers.add(name: "Cache-Control", value: "no-cache")
            headers.add(name: "Transfer-Encoding", value: "chunked")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))),
                          promise: nil)
            // SambaNova's first event carries only the role: a client must not count it as a token.
            writeEvent(context, job.roleChunk())
            context.flush()
            scheduleChunk(0, job: job, keepAlive: head.isKeepAlive, context: context)
        } else {
            let deadline = received + .nanoseconds(completion.chunkTokens.indices.last.map {
                completion.offsetNs(ofChunk: $0, profile: profile)
            } ?? profile.ttftNs)
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(deadline: deadline) {
                let (handler, context) = bound.value
                guard context.channel.isActive else { return }
                let sent = NIODeadline.now()
                job.markSent(first: sent, last: sent)
                handler.respondJSON(context, head: head, status: .ok, body: job.wholeCompletion())
            }
        }
    }

    private func scheduleChunk(_ index: Int, job: ChatJob, keepAlive: Bool, context: ChannelHandlerContext) {
        guard index < job.completion.chunkTokens.count else {
            finishStream(job: job, keepAlive: keepAlive, context: context)
            return
        }
        let deadline = job.received + .nanoseconds(job.completion.offsetNs(ofChunk: index, profile: profile))
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            guard context.channel.isActive else { return }
            handler.writeEvent(context, job.contentChunk(index))
            context.flush()
            job.markChunkSent(index: index, at: NIODeadline.now())
            handler.scheduleChunk(index + 1, job: job, keepAlive: keepAlive, context: context)
        }
    }

    private func finishStream(job: ChatJob, keepAlive: Bool, context: ChannelHandlerContext) {
        if job.completion.chunkTokens.isEmpty {
            let now = NIODeadline.now()
            job.markSent(first: now, last: now)
        }
        writeEvent(context, job.finishChunk())
        writeEvent(context, job.usageChunk())
        writeEvent(context, "[DONE]")
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if !keepAlive { context.close(promise: nil) }
    }

    private func writeEvent(_ context: ChannelHandlerContext, _ data: String) {
        var buffer = context.channel.allocator.buffer(capacity: data.utf8.count + 8)
        buffer.writeStaticString("data: ")
        buffer.writeString(data)
        buffer.writeStaticString("\n\n")
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    }

    private func respondJSON(_ context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus,
                             body: String) {
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
    }
}
