import BenchSupport
import Foundation
import Testing
@testable import LoadGen

/// The decoders' fast paths (`ChatFastChunk`, `ResponsesFastEvent`, `MessagesFastEvent`) must give exactly what
/// `JSONDecoder` gives: same chunks and byte counts (they apportion tokens), finish reasons, terminators, failures.
/// Each case decodes the same bytes with the fast path on and off and compares everything the accumulator holds.
@Suite struct FastPathDecoderTests {
    static let decoders: [(name: String, fast: any StreamDecoder, slow: any StreamDecoder)] = [
        ("chat", ChatCompletionsDecoder(fastPath: true), ChatCompletionsDecoder(fastPath: false)),
        ("responses", ResponsesDecoder(fastPath: true), ResponsesDecoder(fastPath: false)),
        ("messages", MessagesDecoder(fastPath: true), MessagesDecoder(fastPath: false)),
    ]

    /// What an accumulator holds, for comparing two of them.
    struct Observed: Equatable, CustomStringConvertible {
        var chunks: [ChunkRecord]
        var usage: ParsedUsage?
        var finishReason: String?
        var terminatorNs: Int64?
        var failure: StreamFailure?
        var events: Int

        init(_ accumulator: StreamAccumulator) {
            chunks = accumulator.chunks
            usage = accumulator.usage
            finishReason = accumulator.finishReason
            terminatorNs = accumulator.terminatorNs
            failure = accumulator.failure
            events = accumulator.events
        }

        var description: String {
            "chunks \(chunks.map { [$0.answerBytes, $0.reasoningBytes, $0.toolBytes] }), usage \(String(describing: usage)), "
                + "finish \(finishReason ?? "nil"), end \(terminatorNs.map(String.init) ?? "nil"), failure \(failure?.message ?? "nil"), events \(events)"
        }
    }

    static func observe(_ stream: [UInt8], _ decoder: any StreamDecoder) throws -> Observed {
        Observed(try decodeStream(stream, decoder: decoder))
    }

    /// One event with `data` (and an `event:` line when given), decoded both ways.
    static func both(_ data: [UInt8], type: String? = nil, decoder: Int) -> (fast: Observed, slow: Observed) {
        var fast = StreamAccumulator()
        var slow = StreamAccumulator()
        let typeBytes = Array((type ?? "").utf8)
        data.withUnsafeBytes { dataBuffer in
            typeBytes.withUnsafeBytes { typeBuffer in
                let event = SSEEvent(type: typeBuffer, data: dataBuffer)
                decoders[decoder].fast.decode(event: event, arrivalNs: 1000, into: &fast)
                decoders[decoder].slow.decode(event: event, arrivalNs: 1000, into: &slow)
            }
        }
        return (Observed(fast), Observed(slow))
    }

    @Test(arguments: Fixtures.streams + ["responses_sambanova.sse", "messages_stream.sse"])
    func fixturesDecodeAlikeThroughEveryDecoder(fixture: String) throws {
        let bytes = try Fixtures.bytes(fixture)
        for (name, fast, slow) in Self.decoders {
            #expect(try Self.observe(bytes, fast) == Self.observe(bytes, slow), "\(fixture) through \(name)")
        }
    }

    @Test func plainEventsTakeTheFastPath() {
        let chat = #"{"choices":[{"delta":{"content":" caf\u00e9 \ud83d\ude00 \"q\"\n","role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"created":1737642515.4458635,"id":"x","object":"chat.completion.chunk"}"#
        #expect(ChatFastChunk.read(bytes(chat)) == ChatFastChunk(answerBytes: " café 😀 \"q\"\n".utf8.count))
        let finish = #"{"choices":[{"delta":{"content":""},"index":0,"finish_reason":"length"}]}"#
        #expect(ChatFastChunk.read(bytes(finish)) == ChatFastChunk(finishReason: "length"))
        let tool = #"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"get","arguments":"{\"a\":1}"}}]}}]}"#
        #expect(ChatFastChunk.read(bytes(tool)) == ChatFastChunk(toolBytes: 3 + 7))
        let responses = #"{"type":"response.output_text.delta","sequence_number":4,"item_id":"m","output_index":0,"content_index":0,"delta":"日本","logprobs":[]}"#
        #expect(ResponsesFastEvent.read(bytes(responses)) == ResponsesFastEvent(kind: .answer, deltaBytes: 6))
        let messages = #"{"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"na\u00efve"}}"#
        #expect(MessagesFastEvent.read(bytes(messages)) == MessagesFastEvent(kind: .reasoning, bytes: 6))
    }

    @Test(arguments: [
        #"{"choices":[],"usage":{"completion_tokens":3}}"#,                       // usage: JSONDecoder's
        #"{"error":{"message":"x"}}"#,                                            // an error
        #"{"choices":[{"delta":{"content":"a","content":"b"}}]}"#,                // duplicate: Foundation keeps the first
        #"{"choices":[{"delta":{"content":"a"},}]}"#,                             // trailing comma Foundation accepts
        #"{"choices":[{"index":1.0,"delta":{"content":"a"}}]}"#,                  // an integer written as a float
        #"{"choices":[{"delta":{"con\u0074ent":"a"}}]}"#,                         // an escaped key
        #"{"choices":[{"delta":{"content":"\ud800"}}]}"#,                         // a lone surrogate
        #"{"x":01,"choices":[{"delta":{"content":"a"}}]}"#,                       // a leading zero
        #"{"choices":[{"delta":{"content":5}}]}"#,                                // a wrong type
        #"{"choices":[{"delta":{"content":"a"}}]} x"#,                            // trailing text
        #"{"choices":[{"finish_reason":"st\u006fp"}]}"#,                         // an escaped finish reason
    ])
    func uncertainChatEventsAreDeclined(event: String) {
        #expect(ChatFastChunk.read(bytes(event)) == nil)
        let (fast, slow) = Self.both(bytes(event), decoder: 0)
        #expect(fast == slow)
    }

    @Test func invalidUTF8AndControlCharactersAreDeclined() {
        for bad: [UInt8] in [[0xC3], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0x01], [0x0A]] {
            let event = bytes(#"{"choices":[{"delta":{"content":"a"#) + bad + bytes(#""}}]}"#)
            #expect(ChatFastChunk.read(event) == nil)
            let (fast, slow) = Self.both(event, decoder: 0)
            #expect(fast == slow)
        }
    }

    @Test func deepNestingIsDeclinedNotOverflowed() {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let event = bytes(#"{"x":\#(deep),"choices":[]}"#)
        #expect(ChatFastChunk.read(event) == nil)
        let (fast, slow) = Self.both(event, decoder: 0)
        #expect(fast == slow)
    }

    /// String lengths: every kind of escape and scalar, checked against the String JSONDecoder makes.
    @Test func stringLengthsMatchDecodedStrings() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let literal = RandomJSON.string(&rng)
            let document = bytes("[\(literal)]")
            let decoded = try JSONDecoder().decode([String].self, from: Data(document))[0]
            var scanner = JSONScanner(UnsafeRawBufferPointer(start: nil, count: 0))
            let count = document.withUnsafeBytes { buffer -> Int? in
                scanner = JSONScanner(buffer)
                _ = scanner.consume(UInt8(ascii: "["))
                return scanner.string()?.utf8Count
            }
            #expect(count == decoded.utf8.count, "\(literal)")
        }
    }

    /// Random events of each API's shapes, most of them then damaged a little: both paths must agree on every one.
    @Test(arguments: 0..<3)
    func randomEventsDecodeAlike(decoder: Int) {
        var rng = SplitMix64(seed: UInt64(100 + decoder))
        var fastTaken = 0
        for round in 0..<3000 {
            var event = Array(RandomJSON.event(api: decoder, &rng).utf8)
            if round % 3 != 0 { RandomJSON.damage(&event, &rng) }
            let type = rng.chance(0.5) ? nil : ["message", "response.output_text.delta", "content_block_delta", "error"][rng.below(4)]
            let (fast, slow) = Self.both(event, type: type, decoder: decoder)
            #expect(fast == slow, "\(String(decoding: event, as: UTF8.self))")
            let taken = event.withUnsafeBytes { buffer in
                switch decoder {
                case 0: ChatFastChunk.read(buffer) != nil
                case 1: ResponsesFastEvent.read(buffer) != nil
                default: MessagesFastEvent.read(buffer) != nil
                }
            }
            if taken { fastTaken += 1 }
        }
        // The comparison means something only if the fast path answered a good share of them.
        #expect(fastTaken > 500)
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}

extension ChatFastChunk {
    static func read(_ bytes: [UInt8]) -> ChatFastChunk? { bytes.withUnsafeBytes { read($0) } }
}

extension ResponsesFastEvent {
    static func read(_ bytes: [UInt8]) -> ResponsesFastEvent? { bytes.withUnsafeBytes { read($0) } }
}

extension MessagesFastEvent {
    static func read(_ bytes: [UInt8]) -> MessagesFastEvent? { bytes.withUnsafeBytes { read($0) } }
}

/// Random JSON in the shapes the three APIs stream, with every kind of string escape, whitespace, extra members,
/// nulls, and numbers of every form.
enum RandomJSON {
    static let scalars: [Unicode.Scalar] = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "\u{7F}",
                                            "é", "ï", "€", "日", "\u{FEFF}", "\u{0}", "😀", "𝄞", "\u{10FFFF}", "\u{E000}"]

    /// A JSON string literal: each scalar raw where JSON allows it, or escaped in one of the ways JSON allows.
    static func string(_ rng: inout SplitMix64) -> String {
        var out = "\""
        for _ in 0..<rng.below(12) {
            let scalar = rng.pick(scalars)
            let mustEscape = scalar == "\"" || scalar == "\\" || scalar.value < 0x20
            switch (mustEscape, rng.below(3)) {
            case (false, 0), (false, 1):
                out.unicodeScalars.append(scalar)
            default:
                switch scalar {
                case "\"": out += #"\""#
                case "\\": out += #"\\"#
                case "\n" where rng.chance(0.5): out += #"\n"#
                case "\t" where rng.chance(0.5): out += #"\t"#
                case "/" where rng.chance(0.5): out += #"\/"#
                default:
                    for unit in String(scalar).utf16 {
                        let hex = String(unit, radix: 16, uppercase: rng.chance(0.5))
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    }
                }
            }
        }
        return out + "\""
    }

    static func whitespace(_ rng: inout SplitMix64) -> String {
        rng.chance(0.8) ? "" : rng.pick([" ", "\n", "\t ", "\r\n  "])
    }

    static func value(_ rng: inout SplitMix64, depth: Int = 0) -> String {
        switch rng.below(depth > 2 ? 4 : 6) {
        case 0: return string(&rng)
        case 1: return rng.pick(["0", "-0", "12", "-3.25", "1e5", "2.5E-3", "1.0", "123456789012345678901234"])
        case 2: return rng.pick(["true", "false", "null"])
        case 3: return "\(rng.below(5))"
        case 4: return "[" + (0..<rng.below(3)).map { _ in value(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return "{" + (0..<rng.below(3)).map { i in "\"k\(i)\":\(value(&rng, depth: depth + 1))" }.joined(separator: ",") + "}"
        }
    }

    /// An object of `members` (name and value text), in random order, with extra members, nulls and whitespace.
    static func object(_ members: [(String, String)], _ rng: inout SplitMix64) -> String {
        var all = members.filter { _ in rng.chance(0.9) }.map { ($0.0, rng.chance(0.05) ? "null" : $0.1) }
        for i in 0..<rng.below(3) { all.append(("extra\(i)", value(&rng))) }
        if rng.chance(0.5) { all.shuffle(using: &rng) }
        let ws = whitespace(&rng)
        return "{" + ws + all.map { "\"\($0.0)\"\(whitespace(&rng)):\(whitespace(&rng))\($0.1)" }.joined(separator: "," + ws) + ws + "}"
    }

    static func optionalString(_ rng: inout SplitMix64) -> String { rng.chance(0.2) ? "null" : string(&rng) }

    static func event(api: Int, _ rng: inout SplitMix64) -> String {
        switch api {
        case 0:
            var delta: [(String, String)] = [("role", "\"assistant\"")]
            for key in ["content", "reasoning", "reasoning_content"] where rng.chance(0.5) { delta.append((key, optionalString(&rng))) }
            if rng.chance(0.3) {
                let call = object([("index", "\(rng.below(3))"), ("id", optionalString(&rng)), ("type", "\"function\""),
                                   ("function", object([("name", optionalString(&rng)), ("arguments", optionalString(&rng))], &rng))], &rng)
                delta.append(("tool_calls", "[\(call)]"))
            }
            let finish = rng.chance(0.7) ? "null" : rng.pick([#""stop""#, #""length""#, #""tool_calls""#, #""""#])
            let choice = object([("delta", object(delta, &rng)), ("index", "0"), ("finish_reason", finish), ("logprobs", "null")], &rng)
            var top: [(String, String)] = [("choices", rng.chance(0.1) ? "null" : "[\(choice)]"), ("id", "\"x\""), ("created", "1.5")]
            if rng.chance(0.1) { top.append(("usage", rng.chance(0.5) ? "null" : #"{"prompt_tokens":3,"completion_tokens":4.0}"#)) }
            if rng.chance(0.05) { top.append(("error", rng.chance(0.5) ? "null" : #"{"message":"m","code":503}"#)) }
            return object(top, &rng)
        case 1:
            let type = rng.pick(["response.output_text.delta", "response.reasoning_text.delta", "response.refusal.delta",
                                 "response.function_call_arguments.delta", "response.reasoning_summary_text.delta",
                                 "response.content_part.added", "response.output_text.done", "response.completed",
                                 "response.output_item.added", "error"])
            var members: [(String, String)] = [("type", "\"\(type)\""), ("sequence_number", "\(rng.below(99))"),
                                               ("item_id", "\"m\""), ("output_index", "0"), ("delta", optionalString(&rng))]
            if rng.chance(0.1) { members.append(("error", rng.chance(0.5) ? "null" : #"{"message":"m"}"#)) }
            if type == "response.completed" { members.append(("response", #"{"status":"completed","usage":{"output_tokens":5}}"#)) }
            if type == "response.output_item.added" { members.append(("item", #"{"type":"function_call","name":"f"}"#)) }
            return object(members, &rng)
        default:
            let type = rng.pick(["content_block_delta", "content_block_delta", "content_block_delta", "ping",
                                 "content_block_stop", "message_stop", "message_delta", "content_block_start"])
            let deltaType = rng.pick(["text_delta", "thinking_delta", "input_json_delta", "signature_delta", "other"])
            let delta = object([("type", "\"\(deltaType)\""), ("text", optionalString(&rng)), ("thinking", optionalString(&rng)),
                                ("partial_json", optionalString(&rng)), ("signature", optionalString(&rng))].filter { _ in rng.chance(0.6) }, &rng)
            var members: [(String, String)] = [("type", "\"\(type)\""), ("index", "\(rng.below(3))"), ("delta", delta)]
            if rng.chance(0.1) { members.append(("usage", rng.chance(0.5) ? "null" : #"{"output_tokens":7}"#)) }
            if type == "content_block_start" { members.append(("content_block", #"{"type":"text","text":"hi"}"#)) }
            return object(members, &rng)
        }
    }

    /// A small random change: a byte removed, added or replaced, or a member duplicated.
    static func damage(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard !bytes.isEmpty else { return }
        let interesting: [UInt8] = Array("\"\\,:{}[]0.e-n ".utf8) + [0xFF, 0xC3, 0xE2, 0x01, 0x0A]
        let index = rng.below(bytes.count)
        switch rng.below(4) {
        case 0: bytes.remove(at: index)
        case 1: bytes.insert(rng.pick(interesting), at: index)
        case 2: bytes[index] = rng.pick(interesting)
        default:
            // Repeat a stretch (a duplicate member when it falls on one).
            let end = min(bytes.count, index + rng.below(40))
            bytes.insert(contentsOf: bytes[index..<end], at: end)
        }
    }
}
