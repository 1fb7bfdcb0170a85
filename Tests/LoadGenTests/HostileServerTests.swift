import Foundation
import Testing
@testable import LoadGen
#if canImport(Glibc)
import Glibc
#endif

/// Broken and hostile servers, written byte by byte on raw sockets: every one ends in a classified record, with the
/// client's memory bounded.
@Suite(.serialized) struct HostileServerTests {
    static let fixtures: [APIKind: String] = [.chat: "chat_sambanova.sse", .responses: "responses_sambanova.sse",
                                              .messages: "messages_stream.sse", .completions: "completions_sambanova.sse"]
    static let sse = ["Content-Type: text/event-stream", "Transfer-Encoding: chunked"]

    /// Serves `script` to one request of `api` and returns its record.
    func run(_ api: APIKind = .chat, stream: Bool = true, timeouts: TransferTimeouts = TransferTimeouts(totalNs: 5_000_000_000),
             maxEventBytes: Int = 1 << 20, https: Bool = false,
             _ script: @escaping @Sendable (HostileConnection) -> Void) async throws -> (RequestRecord, HostileServer) {
        let server = try HostileServer(readingRequest: !https, script: script)
        defer { server.stop() }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        let baseURL = https ? server.baseURL.replacingOccurrences(of: "http:", with: "https:") : server.baseURL
        let record = await apiExecutor(api, transport, baseURL: baseURL, stream: stream, timeouts: timeouts,
                                       maxEventBytes: maxEventBytes).execute(context(0, clock: transport.clock))
        return (record, server)
    }

    static func fixture(_ api: APIKind) throws -> [UInt8] { try Fixtures.bytes(fixtures[api]!) }

    // MARK: Connecting

    @Test func nothingListeningIsConnect() async throws {
        let port = try closedLoopbackPort()
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        let record = await apiExecutor(.chat, transport, baseURL: "http://127.0.0.1:\(port)/v1")
            .execute(context(0, clock: transport.clock))
        #expect(record.errorClass == .connect && record.status == 0)
    }

    @Test func aFullListenBacklogIsAConnectTimeout() async throws {
        // Linux queues backlog + 1 connections that nobody accepts, then drops further SYNs: the next connect hangs.
        let server = try HostileServer(backlog: 0, accepting: false) { _ in }
        defer { server.stop() }
        let filler = try connectedSocket(port: server.port)
        defer { close(filler) }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        let record = await apiExecutor(.chat, transport, baseURL: server.baseURL,
                                       timeouts: TransferTimeouts(connectNs: 200_000_000, totalNs: 5_000_000_000))
            .execute(context(0, clock: transport.clock))
        #expect(record.errorClass == .timeoutConnect, "\(record.errorMessage ?? "")")
        #expect(record.headersNs == nil)
    }

    @Test func plainHTTPWhereTLSWasExpectedIsTLS() async throws {
        let (record, _) = try await run(https: true) { connection in
            connection.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        }
        #expect(record.errorClass == .tls)
    }

    @Test func closedOrResetBeforeAnyResponseIsConnect() async throws {
        let (closed, _) = try await run { $0.close() }
        #expect(closed.errorClass == .connect && closed.status == 0)
        let (reset, _) = try await run { $0.reset() }
        #expect(reset.errorClass == .connect && reset.status == 0)
    }

    @Test func garbageInsteadOfAStatusLineIsTransport() async throws {
        let (record, _) = try await run { connection in
            connection.write("SSH-2.0-OpenSSH_9.2\r\nnot http at all\r\n\r\n")
        }
        #expect(record.errorClass == .transport)
        #expect(record.errorMessage?.isEmpty == false)
    }

    // MARK: Waiting

    @Test func acceptsAndNeverAnswersIsAFirstTokenOrTotalTimeout() async throws {
        let (first, _) = try await run(timeouts: TransferTimeouts(firstTokenNs: 200_000_000, totalNs: 5_000_000_000)) {
            $0.holdUntilClientLeaves()
        }
        #expect(first.errorClass == .timeoutFirstToken && first.headersNs == nil)
        let (total, _) = try await run(timeouts: TransferTimeouts(totalNs: 300_000_000)) { $0.holdUntilClientLeaves() }
        #expect(total.errorClass == .timeoutTotal)
    }

    @Test func headersThenSilenceIsAFirstTokenTimeout() async throws {
        let (record, _) = try await run(timeouts: TransferTimeouts(firstTokenNs: 200_000_000, totalNs: 5_000_000_000)) {
            connection in
            connection.writeHead(Self.sse)
            connection.holdUntilClientLeaves()
        }
        #expect(record.errorClass == .timeoutFirstToken && record.status == 200)
    }

    @Test func keepAliveCommentsForeverAreNoTokens() async throws {
        // An endless stream of comments, as fast as the socket takes them: no token ever, memory flat.
        let (record, _) = try await run(timeouts: TransferTimeouts(firstTokenNs: 300_000_000, totalNs: 5_000_000_000)) {
            connection in
            guard connection.writeHead(Self.sse) else { return }
            let block = Array(String(repeating: ": keep-alive\n", count: 4096).utf8)
            while connection.writeChunk(block) && !connection.isStopping {}
        }
        #expect(record.errorClass == .timeoutFirstToken)
        #expect(record.chunks.isEmpty)
    }

    @Test func anEndlessStreamOfTokensIsATotalTimeout() async throws {
        let (record, _) = try await run(timeouts: TransferTimeouts(totalNs: 400_000_000)) { connection in
            guard connection.writeHead(Self.sse) else { return }
            let event = Array(#"data: {"choices":[{"delta":{"content":" more"},"index":0}]}"#.utf8) + [0x0A, 0x0A]
            while connection.writeChunk(event) && connection.pause(ms: 2) {}
        }
        #expect(record.errorClass == .timeoutTotal)
        #expect(record.chunks.count > 10)
    }

    @Test func oneBytePerSecondIsATotalTimeout() async throws {
        let body = try Self.fixture(.chat)
        let (record, _) = try await run(timeouts: TransferTimeouts(totalNs: 1_500_000_000)) { connection in
            guard connection.writeHead(Self.sse) else { return }
            for byte in body {
                guard connection.writeChunk([byte]), connection.pause(ms: 1000) else { return }
            }
        }
        #expect(record.errorClass == .timeoutTotal)
        #expect(record.bytesReceived <= 3)
    }

    @Test func aStallAfterTheFirstTokenIsAnIdleTimeout() async throws {
        let body = try Self.fixture(.chat)
        // Up to the end of the second event: the role-only chunk and the first content chunk.
        let firstTwo = Array(body[..<(nthEventEnd(body, 2))])
        let (record, _) = try await run(timeouts: TransferTimeouts(idleNs: 200_000_000, totalNs: 5_000_000_000)) { connection in
            guard connection.writeHead(Self.sse), connection.writeChunk(firstTwo) else { return }
            connection.holdUntilClientLeaves()
        }
        #expect(record.errorClass == .timeoutIdle)
        #expect(record.chunks.count == 1)
    }

    // MARK: Broken streams

    @Test func aHugeEventWithoutALineBreakIsEventTooLargeWithBoundedMemory() async throws {
        let limit = 64 << 10
        let (record, _) = try await run(maxEventBytes: limit) { connection in
            guard connection.writeHead(Self.sse), connection.writeChunk(Array("data: ".utf8)) else { return }
            let block = [UInt8](repeating: 0x61, count: 64 << 10)
            // Endless: only the client's limit stops it.
            while connection.writeChunk(block) && !connection.isStopping {}
        }
        #expect(record.errorClass == .eventTooLarge)
        // The transfer stopped within one libcurl write (at most 16 KiB, CURL_MAX_WRITE_SIZE) past the limit.
        #expect(record.bytesReceived <= limit + (16 << 10) + 64)
    }

    @Test func aHugeCommentWithoutALineBreakIsEventTooLarge() async throws {
        let (record, _) = try await run(maxEventBytes: 32 << 10) { connection in
            guard connection.writeHead(Self.sse), connection.writeChunk(Array(":".utf8)) else { return }
            let block = [UInt8](repeating: 0x20, count: 16 << 10)
            while connection.writeChunk(block) && !connection.isStopping {}
        }
        #expect(record.errorClass == .eventTooLarge)
    }

    @Test func invalidUTF8InsideAnEventIsMalformed() async throws {
        // JSON text must be UTF-8 (RFC 8259 §8.1): the event is undecodable, not counted as some number of bytes.
        let event = Array(#"data: {"choices":[{"delta":{"content":"ok "#.utf8) + [0xFF, 0xFE, 0xC3]
            + Array(#""},"index":0}]}"#.utf8) + [0x0A, 0x0A]
        let (record, _) = try await run { connection in
            connection.writeHead(Self.sse)
            connection.writeChunk(event)
            connection.writeChunk(Array("data: [DONE]\n\n".utf8))
            connection.write("0\r\n\r\n")
        }
        #expect(record.errorClass == .malformedEvent)
    }

    @Test(arguments: APIKind.allCases)
    func aConnectionResetMidStreamIsTruncated(api: APIKind) async throws {
        let body = try Self.fixture(api)
        let (record, _) = try await run(api) { connection in
            guard connection.writeHead(Self.sse), connection.writeChunk(Array(body[..<(body.count / 2)])),
                  connection.pause(ms: 50) else { return }
            connection.reset()
        }
        #expect(record.errorClass == .truncated, "\(record.errorMessage ?? "")")
        #expect(record.status == 200)
    }

    @Test(arguments: APIKind.allCases)
    func aCleanCloseWithoutTheTerminatorIsTruncated(api: APIKind) async throws {
        // The chunked body ends properly, but the stream's terminator never came.
        let body = try Self.fixture(api)
        let (record, _) = try await run(api) { connection in
            connection.writeHead(Self.sse)
            connection.writeChunk(Array(body[..<(nthEventEnd(body, 3))]))
            connection.write("0\r\n\r\n")
        }
        #expect(record.errorClass == .truncated)
    }

    // MARK: Encodings

    @Test(arguments: APIKind.allCases)
    func oneByteChunksOfAChunkedBodyReadTheSameAsOneWrite(api: APIKind) async throws {
        let body = try Self.fixture(api)
        let expected = try decodeStream(body, decoder: APIAdapters.decoder(for: api))
        let (record, _) = try await run(api) { connection in
            guard connection.writeHead(Self.sse) else { return }
            for byte in body where !connection.writeChunk([byte]) { return }
            connection.write("0\r\n\r\n")
        }
        #expect(record.errorClass == nil, "\(record.errorMessage ?? "")")
        #expect(record.chunks.count == expected.chunks.count)
        #expect(record.outputTokens == expected.usage?.outputTokens)
    }

    @Test(arguments: APIKind.allCases)
    func aGzipStreamTheClientDidNotAskForIsDecoded(api: APIKind) async throws {
        let body = try Self.fixture(api)
        let expected = try decodeStream(body, decoder: APIAdapters.decoder(for: api))
        let gzip = Gzip.compress(body)
        #expect(gzip.firstRange(of: Array("data:".utf8)) == nil)
        let (record, server) = try await run(api) { connection in
            guard connection.writeHead(Self.sse + ["Content-Encoding: gzip"]) else { return }
            // Cut anywhere: inside the gzip header, a block header, the trailer.
            var offset = 0
            for size in [3, 7, 100, 1, 999] + Array(repeating: 512, count: gzip.count / 512 + 1) where offset < gzip.count {
                let end = min(offset + size, gzip.count)
                guard connection.writeChunk(Array(gzip[offset..<end])) else { return }
                offset = end
            }
            connection.write("0\r\n\r\n")
        }
        #expect(record.errorClass == nil, "\(record.errorMessage ?? "")")
        #expect(record.chunks.count == expected.chunks.count)
        #expect(record.outputTokens == expected.usage?.outputTokens)
        // Compression is decoded but not asked for.
        let head = try #require(server.requestHeads.first).lowercased()
        #expect(head.contains("accept-encoding: identity"))
        #expect(!head.contains("gzip"))
    }

    @Test func aGzipWholeBodyIsDecoded() async throws {
        let answer = #"{"choices":[{"finish_reason":"stop","index":0,"message":{"content":"Hello there","role":"assistant"}}],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#
        let (record, _) = try await run(stream: false) { connection in
            connection.respond(contentType: "application/json", body: Gzip.compress(Array(answer.utf8)),
                               extraHeaders: ["Content-Encoding: gzip"])
        }
        #expect(record.errorClass == nil, "\(record.errorMessage ?? "")")
        #expect(record.outputTokens == 2)
    }

    @Test func aCorruptGzipBodyIsTransport() async throws {
        let (record, _) = try await run { connection in
            connection.writeHead(Self.sse + ["Content-Encoding: gzip"])
            connection.writeChunk([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF, 0x07, 0xFF, 0xFF, 0xFF, 0xFF])
            connection.write("0\r\n\r\n")
        }
        #expect(record.errorClass == .transport)
    }

    // MARK: Answers that are not the stream asked for

    @Test func aRedirectIsAnHTTPStatusErrorNamingTheLocation() async throws {
        let (record, server) = try await run { connection in
            connection.respond(status: "302 Found", contentType: "text/html", body: Array("moved".utf8),
                               extraHeaders: ["Location: https://elsewhere.example/v1/chat/completions"])
        }
        #expect(record.errorClass == .httpStatus && record.status == 302)
        #expect(record.errorMessage?.contains("https://elsewhere.example/v1/chat/completions") == true)
        #expect(server.requestHeads.count == 1)
    }

    @Test(arguments: APIKind.allCases)
    func aJSONErrorBodyWhereAStreamWasExpectedIsAStreamError(api: APIKind) async throws {
        let body = switch api {
        case .chat, .responses, .completions: #"{"error":{"message":"Model busy","type":"server_error","code":"busy"}}"#
        case .messages: #"{"type":"error","error":{"type":"overloaded_error","message":"Model busy"}}"#
        }
        let (record, _) = try await run(api) { $0.respond(contentType: "application/json", body: Array(body.utf8)) }
        #expect(record.errorClass == .streamError && record.status == 200)
        #expect(record.errorMessage == "Model busy")
        #expect(record.errorType == (api == .messages ? "overloaded_error" : "server_error"))
    }

    @Test func aWholeCompletionWhereAStreamWasExpectedIsTakenAsAWholeBody() async throws {
        let answer = #"{"choices":[{"finish_reason":"stop","index":0,"message":{"content":"Hello there","role":"assistant"}}],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#
        let (record, _) = try await run { $0.respond(contentType: "application/json", body: Array(answer.utf8)) }
        #expect(record.errorClass == nil)
        #expect(record.outputTokens == 2 && record.finishReason == "stop")
        // A whole body has no chunk timing.
        #expect(record.chunks.isEmpty)
    }

    @Test(arguments: APIKind.allCases)
    func errorStatusesCarryTheAPIsErrorBody(api: APIKind) async throws {
        let body = switch api {
        case .chat, .responses, .completions: #"{"error":{"message":"Invalid API key","type":"invalid_request_error","param":null,"code":"invalid_api_key"},"request_id":"r1"}"#
        case .messages: #"{"type":"error","error":{"type":"authentication_error","message":"Invalid API key"},"request_id":"r1"}"#
        }
        let (record, _) = try await run(api) { $0.respond(status: "401 Unauthorized", contentType: "application/json",
                                                          body: Array(body.utf8)) }
        #expect(record.errorClass == .httpStatus && record.status == 401)
        #expect(record.errorMessage == "Invalid API key")
        #expect(record.errorType == (api == .messages ? "authentication_error" : "invalid_request_error"))
        #expect(record.errorCode == (api == .messages ? nil : "invalid_api_key"))
        let (simple, _) = try await run(api) { $0.respond(status: "404 Not Found", contentType: "application/json",
                                                          body: Array(#"{"error":"Not found"}"#.utf8)) }
        #expect(simple.errorClass == .httpStatus && simple.errorMessage == "Not found")
    }

    @Test func a500InPlainTextIsAServerError() async throws {
        let (record, _) = try await run { $0.respond(status: "500 Internal Server Error", contentType: "text/plain",
                                                     body: Array("upstream crashed\n".utf8)) }
        #expect(record.errorClass == .serverError && record.errorMessage == "upstream crashed")
    }

    // MARK: The client gives up

    @Test func cancellingWhileTheServerSaysNothingIsCancelled() async throws {
        let server = try HostileServer { $0.holdUntilClientLeaves() }
        defer { server.stop() }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        let executor = apiExecutor(.chat, transport, baseURL: server.baseURL)
        let task = Task { await executor.execute(context(0, clock: transport.clock)) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        #expect(await task.value.errorClass == .cancelled)
    }
}

/// The offset just past the `n`th blank line (the end of the `n`th event) of an LF-only stream.
func nthEventEnd(_ bytes: [UInt8], _ n: Int) -> Int {
    var seen = 0
    for index in 1..<bytes.count where bytes[index] == 0x0A && bytes[index - 1] == 0x0A {
        seen += 1
        if seen == n { return index + 1 }
    }
    return bytes.count
}

/// A blocking client socket connected to `port` on loopback.
func connectedSocket(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else {
        close(fd)
        throw HostileServerError.socket(errno)
    }
    return fd
}
