import Foundation
import NIOCore

/// The parts of a chat request the mock uses.
struct ChatRequest {
    var model: String
    var stream: Bool
    var maxTokens: Int?
    var promptTokens: Int

    struct Invalid: Error {
        var message: String
        var code: String
    }

    static func parse(_ body: ByteBuffer) -> Result<ChatRequest, Invalid> {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)),
              let object = json as? [String: Any] else {
            return .failure(Invalid(message: "Request body is not a JSON object", code: "invalid_json"))
        }
        guard let model = object["model"] as? String, !model.isEmpty else {
            return .failure(Invalid(message: "Missing required field: model", code: "missing_required_field"))
        }
        guard let messages = object["messages"] as? [[String: Any]], !messages.isEmpty else {
            return .failure(Invalid(message: "Missing required field: messages", code: "missing_required_field"))
        }
        let maxTokens = (object["max_completion_tokens"] ?? object["max_tokens"]) as? NSNumber
        if let maxTokens, maxTokens.intValue < 1 {
            return .failure(Invalid(message: "max_tokens must be at least 1", code: "integer_below_min_value"))
        }
        let promptBytes = messages.reduce(0) { sum, message in sum + ((message["content"] as? String)?.utf8.count ?? 0) }
        return .success(ChatRequest(model: model, stream: (object["stream"] as? Bool) ?? false,
                                    maxTokens: maxTokens?.intValue, promptTokens: max(1, (promptBytes + 3) / 4)))
    }
}

/// One request's answer in SambaNova's exact shape, with server metrics taken from the mock's own send times.
final class ChatJob: @unchecked Sendable {
    let profile: MockProfile
    let request: ChatRequest
    let completion: MockCompletion
    /// When generation began on the monotonic clock: the end of the request, or the moment it got a capacity slot
    /// after queueing. TTFT and the server metrics count from it, so queueing shows only on the client's clock.
    let started: NIODeadline
    /// The same moment on the wall clock (epoch seconds), for `created`, `start_time` and `end_time`.
    let wallStart: Double
    let id: String
    /// The capacity slot it holds, when the server models capacity.
    let lease: CapacityLease?
    private var firstSent: NIODeadline?
    private(set) var lastSent: NIODeadline?

    init(profile: MockProfile, request: ChatRequest, completion: MockCompletion, started: NIODeadline,
         wallStart: Double, id: String, lease: CapacityLease?) {
        self.profile = profile
        self.request = request
        self.completion = completion
        self.started = started
        self.wallStart = wallStart
        self.id = id
        self.lease = lease
    }

    func markChunkSent(index: Int, at time: NIODeadline) {
        if index == 0 { firstSent = time }
        lastSent = time
    }

    func markSent(first: NIODeadline, last: NIODeadline) {
        firstSent = first
        lastSent = last
    }

    private var envelope: String {
        #""created":\#(wallStart),"id":"\#(id)","model":\#(MockJSON.string(request.model)),"object":"chat.completion.chunk","system_fingerprint":"fastcoe""#
    }

    func roleChunk() -> String {
        #"{"choices":[{"delta":{"role":"assistant","content":""},"index":0,"finish_reason":null,"logprobs":null}],\#(envelope)}"#
    }

    func contentChunk(_ index: Int) -> String {
        #"{"choices":[{"delta":{"content":"\#(completion.text(ofChunk: index))","role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],\#(envelope)}"#
    }

    func finishChunk() -> String {
        #"{"choices":[{"delta":{"content":""},"index":0,"finish_reason":"\#(completion.finishReason)","logprobs":null}],\#(envelope)}"#
    }

    func usageChunk() -> String {
        #"{"choices":[],\#(envelope),"usage":\#(usage())}"#
    }

    /// The non-streamed `chat.completion`.
    func wholeCompletion() -> String {
        let text = completion.chunkTokens.indices.map { completion.text(ofChunk: $0) }.joined()
        return #"{"choices":[{"finish_reason":"\#(completion.finishReason)","index":0,"logprobs":null,"message":{"content":"\#(text)","role":"assistant"}}],"created":\#(wallStart),"id":"\#(id)","model":\#(MockJSON.string(request.model)),"object":"chat.completion","system_fingerprint":"fastcoe","usage":\#(usage())}"#
    }

    /// SambaNova's usage block, consistent with the formulas of wire-formats.md and with when chunks were sent.
    func usage() -> String {
        let first = firstSent ?? started
        let last = lastSent ?? first
        let ttft = Double((first - started).nanoseconds) / 1e9
        let total = Double((last - started).nanoseconds) / 1e9
        let output = completion.outputTokens
        let all = output + request.promptTokens
        let perSec = total > 0 ? Double(output) / total : 0
        let afterFirst = total > ttft ? Double(max(output - 1, 0)) / (total - ttft) : 0
        let allPerSec = total > 0 ? Double(all) / total : 0
        return #"{"prompt_tokens":\#(request.promptTokens),"completion_tokens":\#(output),"total_tokens":\#(all),"prompt_tokens_details":{"cached_tokens":0},"time_to_first_token":\#(ttft),"total_latency":\#(total),"completion_tokens_per_sec":\#(perSec),"completion_tokens_after_first_per_sec":\#(afterFirst),"completion_tokens_after_first_per_sec_first_ten":\#(afterFirst),"total_tokens_per_sec":\#(allPerSec),"start_time":\#(wallStart),"end_time":\#(wallStart + total),"is_last_response":true,"acceptance_rate":1,"stop_reason":"\#(completion.finishReason)"}"#
    }
}

/// JSON text helpers for the mock's hand-written bodies.
enum MockJSON {
    static func string(_ value: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [value]), let text = String(data: data, encoding: .utf8) else {
            return "\"\""
        }
        return String(text.dropFirst().dropLast())
    }

    static func error(message: String, type: String, code: String) -> String {
        #"{"error":{"message":\#(string(message)),"type":"\#(type)","param":null,"code":"\#(code)"},"request_id":"\#(UUID().uuidString.lowercased())"}"#
    }

    static func modelList(_ models: [String]) -> String {
        let items = models.map {
            #"{"id":\#(string($0)),"object":"model","owned_by":"mock","context_length":131072,"max_completion_tokens":32768,"pricing":{"prompt":"0.0","completion":"0.0"}}"#
        }
        return #"{"object":"list","data":[\#(items.joined(separator: ","))]}"#
    }
}
