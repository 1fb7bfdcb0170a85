import Foundation
import Testing
@testable import LoadGen
import MockServer

/// The mock's stamped send times reach the records, and the transport reports its own load.
@Suite(.serialized) struct SelfCalibrationTests {
    @Test func commentsReachTheirHandlerAndEventsAreUnchanged() throws {
        var parser = SSEParser()
        var comments: [String] = []
        var events: [String] = []
        let stream = Array(": ping\ndata: a\n\n: x-mock-sent-ns 42\ndata: b\n\n".utf8)
        try stream.withUnsafeBytes { bytes in
            try parser.feed(bytes, onComment: { comments.append(String(decoding: $0, as: UTF8.self)) }) { event in
                events.append(String(decoding: event.data, as: UTF8.self))
            }
        }
        #expect(comments == [" ping", " x-mock-sent-ns 42"])
        #expect(events == ["a", "b"])
        #expect(parser.commentCount == 2)
    }

    @Test(arguments: [
        (" x-mock-sent-ns 1234567890123", Int64?.some(1_234_567_890_123)),
        (" x-mock-sent-ns 0", 0),
        (" x-mock-sent-ns ", nil),
        (" x-mock-sent-ns 12a", nil),
        (" x-mock-sent-ns 12345678901234567890", nil),
        ("x-mock-sent-ns 5", nil),
        (" ping", nil),
    ])
    func sendStampParsing(comment: String, expected: Int64?) {
        #expect(Array(comment.utf8).withUnsafeBytes { SendStamp.parse($0) } == expected)
    }

    @Test(arguments: [APIKind.chat, .responses, .messages])
    func stampingMockGivesEachRecordItsGroundTruth(api: APIKind) async throws {
        let profile = MockProfile(ttftNs: 5_000_000, decodeTokensPerSecond: 5000, tokensPerChunk: 2...4, outputTokens: 12...12,
                                  stampSendTimes: true)
        try await withMock(profile) { server, transport in
            var scenario = Scenario(name: "t", baseURL: server.baseURL, model: "gpt-oss-120b", prompts: [.text("hi")])
            scenario.api = api
            scenario.request.maxTokens = 64
            let executor = RequestExecutor(transport: transport,
                                           factory: RequestFactory(scenario: scenario, baseURL: server.baseURL, apiKey: "dummy"))
            for seq in 0..<3 {
                let record = await executor.execute(context(seq, clock: transport.clock))
                #expect(record.errorClass == nil, "\(record.errorMessage ?? "")")
                let stamp = try #require(record.mockSentNs)
                // The same clock: the mock sent after the client did, and before the client saw the chunk.
                #expect(record.sentNs < stamp)
                #expect(stamp <= record.chunks[0].arrivalNs)
            }
        }
    }

    @Test func withoutStampingThereIsNoGroundTruth() async throws {
        let profile = MockProfile(ttftNs: 1_000_000, decodeTokensPerSecond: 5000, outputTokens: 8...8)
        try await withMock(profile) { server, transport in
            let record = await chatExecutor(transport, baseURL: server.baseURL).execute(context(0, clock: transport.clock))
            #expect(record.errorClass == nil)
            #expect(record.mockSentNs == nil)
        }
    }

    @Test func transportLoadStaysWithinWallTime() async throws {
        let profile = MockProfile(ttftNs: 1_000_000, decodeTokensPerSecond: 20_000, outputTokens: 40...40)
        try await withMock(profile) { server, transport in
            let before = transport.load()
            let executor = chatExecutor(transport, baseURL: server.baseURL)
            for seq in 0..<5 { _ = await executor.execute(context(seq, clock: transport.clock)) }
            let after = transport.load()
            #expect(after.wakeups > before.wakeups)
            #expect(after.busyNs >= before.busyNs)
            #expect(after.busyNs <= after.atNs)
            #if os(Linux)
            #expect((after.cpuNs ?? 0) > 0)
            #endif
            let utilisation = try #require(TransportUtilisation(from: before, to: after))
            #expect((0...1).contains(utilisation.busyFraction))
        }
    }

    @Test func transportTellsThePriorityItGot() {
        let plain = CurlTransport(clock: RunClock(), priority: .normal)
        defer { plain.shutdown() }
        #expect(plain.priority == .normal)
        // Higher ones only where the system permits them: never above what was asked.
        let raised = CurlTransport(clock: RunClock(), priority: .raised)
        defer { raised.shutdown() }
        #expect([.normal, .raised].contains(raised.priority))
        let realtime = CurlTransport(clock: RunClock())
        defer { realtime.shutdown() }
        #expect(realtime.requestedPriority == .realtime)
    }

    @Test func utilisationBetweenTwoSnapshots() throws {
        let start = TransportLoad(atNs: 1_000_000_000, busyNs: 100_000_000, cpuNs: 50_000_000, wakeups: 10)
        let end = TransportLoad(atNs: 3_000_000_000, busyNs: 600_000_000, cpuNs: 450_000_000, wakeups: 90)
        #expect(TransportUtilisation(from: start, to: end) == TransportUtilisation(busyFraction: 0.25, cpuFraction: 0.2))
        #expect(TransportUtilisation(from: start, to: TransportLoad(atNs: 2_000_000_000, busyNs: 100_000_000, cpuNs: nil, wakeups: 10))
                == TransportUtilisation(busyFraction: 0, cpuFraction: nil))
        #expect(TransportUtilisation(from: end, to: end) == nil)
    }
}
