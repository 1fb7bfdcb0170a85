import BenchSupport
import Foundation
import Testing
@testable import MockServer

/// The plan itself: reasoning share, when a tool is called, and the arguments made up for it.
struct MockPlanTests {
    let weather = MockTool(name: "get_weather", parameters: try! JSONSerialization.jsonObject(with: Data(weatherSchema.utf8)))

    @Test func reasoningIsTheRoundedShareAndComesFirst() {
        let profile = MockProfile(tokensPerChunk: 4...12, outputTokens: 101...101, reasoningShare: 0.333)
        let plan = MockCompletion(profile: profile, maxTokens: nil, requestNumber: 1)
        #expect(plan.reasoningTokens == 34 && plan.outputTokens == 101)
        #expect(plan.chunkTokens.prefix(plan.reasoningChunks).reduce(0, +) == 34)
        #expect((0..<plan.chunkTokens.count).map(plan.kind(ofChunk:))
                == Array(repeating: .reasoning, count: plan.reasoningChunks)
                + Array(repeating: .text, count: plan.chunkTokens.count - plan.reasoningChunks))
        #expect(tokens(plan.reasoningText) == 34 && tokens(plan.answerText) == 67)
        // Without reasoning the plan is the one the mock made before it could reason.
        let plain = MockCompletion(profile: MockProfile(tokensPerChunk: 4...12, outputTokens: 101...101), maxTokens: nil,
                                   requestNumber: 1)
        #expect(plain.reasoningChunks == 0 && plain.segments == [.text])
    }

    @Test func toolsAreCalledWithTheConfiguredShareDeterministically() {
        let other = MockTool(name: "search", parameters: ["type": "object", "properties": ["q": ["type": "string"]]])
        func calls(_ share: Double) -> [String?] {
            (1...40).map { number in
                MockCompletion(profile: MockProfile(toolCallShare: share), maxTokens: nil, requestNumber: UInt64(number),
                               tools: [weather, other]).toolCall?.name
            }
        }
        #expect(calls(1).allSatisfy { $0 != nil })
        #expect(calls(0).allSatisfy { $0 == nil })
        let half = calls(0.5)
        #expect(half == calls(0.5))
        #expect((10...30).contains(half.compactMap { $0 }.count))
        #expect(Set(half.compactMap { $0 }) == ["get_weather", "search"])
        // Offering tools changes nothing about a text answer's text.
        let withTools = MockCompletion(profile: MockProfile(toolCallShare: 0), maxTokens: nil, requestNumber: 3, tools: [weather])
        let without = MockCompletion(profile: MockProfile(), maxTokens: nil, requestNumber: 3)
        #expect(withTools == without && withTools.answerText == without.answerText)
    }

    @Test func aCallCountsItsArgumentsAtFiveBytesPerTokenAndIsCutIntoFragments() {
        let plan = MockCompletion(profile: MockProfile(reasoningShare: 0.25), maxTokens: nil, requestNumber: 1, tools: [weather])
        let call = try! #require(plan.toolCall)
        #expect(plan.finish == .toolCall && plan.segments == [.reasoning, .toolCall])
        #expect(plan.chunkTokens.last == call.tokens && plan.outputTokens == 64 + call.tokens)
        #expect(call.tokens == (call.arguments.utf8.count + 4) / 5)
        #expect(call.fragments.count == 3 && call.fragments.joined() == call.arguments)
        #expect(MockToolCall(name: "f", arguments: "{}").tokens == 1)
        #expect(MockToolCall(name: "f", arguments: "{}").fragments == ["{", "}"])
        #expect(MockToolCall(name: "f", arguments: #"{"a":"bb"}"#).tokens == 2)
        // A call that would not fit in max_tokens after the reasoning gives way to text.
        let tight = MockCompletion(profile: MockProfile(), maxTokens: 3, requestNumber: 1, tools: [weather])
        #expect(tight.toolCall == nil && tight.finish == .length && tight.outputTokens == 3)
    }

    /// The mock's plans and faults, the pacers and the synthetic prompts draw from one generator: the reference
    /// SplitMix64, whose sequence the golden files and the deterministic plans depend on.
    @Test func generatorIsTheReferenceSplitMix64() {
        var rng = SplitMix64(seed: 0)
        #expect([rng.next(), rng.next(), rng.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test func argumentsFollowTheSchema() throws {
        let schema: [String: Any] = [
            "type": "object",
            "properties": [
                "name": ["type": "string"], "count": ["type": "integer"], "ratio": ["type": "number"],
                "flag": ["type": "boolean"], "mode": ["enum": [3, 4]], "tags": ["type": "array", "items": ["type": "string"]],
                "maybe": ["anyOf": [["type": "null"], ["type": "integer"]]],
                "nested": ["properties": ["inner": ["type": "string", "const": "fixed"]]],
            ],
        ]
        var rng = SplitMix64(seed: 1)
        let arguments = MockTool(name: "f", parameters: schema).schema.json(using: &rng)
        // No required list: every property, sorted by name.
        #expect(arguments.hasPrefix(#"{"count":"#))
        let values = try jsonObject(arguments)
        #expect(Array(values.keys).sorted() == ["count", "flag", "maybe", "mode", "name", "nested", "ratio", "tags"])
        #expect(values["count"] is Int && values["ratio"] is Double && values["flag"] is Bool && values["maybe"] is Int)
        #expect(values["mode"] as? Int == 3)
        #expect((values["tags"] as? [String])?.count == 1)
        #expect(MockCompletion.vocabulary.contains(" " + (values["name"] as? String ?? "")))
        #expect((values["nested"] as? [String: Any])?["inner"] as? String == "fixed")
        // Arguments are always an object.
        #expect(MockTool(name: "f", parameters: nil).schema.json(using: &rng) == "{}")
        #expect(MockTool(name: "f", parameters: ["type": "string"]).schema.json(using: &rng) == "{}")
    }
}
