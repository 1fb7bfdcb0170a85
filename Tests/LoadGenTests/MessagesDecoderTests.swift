import Foundation
import Testing
@testable import LoadGen

@Suite struct MessagesDecoderTests {
    let decoder = MessagesDecoder()

    @Test func everyEventTypeOfTheStream() throws {
        let result = try decodeStream(try Fixtures.bytes("messages_stream.sse"), decoder: decoder)
        // 16 events at 0, 1000, ...: thinking delta (3000), text deltas (7000, 8000), tool_use start with its name
        // (10000), two input_json fragments (11000, 12000). ping, signature_delta and the empty starts carry nothing.
        #expect(result.chunks.map(\.arrivalNs) == [3000, 7000, 8000, 10000, 11000, 12000])
        #expect(result.chunks.map(\.reasoningBytes) == ["Consider the city.".utf8.count, 0, 0, 0, 0, 0])
        #expect(result.chunks.map(\.answerBytes) == [0, "Hello, naïve ".utf8.count, 5, 0, 0, 0])
        #expect(result.chunks.map(\.toolBytes) == [0, 0, 0, "lookup".utf8.count, #"{"q":"#.utf8.count, #""x"}"#.utf8.count])
        #expect(result.finishReason == "tool_use")
        #expect(result.usage?.inputTokens == 25)
        // message_delta's cumulative count, not message_start's 1.
        #expect(result.usage?.outputTokens == 15)
        #expect(result.terminatorNs == 15000)
        #expect(result.failure == nil)
        #expect(result.events == 16)
    }

    @Test func captureKeepsBlocksAndSignature() throws {
        let output = try #require(try decodeStream(try Fixtures.bytes("messages_stream.sse"), decoder: decoder, capture: true).capture)
        #expect(output.text == "Hello, naïve world")
        #expect(output.reasoning == "Consider the city.")
        #expect(output.reasoningSignature == "sig-abc")
        #expect(output.toolCalls == [CapturedToolCall(streamIndex: 2, id: "call1", name: "lookup", arguments: #"{"q":"x"}"#)])
    }

    @Test func errorEvent() throws {
        let stream = text(#"""
            event: error
            data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


            """#)
        let result = try decodeStream(stream, decoder: decoder)
        #expect(result.failure == StreamFailure(.streamError, message: "Overloaded",
                                                apiError: APIError(type: "overloaded_error", message: "Overloaded")))
    }

    @Test func streamWithoutMessageStopHasNoTerminator() throws {
        let stream = text(#"""
            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}


            """#)
        let result = try decodeStream(stream, decoder: decoder)
        #expect(result.terminatorNs == nil)
        #expect(result.chunks.count == 1)
    }

    @Test func typeComesFromTheEventLineWhenDataHasNone() throws {
        let result = try decodeStream(text("event: message_stop\ndata: {}\n\n"), decoder: decoder)
        #expect(result.terminatorNs == 0)
    }

    @Test func badJSONIsMalformed() throws {
        let result = try decodeStream(text("event: content_block_delta\ndata: {not json\n\n"), decoder: decoder)
        #expect(result.failure?.errorClass == .malformedEvent)
    }

    @Test func wholeBody() throws {
        let body = Array(#"{"id":"msg_2","type":"message","role":"assistant","model":"m","content":[{"type":"thinking","thinking":"Hmm","signature":"s1"},{"type":"text","text":"Answer"},{"type":"tool_use","id":"t1","name":"f","input":{"a":1}}],"stop_reason":"tool_use","usage":{"input_tokens":7,"output_tokens":12}}"#.utf8)
        var accumulator = StreamAccumulator(capture: true)
        decoder.decode(body: body, arrivalNs: 5, into: &accumulator)
        #expect(accumulator.chunks == [ChunkRecord(arrivalNs: 5, answerBytes: 6, reasoningBytes: 3, toolBytes: 1 + #"{"a":1}"#.utf8.count)])
        #expect(accumulator.usage?.inputTokens == 7)
        #expect(accumulator.usage?.outputTokens == 12)
        #expect(accumulator.finishReason == "tool_use")
        #expect(accumulator.terminatorNs == 5)
        #expect(accumulator.capture?.reasoningSignature == "s1")
        #expect(accumulator.capture?.toolCalls.first?.arguments == #"{"a":1}"#)
    }

    @Test func errorBodyInMessagesShape() {
        #expect(decoder.parseError(body: Array(#"{"type":"error","error":{"type":"rate_limit_error","message":"Too many"},"request_id":"r"}"#.utf8))
                == APIError(type: "rate_limit_error", message: "Too many"))
    }
}
