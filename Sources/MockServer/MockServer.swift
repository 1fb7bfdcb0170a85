import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP server on loopback that imitates SambaNova's Chat Completions, Responses and Messages APIs with known
/// timing.
public final class MockServer: Sendable {
    public let profile: MockProfile
    /// The bound port (the server binds port 0 unless told otherwise).
    public let port: Int
    public let host: String
    private let channel: Channel
    private let group: MultiThreadedEventLoopGroup
    private let gate: CapacityGate?

    private init(profile: MockProfile, host: String, port: Int, channel: Channel, group: MultiThreadedEventLoopGroup,
                 gate: CapacityGate?) {
        self.profile = profile
        self.gate = gate
        self.host = host
        self.port = port
        self.channel = channel
        self.group = group
    }

    /// `http://127.0.0.1:PORT/v1`
    public var baseURL: String { "http://\(host):\(port)/v1" }

    /// The paths it answers with generated text (POST), one per API in `MockAPIs.all`.
    public static var apiPaths: [String] { MockAPIs.all.map(\.path) }

    public static func start(profile: MockProfile, host: String = "127.0.0.1", port: Int = 0,
                             threads: Int = 1) async throws -> MockServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let counter = RequestCounter()
        let gate = profile.capacity.map(CapacityGate.init)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 4096)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let timer = MockConnectionTimer(idleTimeoutNs: profile.idleTimeoutNs,
                                                    requestReadTimeoutNs: profile.requestReadTimeoutNs)
                    let watchers = timer.handlers
                    try channel.pipeline.syncOperations.addHandler(watchers.bytes)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(watchers.responses)
                    try channel.pipeline.syncOperations.addHandler(
                        MockHTTPHandler(profile: profile, counter: counter, gate: gate, timer: timer))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            guard let bound = channel.localAddress?.port else {
                throw MockServerError.noPort
            }
            return MockServer(profile: profile, host: host, port: bound, channel: channel, group: group, gate: gate)
        } catch let error as IOError {
            try? await group.shutdownGracefully()
            // Said in words, not as the socket call's errno.
            throw MockServerError.cannotListen(host: host, port: port, reason: error.errnoCode == EADDRINUSE
                                                ? "the port is in use" : "\(error.description)")
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// The size of each prefill batch formed so far, in order (batched prefill only; empty otherwise).
    public var batchSizes: [Int] { gate?.batchSizes ?? [] }

    /// Closes the listening socket and every connection.
    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    /// Returns when the listening socket closes.
    public func waitUntilClosed() async throws {
        try await channel.closeFuture.get()
    }
}

public enum MockServerError: Error, CustomStringConvertible {
    case noPort
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .noPort: "the mock server bound no port"
        case .cannotListen(let host, let port, let reason):
            "the mock cannot listen on \(host):\(port): \(reason) (choose another with --port, or --port 0 for a free one)"
        }
    }
}
