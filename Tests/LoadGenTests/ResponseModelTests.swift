import Testing
@testable import LoadGen

/// Issue 14, item 12: the model a response names is checked against the one asked, once per stream, in every API.
@Suite struct ResponseModelTests {
    /// Decodes `bytes` as a stream that asked for `asked`.
    func decode(_ bytes: [UInt8], _ decoder: any StreamDecoder, asked: String?) throws -> StreamAccumulator {
        var parser = SSEParser()
        var accumulator = StreamAccumulator()
        accumulator.expectedModel = asked
        try bytes.withUnsafeBytes { all in
            try parser.feed(all) { event in decoder.decode(event: event, arrivalNs: 0, into: &accumulator) }
        }
        return accumulator
    }

    static let fixtures: [(file: String, decoder: any StreamDecoder, model: String)] = [
        ("chat_sambanova.sse", ChatCompletionsDecoder(), "gpt-oss-120b"),
        ("completions_sambanova.sse", CompletionsDecoder(), "Meta-Llama-3.1-8B-Instruct"),
        ("responses_sambanova.sse", ResponsesDecoder(), "gpt-oss-120b"),
        ("messages_stream.sse", MessagesDecoder(), "gpt-oss-120b"),
    ]

    @Test func theModelAskedAnswersNothingIsRecorded() throws {
        for fixture in Self.fixtures {
            let result = try decode(try Fixtures.bytes(fixture.file), fixture.decoder, asked: fixture.model)
            #expect(result.responseModel == nil, "\(fixture.file)")
            #expect(result.failure == nil && !result.chunks.isEmpty, "\(fixture.file)")
        }
    }

    @Test func anotherModelAnsweringIsRecordedInEveryAPI() throws {
        for fixture in Self.fixtures {
            let result = try decode(try Fixtures.bytes(fixture.file), fixture.decoder, asked: "Llama-4-Maverick-17B-128E-Instruct")
            #expect(result.responseModel == fixture.model, "\(fixture.file)")
            // The chunks are read as before.
            let plain = try decode(try Fixtures.bytes(fixture.file), fixture.decoder, asked: nil)
            #expect(result.chunks == plain.chunks && plain.responseModel == nil, "\(fixture.file)")
        }
    }

    /// Escaped slashes (`meta-llama\/...`, as some JSON encoders write them) are the same model.
    @Test func escapedNamesAreDecodedBeforeComparing() throws {
        let stream = Array(#"data: {"model":"meta-llama\/Llama-3.3-70B","choices":[{"delta":{"content":"hi"},"index":0}]}"#.utf8)
            + Array("\n\ndata: [DONE]\n\n".utf8)
        #expect(try decode(stream, ChatCompletionsDecoder(), asked: "meta-llama/Llama-3.3-70B").responseModel == nil)
        #expect(try decode(stream, ChatCompletionsDecoder(), asked: "Llama-3.3-70B").responseModel == "meta-llama/Llama-3.3-70B")
    }

    /// Only the first event is read (the check costs one scan per stream, not one per chunk).
    @Test func onlyTheFirstEventIsRead() throws {
        let stream = #"""
        data: {"model":"a","choices":[{"delta":{"content":"x"},"index":0}]}

        data: {"model":"b","choices":[{"delta":{"content":"y"},"index":0}]}

        data: [DONE]


        """#
        let result = try decode(Array(stream.utf8), ChatCompletionsDecoder(), asked: "a")
        #expect(result.responseModel == nil && result.chunks.count == 2)
    }

    /// A whole (non-streamed) body is checked too, and the record carries the model that answered.
    @Test func aWholeBodyFromAnotherModelIsRecorded() {
        var outcome = TransferOutcome()
        outcome.status = 200
        outcome.completedNs = 10
        outcome.stream.expectedModel = "m"
        outcome.body = Array(#"{"model":"other","choices":[{"message":{"content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#.utf8)
        let record = RecordBuilder.build(outcome, context: DispatchContext(level: 0, levelName: "c1", seq: 0, warmup: false, scheduledNs: 0),
                                         api: .chat, model: "m", streaming: false, decoder: ChatCompletionsDecoder())
        #expect(record.errorClass == nil && record.responseModel == "other")
    }
}
