import Foundation
import Testing
@testable import LoadGen
import MockServer

/// Starts a mock with `profile`, runs `body` with a transport and a factory for it, and cleans up.
func withMock<T>(_ profile: MockProfile, _ body: (MockServer, CurlTransport) async throws -> T) async throws -> T {
    let server = try await MockServer.start(profile: profile)
    let transport = CurlTransport(clock: RunClock())
    defer { transport.shutdown() }
    do {
        let result = try await body(server, transport)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

func chatExecutor(_ transport: CurlTransport, baseURL: String, maxTokens: Int? = nil, stream: Bool = true,
                  timeouts: TransferTimeouts = TransferTimeouts(), maxEventBytes: Int = 1 << 20) -> LiveExecutor {
    var scenario = Scenario(name: "t", baseURL: baseURL, model: "gpt-oss-120b", prompts: [.text("hello there")])
    scenario.request.maxTokens = maxTokens
    scenario.stream = stream
    scenario.timeouts = timeouts
    // The mock wants a key, as the service does.
    var factory = RequestFactory(scenario: scenario, baseURL: baseURL, apiKey: "dummy")
    factory.options.maxEventBytes = maxEventBytes
    return RequestExecutor(transport: transport, factory: factory)
}

func context(_ seq: Int, clock: RunClock) -> DispatchContext {
    DispatchContext(level: 0, levelName: "c1", seq: seq, warmup: false, scheduledNs: clock.now())
}

@Suite(.serialized) struct CurlTransportTests {
    let quick = MockProfile(ttftNs: 10_000_000, decodeTokensPerSecond: 5000, tokensPerChunk: 2...6, outputTokens: 30...30)

    @Test func streamsARequestAndReusesTheConnection() async throws {
        try await withMock(quick) { server, transport in
            let executor = chatExecutor(transport, baseURL: server.baseURL)
            let first = await executor.execute(context(0, clock: transport.clock))
            let second = await executor.execute(context(1, clock: transport.clock))
            #expect(first.errorClass == nil, "\(first.errorMessage ?? "")")
            #expect(first.outputTokens == 30 && first.tokenSource == .usage)
            #expect(first.chunks.map(\.tokens).reduce(0, +) == 30)
            #expect(first.finishReason == "stop")
            #expect(first.connection.newConnection)
            #expect(first.connection.connectNs != nil)
            #expect(!second.connection.newConnection)
            #expect(second.connection.connectNs == nil)
            let ttft = RequestRecordTiming.ttftMs(second)
            #expect(ttft >= 10 && ttft < 60)
            #expect(first.sentNs <= first.headersNs! && first.headersNs! <= first.firstByteNs!)
            #expect(first.firstByteNs! <= first.chunks[0].arrivalNs && first.chunks.last!.arrivalNs <= first.endNs)
        }
    }

    @Test func hundredsOfConcurrentTransfersOnOneThread() async throws {
        let records = try await withMock(MockProfile(ttftNs: 100_000_000, decodeTokensPerSecond: 400,
                                                     tokensPerChunk: 4...8, outputTokens: 40...40)) { server, transport in
            let executor = chatExecutor(transport, baseURL: server.baseURL)
            return await withTaskGroup(of: RequestRecord.self) { group in
                for seq in 0..<300 { group.addTask { await executor.execute(context(seq, clock: transport.clock)) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(records.count == 300)
        #expect(records.allSatisfy { $0.errorClass == nil && $0.outputTokens == 40 })
    }

    @Test func firstTokenTimeout() async throws {
        try await withMock(MockProfile(ttftNs: 3_000_000_000)) { server, transport in
            let executor = chatExecutor(transport, baseURL: server.baseURL,
                                        timeouts: TransferTimeouts(firstTokenNs: 150_000_000))
            let record = await executor.execute(context(0, clock: transport.clock))
            #expect(record.errorClass == .timeoutFirstToken)
            let elapsedMs = Double(record.endNs - record.sentNs) / 1e6
            #expect(elapsedMs >= 150 && elapsedMs < 1000)
        }
    }

    @Test func idleTimeoutBetweenChunks() async throws {
        try await withMock(MockProfile(ttftNs: 10_000_000, decodeTokensPerSecond: 2, tokensPerChunk: 1...1,
                                       outputTokens: 5...5)) { server, transport in
            let executor = chatExecutor(transport, baseURL: server.baseURL, timeouts: TransferTimeouts(idleNs: 150_000_000))
            let record = await executor.execute(context(0, clock: transport.clock))
            #expect(record.errorClass == .timeoutIdle)
            #expect(record.chunks.count == 1)
        }
    }

    @Test func totalTimeout() async throws {
        try await withMock(MockProfile(ttftNs: 2_000_000_000)) { server, transport in
            let executor = chatExecutor(transport, baseURL: server.baseURL, timeouts: TransferTimeouts(totalNs: 200_000_000))
            let record = await executor.execute(context(0, clock: transport.clock))
            #expect(record.errorClass == .timeoutTotal)
        }
    }

    @Test func connectionRefused() async throws {
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        // Port 1 on loopback has no listener here.
        let record = await chatExecutor(transport, baseURL: "http://127.0.0.1:1/v1").execute(context(0, clock: transport.clock))
        #expect(record.errorClass == .connect)
        #expect(record.status == 0)
        #expect(record.errorMessage?.isEmpty == false)
    }

    @Test func eventLargerThanTheLimitStopsTheTransfer() async throws {
        try await withMock(quick) { server, transport in
            let record = await chatExecutor(transport, baseURL: server.baseURL, maxEventBytes: 64)
                .execute(context(0, clock: transport.clock))
            #expect(record.errorClass == .eventTooLarge)
            #expect(record.errorMessage?.contains("larger than 64 bytes") == true)
        }
    }

    @Test func httpErrorFromTheServer() async throws {
        try await withMock(quick) { server, transport in
            let record = await chatExecutor(transport, baseURL: server.baseURL + "/missing")
                .execute(context(0, clock: transport.clock))
            #expect(record.errorClass == .httpStatus)
            #expect(record.status == 404)
            #expect(record.errorMessage == "Not found")
        }
    }

    @Test func nonStreamingRequest() async throws {
        try await withMock(quick) { server, transport in
            let record = await chatExecutor(transport, baseURL: server.baseURL, stream: false)
                .execute(context(0, clock: transport.clock))
            #expect(record.errorClass == nil)
            #expect(record.outputTokens == 30)
            #expect(record.chunks.isEmpty)
            #expect(!record.stream)
        }
    }

    @Test func cancellingTheTaskCancelsTheTransfer() async throws {
        try await withMock(MockProfile(ttftNs: 5_000_000_000)) { server, transport in
            let executor = chatExecutor(transport, baseURL: server.baseURL)
            let task = Task { await executor.execute(context(0, clock: transport.clock)) }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            let record = await task.value
            #expect(record.errorClass == .cancelled)
            #expect(Double(record.endNs - record.sentNs) / 1e6 < 2000)
        }
    }
}

@Suite struct TransferTimeoutTests {
    @Test func noClientTimeoutAfterTheTerminator() {
        let options = TransferOptions(streaming: true, decoder: ChatCompletionsDecoder(),
                                      timeouts: TransferTimeouts(firstTokenNs: 1_000, idleNs: 1_000))
        let transfer = Transfer(id: 1, request: HTTPRequest(url: "http://127.0.0.1:1/"), options: options, clock: RunClock())
        transfer.outcome.sentNs = 0
        #expect(transfer.expiredTimeout(now: 5_000)?.errorClass == .timeoutFirstToken)
        transfer.outcome.stream.terminatorNs = 2_000
        #expect(transfer.expiredTimeout(now: 5_000) == nil)
    }
}

enum RequestRecordTiming {
    static func ttftMs(_ record: RequestRecord) -> Double {
        guard let first = record.chunks.first else { return -1 }
        return Double(first.arrivalNs - record.sentNs) / 1e6
    }
}
