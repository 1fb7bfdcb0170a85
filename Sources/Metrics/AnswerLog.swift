import LoadGen

/// `responses.jsonl`: a line per request whose answer was recorded (`record_text`), linked to `requests.csv` by seq.
public enum AnswerLog {
    public static func line(_ record: RequestRecord, output: CapturedOutput) -> String {
        var object = JSONValue.object([
            ("seq", .number(Double(record.seq))), ("conversation", .number(Double(record.conversation))),
            ("turn", .number(Double(record.turn))), ("level_name", .string(record.levelName)),
            ("api", .string(record.api.rawValue)), ("text", .string(output.text)),
            ("reasoning", .string(output.reasoning)),
            ("tool_calls", .array(output.toolCalls.map {
                .object([("id", .string($0.id)), ("name", .string($0.name)), ("arguments", .string($0.arguments))])
            })),
        ])
        object.set("finish_reason", record.finishReason.map { .string($0) } ?? .null)
        object.set("usage", .object([
            ("input_tokens", record.inputTokens.map { .number(Double($0)) } ?? .null),
            ("output_tokens", .number(Double(record.outputTokens))),
            ("reasoning_tokens", record.reasoningTokens.map { .number(Double($0)) } ?? .null),
            ("token_source", .string(record.tokenSource.rawValue)),
        ]))
        object.set("error_class", record.errorClass.map { .string($0.rawValue) } ?? .null)
        return object.serialized + "\n"
    }
}
