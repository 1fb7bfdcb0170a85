import Foundation
import Testing
@testable import LoadGen

@Suite struct ResponsesDecoderTests {
    let decoder = ResponsesDecoder()

    @Test func sambanovaSequenceChunksByKind() throws {
        let result = try decodeStream(try Fixtures.bytes("responses_sambanova.sse"), decoder: decoder)
        // 21 events at 0, 1000, ...: reasoning delta (4000), two text deltas (9000, 10000), the function_call item
        // with its name (14000), two argument fragments (15000, 16000), completed (19000), then a stray [DONE].
        #expect(result.chunks.map(\.arrivalNs) == [4000, 9000, 10000, 14000, 15000, 16000])
        #expect(result.chunks.map(\.reasoningBytes) == ["User wants weather.".utf8.count, 0, 0, 0, 0, 0])
        #expect(result.chunks.map(\.answerBytes) == [0, "Under a moonlit canopy, ".utf8.count, "café ✓".utf8.count, 0, 0, 0])
        #expect(result.chunks.map(\.toolBytes) == [0, 0, 0, "get_weather".utf8.count, "{\"city\":".utf8.count, "\"Bogotá\"}".utf8.count])
        #expect(result.terminatorNs == 19000)
        #expect(result.finishReason == "completed")
        #expect(result.failure == nil)
        #expect(result.events == 21)
    }

    @Test func usageWithSambaNovaOutputFields() throws {
        let usage = try #require(try decodeStream(try Fixtures.bytes("responses_sambanova.sse"), decoder: decoder).usage)
        #expect(usage.inputTokens == 78)
        #expect(usage.outputTokens == 126)
        #expect(usage.reasoningTokens == 40)
        #expect(usage.cachedTokens == 5)
        #expect(usage.server == ServerUsage(timeToFirstToken: 0.08, totalLatency: 0.5, completionTokensPerSec: 252.0,
                                            completionTokensAfterFirstPerSec: 298.8, totalTokensPerSec: 408.0,
                                            startTime: 1737642515.4, endTime: 1737642515.9, acceptanceRate: 2.5))
    }

    @Test func captureKeepsTextToolCallsAndFinishedItems() throws {
        let result = try decodeStream(try Fixtures.bytes("responses_sambanova.sse"), decoder: decoder, capture: true)
        let output = try #require(result.capture)
        #expect(output.text == "Under a moonlit canopy, café ✓")
        #expect(output.reasoning == "User wants weather.")
        #expect(output.toolCalls == [CapturedToolCall(streamIndex: 2, id: "call_9", name: "get_weather", arguments: #"{"city":"Bogotá"}"#)])
        #expect(output.items.map { $0["type"] } == [.string("reasoning"), .string("message"), .string("function_call")])
        #expect(output.items[2]["call_id"] == .string("call_9"))
    }

    @Test func withoutCaptureNothingIsKept() throws {
        #expect(try decodeStream(try Fixtures.bytes("responses_sambanova.sse"), decoder: decoder).capture == nil)
    }

    @Test func refusalAndReasoningSummaryCount() throws {
        let stream = text(#"""
            event: response.refusal.delta
            data: {"type":"response.refusal.delta","sequence_number":1,"delta":"I can't"}

            event: response.reasoning_summary_text.delta
            data: {"type":"response.reasoning_summary_text.delta","sequence_number":2,"delta":"Summary"}


            """#)
        let result = try decodeStream(stream, decoder: decoder)
        #expect(result.chunks.map(\.answerBytes) == [7, 0])
        #expect(result.chunks.map(\.reasoningBytes) == [0, 7])
    }

    @Test func responseFailedIsAStreamError() throws {
        let stream = text(#"""
            event: response.output_text.delta
            data: {"type":"response.output_text.delta","sequence_number":1,"delta":"Hi"}

            event: response.failed
            data: {"type":"response.failed","sequence_number":2,"response":{"id":"r","status":"failed","error":{"code":"server_error","message":"The model crashed"}}}


            """#)
        let result = try decodeStream(stream, decoder: decoder)
        #expect(result.failure == StreamFailure(.streamError, message: "The model crashed",
                                                apiError: APIError(code: "server_error", message: "The model crashed")))
        #expect(result.chunks.count == 1)
    }

    @Test func errorEventWithTopLevelFields() throws {
        let stream = text(#"""
            event: error
            data: {"type":"error","code":"rate_limit_exceeded","message":"Slow down","param":null,"sequence_number":3}


            """#)
        let result = try decodeStream(stream, decoder: decoder)
        #expect(result.failure?.errorClass == .streamError)
        #expect(result.failure?.apiError == APIError(type: "error", code: "rate_limit_exceeded", message: "Slow down"))
    }

    @Test func dataWithAnErrorObjectIsAStreamError() throws {
        let result = try decodeStream(text(#"data: {"error":{"message":"Overloaded","type":"overloaded_error"}}"# + "\n\n"),
                                      decoder: decoder)
        #expect(result.failure?.apiError == APIError(type: "overloaded_error", message: "Overloaded"))
    }

    @Test func incompleteEndsTheStreamWithItsReason() throws {
        let stream = text(#"""
            event: response.incomplete
            data: {"type":"response.incomplete","sequence_number":9,"response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":3,"output_tokens":16}}}


            """#)
        let result = try decodeStream(stream, decoder: decoder)
        #expect(result.terminatorNs == 0)
        #expect(result.finishReason == "incomplete:max_output_tokens")
        #expect(result.usage?.outputTokens == 16)
        #expect(result.failure == nil)
    }

    @Test func strayDoneWithoutCompletedIsNotATerminator() throws {
        let result = try decodeStream(text("data: [DONE]\n\n"), decoder: decoder)
        #expect(result.terminatorNs == nil)
        #expect(result.failure == nil)
    }

    @Test func badJSONIsMalformed() throws {
        let result = try decodeStream(text("event: response.output_text.delta\ndata: {\"type\":\n\n"), decoder: decoder)
        #expect(result.failure?.errorClass == .malformedEvent)
    }

    @Test func wholeBody() throws {
        let body = Array(#"{"id":"resp_2","object":"response","status":"completed","output":[{"id":"rs_2","type":"reasoning","content":[{"type":"reasoning_text","text":"Think"}]},{"id":"msg_2","type":"message","role":"assistant","content":[{"type":"output_text","text":"Hello there","annotations":[]}]},{"id":"fc_2","type":"function_call","call_id":"call_2","name":"f","arguments":"{}"}],"usage":{"input_tokens":4,"output_tokens":9,"output_tokens_details":{"reasoning_tokens":2}}}"#.utf8)
        var accumulator = StreamAccumulator(capture: true)
        decoder.decode(body: body, arrivalNs: 77, into: &accumulator)
        #expect(accumulator.chunks == [ChunkRecord(arrivalNs: 77, answerBytes: 11, reasoningBytes: 5, toolBytes: 3)])
        #expect(accumulator.terminatorNs == 77)
        #expect(accumulator.usage?.outputTokens == 9)
        #expect(accumulator.usage?.reasoningTokens == 2)
        #expect(accumulator.finishReason == "completed")
        #expect(accumulator.capture?.text == "Hello there")
        #expect(accumulator.capture?.toolCalls.first?.id == "call_2")
        #expect(accumulator.capture?.items.count == 3)
    }

    @Test func errorBodiesInBothShapes() {
        #expect(decoder.parseError(body: Array(#"{"error":{"message":"bad top_p","type":"invalid_request_error","param":"top_p","code":"decimal_above_max_value"},"request_id":"x"}"#.utf8))
                == APIError(type: "invalid_request_error", code: "decimal_above_max_value", message: "bad top_p"))
        #expect(decoder.parseError(body: Array(#"{"error":"Not found"}"#.utf8)) == APIError(message: "Not found"))
        #expect(decoder.parseError(body: Array("Service Unavailable\n".utf8)) == APIError(message: "Service Unavailable"))
    }
}
