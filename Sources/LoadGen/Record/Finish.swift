/// One word for why an answer ended, whatever the API called it (`finish` beside `finish_reason` in requests.csv):
/// chat's `length`, Messages' `max_tokens` and Responses' `incomplete:max_output_tokens` all read `length`.
public enum Finish: String, Sendable, Codable, CaseIterable {
    /// The model ended its answer (or hit a stop sequence).
    case stop
    /// The answer was cut at the output limit.
    case length
    /// The model called a tool.
    case toolCalls = "tool_calls"
    /// The answer was withheld or cut by a content filter (or refused).
    case contentFilter = "content_filter"
    /// The request failed.
    case error

    /// The normalised word for `reason` as `api` sent it; nil for a reason the table does not know (the API's own
    /// word stays in `finish_reason`). docs/server-figures.md lists the table.
    public static func normalised(_ reason: String, api: APIKind) -> Finish? {
        switch api {
        case .chat, .completions:
            switch reason {
            case "stop", "eos", "stop_sequence", "end_turn": return .stop
            case "length", "max_tokens": return .length
            case "tool_calls", "function_call": return .toolCalls
            case "content_filter": return .contentFilter
            default: return nil
            }
        case .messages:
            switch reason {
            case "end_turn", "stop_sequence", "pause_turn": return .stop
            case "max_tokens", "model_context_window_exceeded": return .length
            case "tool_use": return .toolCalls
            case "refusal": return .contentFilter
            default: return nil
            }
        case .responses:
            switch reason {
            case "completed": return .stop
            case "incomplete:max_output_tokens", "incomplete:max_tokens": return .length
            case "incomplete:content_filter": return .contentFilter
            default: return nil
            }
        }
    }

    /// The record's finish: `error` for a failed request; a completed Responses answer that called a function is
    /// `tool_calls`; one whose output tokens reached `max_output_tokens` while the server said `completed` was cut
    /// at the limit, so `length`.
    public static func of(_ record: RequestRecord, calledTool: Bool, maxOutputTokens: Int?) -> Finish? {
        guard record.succeeded else { return .error }
        guard let reason = record.finishReason, var finish = normalised(reason, api: record.api) else { return nil }
        if record.api == .responses, finish == .stop {
            if calledTool {
                finish = .toolCalls
            } else if let limit = maxOutputTokens, record.tokenSource == .usage, record.outputTokens >= limit {
                finish = .length
            }
        }
        return finish
    }
}

extension RecordBuilder {
    /// Cached input tokens, and the server's own timing from a second source (llama.cpp's `timings`). Where the API
    /// counts cache reads and writes apart from its input tokens (Messages), they are added to `inputTokens`.
    static func applyCache(_ stream: StreamAccumulator, into record: inout RequestRecord) {
        let usage = stream.usage
        record.cachedInputTokens = usage?.cachedTokens ?? stream.serverTimings?.cachedTokens
        if let usage, usage.inputExcludesCache, let input = usage.inputTokens {
            record.inputTokens = input + (record.cachedInputTokens ?? 0) + (usage.cacheCreationTokens ?? 0)
        }
        if let timings = stream.serverTimings { record.server.fill(from: timings.server) }
    }
}
