import Foundation
import Testing
@testable import LoadGen

/// nghttpd (Debian's nghttp2-server), an HTTP/2-only server, when installed.
let nghttpd = ["/usr/sbin/nghttpd", "/usr/bin/nghttpd", "/usr/local/bin/nghttpd"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// HTTP/2 with prior knowledge on cleartext (h2c) against nghttpd serving the fixtures as files: every API's
/// path answers with their recorded streams (no Content-Type: the transport reads them as event streams).
@Suite(.serialized, .enabled(if: nghttpd != nil, "needs nghttpd (apt-get install nghttp2-server)"))
struct HTTP2Tests {
    /// Runs `body` with nghttpd serving the fixtures on a free loopback port.
    func withNghttpd(_ body: (String) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sambabench-h2-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for api in APIKind.allCases {
            let file = root.appendingPathComponent("v1" + APIRegistry.path(of: api))
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(try HostileServerTests.fixture(api)).write(to: file)
        }
        let port = try closedLoopbackPort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try #require(nghttpd))
        server.arguments = ["--no-tls", "-a", "127.0.0.1", "-d", root.path, String(port)]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            // SIGKILL: a child of the test process inherits its blocked SIGTERM.
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        // Listening once a connection is accepted.
        var ready = false
        for _ in 0..<100 where !ready {
            if let fd = try? connectedSocket(port: port) {
                close(fd)
                ready = true
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try #require(ready, "nghttpd did not start")
        try await body("http://127.0.0.1:\(port)/v1")
    }

    @Test func priorKnowledgeSpeaksHTTP2ToAnH2cServer() async throws {
        try await withNghttpd { baseURL in
            let transport = CurlTransport(clock: RunClock())
            defer { transport.shutdown() }
            for api in APIKind.allCases {
                let expected = try decodeStream(try HostileServerTests.fixture(api), decoder: APIAdapters.decoder(for: api))
                let record = await apiExecutor(api, transport, baseURL: baseURL, http2PriorKnowledge: true)
                    .execute(context(0, clock: transport.clock))
                #expect(record.errorClass == nil, "\(api): \(record.errorMessage ?? "")")
                #expect(record.chunks.count == expected.chunks.count)
                #expect(record.outputTokens == expected.usage?.outputTokens)
            }
            // Many streams at once (multiplexed on one connection from libcurl 8.0.0 on).
            let executor = apiExecutor(.chat, transport, baseURL: baseURL, http2PriorKnowledge: true)
            let records = await withTaskGroup(of: RequestRecord.self) { group in
                for seq in 0..<32 { group.addTask { await executor.execute(context(seq, clock: transport.clock)) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(records.allSatisfy { $0.errorClass == nil }, "\(records.compactMap(\.errorMessage).prefix(3))")
            // Without it, HTTP/1.1 meets a server that speaks only HTTP/2: a transport error, not a hang.
            let plain = await apiExecutor(.chat, transport, baseURL: baseURL).execute(context(0, clock: transport.clock))
            #expect(plain.errorClass == .transport, "\(plain.errorMessage ?? "")")
        }
    }
}
