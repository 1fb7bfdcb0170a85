import Testing
@testable import LoadGen

/// Decodes every event of `bytes`; event i arrives at time i * 1000 ns.
func decodeStream(_ bytes: [UInt8], decoder: any StreamDecoder = ChatCompletionsDecoder(),
                  capture: Bool = false) throws -> StreamAccumulator {
    var parser = SSEParser()
    var accumulator = StreamAccumulator(capture: capture)
    var arrival: Int64 = 0
    try bytes.withUnsafeBytes { all in
        try parser.feed(all) { event in
            decoder.decode(event: event, arrivalNs: arrival, into: &accumulator)
            arrival += 1000
        }
    }
    return accumulator
}

@Suite struct ChatDecoderTests {
    @Test func sambanovaStreamRoleOnlyAndEmptyChunksAreNotChunks() throws {
        let result = try decodeStream(try Fixtures.bytes("chat_sambanova.sse"))
        // Events: role-only (t=0), content (1000), content (2000), empty + finish (3000), usage (4000), [DONE] (5000).
        #expect(result.chunks.map(\.arrivalNs) == [1000, 2000])
        #expect(result.chunks[0].answerBytes == ", Inc. is an American multinational corporation that specializes in".utf8.count)
        #expect(result.chunks[1].answerBytes == " café — naïve 日本語 ✓".utf8.count)
        #expect(result.finishReason == "length")
        #expect(result.terminatorNs == 5000)
        #expect(result.failure == nil)
        #expect(result.events == 6)
    }

    @Test func sambanovaUsageWithServerFields() throws {
        let usage = try #require(try decodeStream(try Fixtures.bytes("chat_sambanova.sse")).usage)
        #expect(usage.inputTokens == 43)
        #expect(usage.outputTokens == 100)
        #expect(usage.cachedTokens == 0)
        #expect(usage.reasoningTokens == nil)
        #expect(usage.server == ServerUsage(
            timeToFirstToken: 0.0844266414642334, totalLatency: 0.4589838186899821,
            completionTokensPerSec: 217.87260449707574, completionTokensAfterFirstPerSec: 262.2771255106759,
            totalTokensPerSec: 311.55782443081836, startTime: 1737642515.4458635, endTime: 1737642515.9077535,
            acceptanceRate: 3))
    }

    @Test func reasoningBothSpellingsAndToolCallDeltas() throws {
        let result = try decodeStream(try Fixtures.bytes("chat_reasoning_tools.sse"))
        #expect(result.chunks.map(\.reasoningBytes) == ["User wants the weather.".utf8.count, "Call the tool.".utf8.count, 0, 0, 0])
        #expect(result.chunks.map(\.toolBytes) == [0, 0, "get_weather".utf8.count, "{\"city\":".utf8.count, "\"Bogotá\"}".utf8.count])
        #expect(result.chunks.allSatisfy { $0.answerBytes == 0 })
        #expect(result.finishReason == "tool_calls")
        // completion_tokens sent as a float is still read.
        #expect(result.usage?.outputTokens == 21)
        #expect(result.usage?.reasoningTokens == 9)
        #expect(result.terminatorNs != nil)
    }

    @Test func wholeToolCallInOneChunk() throws {
        let stream = text(#"data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c","type":"function","function":{"name":"lookup","arguments":"{\"q\":1}"}}]},"index":0}]}"# + "\n\n")
        let result = try decodeStream(stream)
        #expect(result.chunks.map(\.toolBytes) == ["lookup".utf8.count + "{\"q\":1}".utf8.count])
    }

    @Test(arguments: [
        "event: error\ndata: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\",\"code\":\"503\"}}\n\n",
        "event: error_event\ndata: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\",\"code\":503}}\n\n",
        "data: {\"error\":{\"message\":\"Overloaded\",\"type\":\"overloaded_error\",\"code\":\"503\"}}\n\n",
    ])
    func midStreamErrorShapes(stream: String) throws {
        let result = try decodeStream(text("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"},\"index\":0}]}\n\n" + stream))
        #expect(result.chunks.count == 1)
        let failure = try #require(result.failure)
        #expect(failure.errorClass == .streamError)
        #expect(failure.apiError == APIError(type: "overloaded_error", code: "503", message: "Overloaded"))
    }

    @Test func malformedEventIsClassified() throws {
        let result = try decodeStream(text("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"\n\n"))
        #expect(result.failure?.errorClass == .malformedEvent)
        #expect(result.failure?.message.contains("undecodable chat event") == true)
    }

    @Test func nullUsageIsNoUsage() throws {
        let result = try decodeStream(text("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"},\"index\":0}],\"usage\":null}\n\ndata: [DONE]\n\n"))
        #expect(result.usage == nil)
        #expect(result.chunks.count == 1)
    }

    @Test func streamWithoutDoneHasNoTerminator() throws {
        let result = try decodeStream(text("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"},\"index\":0}]}\n\n"))
        #expect(result.terminatorNs == nil)
    }

    @Test func nonStreamedBody() throws {
        let body = text(#"{"choices":[{"finish_reason":"stop","index":0,"message":{"content":"Hello there","role":"assistant","reasoning":"think"}}],"created":1.5,"usage":{"prompt_tokens":5,"completion_tokens":4,"time_to_first_token":0.1}}"#)
        var result = StreamAccumulator()
        ChatCompletionsDecoder().decode(body: body, arrivalNs: 77, into: &result)
        #expect(result.chunks == [ChunkRecord(arrivalNs: 77, answerBytes: 11, reasoningBytes: 5)])
        #expect(result.usage?.outputTokens == 4)
        #expect(result.usage?.server.timeToFirstToken == 0.1)
        #expect(result.finishReason == "stop")
        #expect(result.terminatorNs == 77)
    }

    @Test(arguments: [
        (#"{"error":{"message":"top_p must be <= 1","type":"invalid_request_error","param":"top_p","code":"decimal_above_max_value"},"request_id":"r1"}"#,
         APIError(type: "invalid_request_error", code: "decimal_above_max_value", message: "top_p must be <= 1")),
        (#"{"error":"Not found"}"#, APIError(message: "Not found")),
        (#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"},"request_id":"r2"}"#,
         APIError(type: "rate_limit_error", message: "slow down")),
        ("Service Unavailable\n", APIError(message: "Service Unavailable")),
    ])
    func httpErrorBodies(body: String, expected: APIError) {
        #expect(ChatCompletionsDecoder().parseError(body: text(body)) == expected)
    }

    @Test func emptyErrorBodyHasNoError() {
        #expect(ChatCompletionsDecoder().parseError(body: []) == nil)
    }
}
