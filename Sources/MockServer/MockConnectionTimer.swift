import NIOCore
import NIOHTTP1

/// A connection's read deadlines, which end idle and slowloris connections: with nothing to answer, the client has
/// `idleTimeoutNs` to start its next request; once it has started one (its first byte), `requestReadTimeoutNs` to
/// finish sending it, headers and body. A response being written holds neither (a stall that never ends keeps its
/// connection until the client leaves). Lives on its channel's event loop, shared by the handlers below.
final class MockConnectionTimer {
    private let idleTimeoutNs: Int64
    private let requestReadTimeoutNs: Int64
    /// Bytes of a request have arrived, its end not yet.
    private var requestOpen = false
    /// Requests received and not yet answered to their end.
    private var inFlight = 0
    private var deadline: Scheduled<Void>?
    private var channel: Channel?

    init(idleTimeoutNs: Int64, requestReadTimeoutNs: Int64) {
        self.idleTimeoutNs = idleTimeoutNs
        self.requestReadTimeoutNs = requestReadTimeoutNs
    }

    /// The pipeline's handlers: the one that sees raw bytes (first) and the one that sees responses end (before the
    /// mock's handler).
    var handlers: (bytes: any ChannelInboundHandler & RemovableChannelHandler, responses: any ChannelOutboundHandler & RemovableChannelHandler) {
        (BytesWatcher(timer: self), ResponsesWatcher(timer: self))
    }

    fileprivate func active(_ channel: Channel) {
        self.channel = channel
        arm(idleTimeoutNs)
    }

    fileprivate func bytesArrived() {
        guard !requestOpen else { return }
        requestOpen = true
        arm(requestReadTimeoutNs)
    }

    /// The request's end has been read.
    func requestReceived() {
        requestOpen = false
        inFlight += 1
        deadline?.cancel()
        deadline = nil
    }

    fileprivate func responseEnded() {
        inFlight = max(inFlight - 1, 0)
        if inFlight == 0, !requestOpen { arm(idleTimeoutNs) }
    }

    fileprivate func inactive() {
        deadline?.cancel()
        deadline = nil
        channel = nil
    }

    private func arm(_ timeoutNs: Int64) {
        deadline?.cancel()
        guard let channel else { return }
        let bound = NIOLoopBound(self, eventLoop: channel.eventLoop)
        deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(timeoutNs)) {
            let timer = bound.value
            guard timer.requestOpen || timer.inFlight == 0 else { return }
            timer.channel?.close(promise: nil)
        }
    }

    private final class BytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let timer: MockConnectionTimer
        init(timer: MockConnectionTimer) { self.timer = timer }

        func channelActive(context: ChannelHandlerContext) {
            timer.active(context.channel)
            context.fireChannelActive()
        }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { timer.active(context.channel) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if unwrapInboundIn(data).readableBytes > 0 { timer.bytesArrived() }
            context.fireChannelRead(data)
        }

        func channelInactive(context: ChannelHandlerContext) {
            timer.inactive()
            context.fireChannelInactive()
        }
    }

    private final class ResponsesWatcher: ChannelOutboundHandler, RemovableChannelHandler {
        typealias OutboundIn = HTTPServerResponsePart
        typealias OutboundOut = HTTPServerResponsePart
        let timer: MockConnectionTimer
        init(timer: MockConnectionTimer) { self.timer = timer }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .end = unwrapOutboundIn(data) { timer.responseEnded() }
            context.write(data, promise: promise)
        }
    }
}
