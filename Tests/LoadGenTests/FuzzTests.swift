import BenchSupport
import CCurl
import Foundation
import Testing
@testable import LoadGen

/// Property tests with a seeded generator (SplitMix64): the SSE parser and the three decoders, through the
/// transport's own write path, fed the fixtures split anywhere, random bytes, mutated fixtures and random event
/// sequences. Every input ends classified, memory stays within a constant of the event-size limit, nothing crashes.
/// `SAMBABENCH_FUZZ_SCALE=10` runs ten times the iterations (and `SAMBABENCH_FUZZ_SEED` another seed).
@Suite struct FuzzTests {
    static let scale = Int(ProcessInfo.processInfo.environment["SAMBABENCH_FUZZ_SCALE"] ?? "") ?? 1
    static let seed = UInt64(ProcessInfo.processInfo.environment["SAMBABENCH_FUZZ_SEED"] ?? "") ?? 0x5EED
    static let allFixtures = Fixtures.streams + ["responses_sambanova.sse", "messages_stream.sse", "completions_sambanova.sse"]
    static let apiOfFixture: [String: APIKind] = ["responses_sambanova.sse": .responses, "messages_stream.sse": .messages,
                                                  "completions_sambanova.sse": .completions]

    // MARK: (a) splits

    @Test(arguments: allFixtures)
    func fixturesSplitAnywhereParseAndDecodeAsWhole(fixture: String) throws {
        var rng = SplitMix64(seed: Self.seed ^ UInt64(fixture.utf8.count))
        let bytes = try Fixtures.bytes(fixture)
        let api = Self.apiOfFixture[fixture] ?? .chat
        let events = try parse(bytes).events
        let whole = WritePath.run(bytes, api: api, cuts: [])
        #expect(whole.record.errorClass == nil, "\(whole.record.errorMessage ?? "")")
        for _ in 0..<(300 * Self.scale) {
            let cuts = rng.cuts(in: bytes.count, upTo: 40)
            #expect(try parse(bytes, splits: cuts).events == events, "cuts \(cuts)")
            let split = WritePath.run(bytes, api: api, cuts: cuts)
            #expect(split.summary == whole.summary, "cuts \(cuts)")
        }
    }

    // MARK: (b) hostile input

    @Test(arguments: APIKind.allCases)
    func randomBytesEndClassifiedWithBoundedMemory(api: APIKind) {
        var rng = SplitMix64(seed: Self.seed &+ 1 &+ UInt64(api.rawValue.utf8.count))
        let limit = 512
        for _ in 0..<(400 * Self.scale) {
            let bytes = rng.sseNoise(length: Int(rng.next() % 8192))
            let cuts = rng.cuts(in: bytes.count, upTo: 64)
            let run = WritePath.run(bytes, api: api, cuts: cuts, maxEventBytes: limit)
            run.checkInvariants(limit: limit)
            // The same bytes read in one piece give the same events, unless an event or line is near the limit.
            if run.record.errorClass != .eventTooLarge {
                let whole = WritePath.run(bytes, api: api, cuts: [], maxEventBytes: 1 << 20)
                #expect(whole.summary == run.summary || whole.record.errorClass == .eventTooLarge)
            }
        }
    }

    @Test func aLongStreamOfNoiseNeverHoldsMoreThanTheLimit() {
        var rng = SplitMix64(seed: Self.seed &+ 2)
        let limit = 4096
        for _ in 0..<(4 * Self.scale) {
            // 2 MB of noise with few line breaks: buffers would grow without the limit.
            var bytes = rng.sseNoise(length: 2 << 20)
            for index in bytes.indices where bytes[index] == 0x0A || bytes[index] == 0x0D {
                if rng.next() % 64 != 0 { bytes[index] = 0x61 }
            }
            let run = WritePath.run(bytes, api: .chat, cuts: rng.cuts(in: bytes.count, upTo: 512), maxEventBytes: limit)
            run.checkInvariants(limit: limit)
        }
    }

    @Test(arguments: allFixtures)
    func mutatedFixturesEndClassified(fixture: String) throws {
        var rng = SplitMix64(seed: Self.seed &+ 3 &+ UInt64(fixture.utf8.count))
        let original = try Fixtures.bytes(fixture)
        var classes: Set<String> = []
        for iteration in 0..<(300 * Self.scale) {
            var bytes = original
            for _ in 0..<(1 + Int(rng.next() % 6)) { rng.mutate(&bytes) }
            // Each decoder reads each mutant: a server may answer one API in another's shape.
            let api = APIKind.allCases[iteration % APIKind.allCases.count]
            let limit = rng.next() % 4 == 0 ? 256 : 1 << 20
            let run = WritePath.run(bytes, api: api, cuts: rng.cuts(in: bytes.count, upTo: 16), maxEventBytes: limit)
            run.checkInvariants(limit: limit)
            classes.insert(run.record.errorClass?.rawValue ?? "ok")
        }
        // The mutations reach more than one outcome.
        #expect(classes.count >= 2, "\(classes)")
    }

    @Test func theFirstFailureOfAReadDecidesWhereverTheReadsAreCut() {
        // An error event, a malformed event, then an event past the limit: in one read or in many, a stream error.
        let bytes = Array(("event: error\ndata: {\"error\":{\"message\":\"first\"}}\n\ndata: {not json\n\n"
            + "data: {\"choices\":[{\"delta\":{\"content\":\"" + String(repeating: "a", count: 2000)).utf8)
        var rng = SplitMix64(seed: Self.seed &+ 5)
        for cuts in [[]] + (0..<200).map({ _ in rng.cuts(in: bytes.count, upTo: 8) }) {
            let record = WritePath.run(bytes, api: .chat, cuts: cuts, maxEventBytes: 512).record
            #expect(record.errorClass == .streamError && record.errorMessage == "first", "cuts \(cuts)")
        }
    }

    // MARK: Random event sequences against an oracle

    @Test(arguments: APIKind.allCases)
    func randomEventSequencesAreClassifiedAsTheOracleSays(api: APIKind) {
        var rng = SplitMix64(seed: Self.seed &+ 4 &+ UInt64(api.rawValue.utf8.count))
        var seen: Set<String> = []
        for _ in 0..<(400 * Self.scale) {
            var stream = GeneratedStream(api: api)
            let count = 1 + Int(rng.next() % 24)
            for index in 0..<count { stream.append(EventGenerator.event(api, last: index == count - 1, using: &rng)) }
            let bytes = stream.bytes(using: &rng)
            let expected = stream.oracle()
            let run = WritePath.run(bytes, api: api, cuts: rng.cuts(in: bytes.count, upTo: 32))
            run.checkInvariants(limit: 1 << 20)
            let record = run.record
            let description = stream.describe()
            #expect(record.errorClass == expected.errorClass, "\(description)\n\(record.errorMessage ?? "")")
            #expect(record.chunks.map { [$0.answerBytes, $0.reasoningBytes, $0.toolBytes] } == expected.chunks, "\(description)")
            #expect(record.outputTokens == expected.outputTokens, "\(description)")
            seen.insert(record.errorClass?.rawValue ?? "ok")
        }
        #expect(seen == ["ok", "truncated", "stream_error", "malformed_event"])
    }
}

// MARK: The write path, as libcurl drives it

/// A transfer's write callback fed in pieces, stopped when it refuses bytes (libcurl then aborts the transfer), and
/// the record built from what it saw.
struct WritePath {
    var record: RequestRecord
    var outcome: TransferOutcome
    var fed: Int
    var maxBuffered: Int
    var maxPiece: Int

    static func run(_ bytes: [UInt8], api: APIKind, cuts: [Int], maxEventBytes: Int = 1 << 20,
                    maxChunks: Int = RequestLimits.defaultMaxChunks) -> WritePath {
        let decoder = APIAdapters.decoder(for: api)
        let options = TransferOptions(streaming: true, decoder: decoder, maxEventBytes: maxEventBytes, maxChunks: maxChunks)
        let clock = RunClock()
        let transfer = Transfer(id: 1, request: HTTPRequest(url: "http://127.0.0.1:1/"), options: options, clock: clock)
        transfer.readingStream = true
        var start = 0
        var fed = 0
        var aborted = false
        var maxBuffered = 0
        var maxPiece = 0
        for end in cuts + [bytes.count] where end >= start {
            let taken = bytes[start..<end].withUnsafeBytes { transfer.receiveBody($0) }
            maxBuffered = max(maxBuffered, bufferedBytes(transfer.parser))
            maxPiece = max(maxPiece, end - start)
            fed += end - start
            if taken != end - start {
                aborted = true
                break
            }
            start = end
        }
        var outcome = transfer.outcome
        outcome.status = 200
        outcome.readAsStream = true
        outcome.completedNs = clock.now()
        if aborted { outcome.curlCode = Int32(CURLE_WRITE_ERROR.rawValue) }
        let context = DispatchContext(level: 0, levelName: "f", seq: 0, warmup: false, scheduledNs: 0)
        let record = RecordBuilder.build(outcome, context: context, api: api, model: "m", streaming: true, decoder: decoder)
        return WritePath(record: record, outcome: outcome, fed: fed, maxBuffered: maxBuffered, maxPiece: maxPiece)
    }

    /// Everything but the times.
    var summary: String {
        let chunks = record.chunks.map { "\($0.answerBytes)/\($0.reasoningBytes)/\($0.toolBytes)/\($0.tokens)" }
        return "\(record.errorClass?.rawValue ?? "ok") \(record.errorType ?? "-") \(record.errorCode ?? "-") "
            + "\(record.finishReason ?? "-") \(record.outputTokens) \(record.inputTokens ?? -1) \(chunks)"
    }

    func checkInvariants(limit: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let stream = outcome.stream
        // Classified: a success has its terminator and no failure; a failure has exactly one class.
        if record.errorClass == nil {
            #expect(stream.terminatorNs != nil && stream.failure == nil && outcome.failure == nil, sourceLocation: sourceLocation)
        }
        #expect(record.outputTokens >= 0, sourceLocation: sourceLocation)
        #expect(record.chunks.allSatisfy { $0.tokens >= 0 && $0.bytes > 0 }, sourceLocation: sourceLocation)
        if !record.chunks.isEmpty {
            #expect(record.chunks.map(\.tokens).reduce(0, +) == record.outputTokens, sourceLocation: sourceLocation)
        }
        #expect(record.chunks.count <= stream.events, sourceLocation: sourceLocation)
        #expect(outcome.bytesReceived == fed, sourceLocation: sourceLocation)
        // Memory: the parser holds at most the event being built, its type and last id, each bounded by the limit
        // (or by one piece, when a whole line arrived in it).
        #expect(maxBuffered <= 3 * (limit + maxPiece), "buffered \(maxBuffered)", sourceLocation: sourceLocation)
        if outcome.failure?.errorClass == .eventTooLarge {
            #expect(record.errorClass == .eventTooLarge, sourceLocation: sourceLocation)
        }
    }

    /// Bytes the parser holds in its buffers, whatever they are called.
    static func bufferedBytes(_ parser: SSEParser) -> Int {
        let buffers = Mirror(reflecting: parser).children.compactMap { $0.value as? [UInt8] }
        precondition(!buffers.isEmpty, "SSEParser keeps no [UInt8] buffers any more: update the fuzz tests' measure")
        return buffers.reduce(0) { $0 + $1.count }
    }
}

// MARK: Generators

/// Draws for the random cases (here and in FastPathDecoderTests).
extension SplitMix64 {
    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Up to `limit` ascending cut points in 0...count (some repeated: empty pieces happen too).
    mutating func cuts(in count: Int, upTo limit: Int) -> [Int] {
        (0..<below(limit + 1)).map { _ in below(count + 1) }.sorted()
    }

    /// Bytes that look enough like an event stream to reach every branch of the parser.
    mutating func sseNoise(length: Int) -> [UInt8] {
        let pieces = ["data:", "data: ", "event:", "event: error", "id:", "id: 7", "retry: 30", "retry: x", ":", ": ping",
                      "\n", "\n", "\r", "\r\n", "\n\n", " ", "{", "}", "[", "]", "\"", ",", "[DONE]", "\u{FEFF}",
                      #"{"choices":[{"delta":{"content":"x"}}]}"#, #"{"type":"message_stop"}"#,
                      #"{"type":"response.completed","response":{"status":"completed"}}"#,
                      #"{"error":{"message":"m"}}"#, "data: [DONE]\n\n"]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length + 64)
        while bytes.count < length {
            if chance(0.3) {
                bytes.append(UInt8(truncatingIfNeeded: next()))
            } else {
                bytes += Array(pick(pieces).utf8)
            }
        }
        return bytes
    }

    /// One random edit: a flipped byte, a deletion, an insertion, a duplicated or moved range, a cut, a digit turned.
    mutating func mutate(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else {
            bytes = sseNoise(length: 16)
            return
        }
        let at = below(bytes.count)
        let span = min(1 + below(64), bytes.count - at)
        switch below(8) {
        case 0: bytes[at] ^= UInt8(1 << below(8))
        case 1: bytes.removeSubrange(at..<(at + span))
        case 2: bytes.insert(contentsOf: sseNoise(length: 1 + below(12)), at: at)
        case 3: bytes.insert(contentsOf: Array(bytes[at..<(at + span)]), at: below(bytes.count))
        case 4: bytes.removeSubrange(at...)
        case 5: bytes[at] = pick(Array("0123456789-.e\"\\{}[]:,\n\r".utf8))
        case 6: bytes.insert(contentsOf: [0xFF, 0xC3, 0xE6, 0x97][..<(1 + below(4))], at: at)
        default:
            let moved = Array(bytes[at..<(at + span)])
            bytes.removeSubrange(at..<(at + span))
            bytes.insert(contentsOf: moved, at: below(bytes.count + 1))
        }
    }
}

/// What an event is, for the oracle.
enum EventLabel: Equatable {
    /// Generated text of each kind, in UTF-8 bytes (all zero: no chunk).
    case tokens(answer: Int, reasoning: Int, tool: Int)
    /// Carries nothing the record counts (role-only deltas, lifecycle events, pings, unknown fields).
    case neutral
    /// Output tokens reported by usage; `terminates` when it is also the terminator (Responses).
    case usage(outputTokens: Int, terminates: Bool)
    case terminator
    case error
    case malformed
}

struct GeneratedEvent {
    var type: String?
    /// The JSON (or other) text of the data field.
    var data: String
    var label: EventLabel
    /// Comment lines before it (not events).
    var comments = 0
}

/// A stream of generated events and what the client must make of it.
struct GeneratedStream {
    let api: APIKind
    var events: [GeneratedEvent] = []

    init(api: APIKind) { self.api = api }

    mutating func append(_ event: GeneratedEvent) { events.append(event) }

    /// The wire form: a random line-ending style per event, data split over several lines where JSON allows,
    /// optional `id:` lines and comments.
    func bytes(using rng: inout SplitMix64) -> [UInt8] {
        var text = rng.chance(0.1) ? "\u{FEFF}" : ""
        for event in events {
            let end = rng.pick(["\n", "\r\n", "\r"])
            var lines: [String] = Array(repeating: ": keep-alive", count: event.comments)
            if let type = event.type { lines.append(rng.chance(0.5) ? "event: \(type)" : "event:\(type)") }
            if rng.chance(0.1) { lines.append("id: \(rng.below(1000))") }
            if rng.chance(0.05) { lines.append("retry: \(rng.below(5000))") }
            for piece in Self.splitJSON(event.data, using: &rng) { lines.append("data: " + piece) }
            text += lines.map { $0 + end }.joined() + end
        }
        return Array(text.utf8)
    }

    /// Cuts JSON after a `,` `:` `[` or `{` outside strings, where the line feed joining data lines is whitespace.
    static func splitJSON(_ json: String, using rng: inout SplitMix64) -> [String] {
        guard json.hasPrefix("{"), rng.chance(0.3) else { return [json] }
        var pieces: [String] = []
        var current = ""
        var inString = false
        var escaped = false
        for character in json {
            current.append(character)
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            } else if ",:[{".contains(character), rng.chance(0.15) {
                pieces.append(current)
                current = ""
            }
        }
        pieces.append(current)
        return pieces
    }

    struct Expected {
        var errorClass: ErrorClass?
        var chunks: [[Int]]
        var outputTokens: Int
    }

    /// What the record must say: events are read until the first failure; chunks are the token-carrying events read;
    /// N is the last usage reported, else the estimate; success needs the terminator.
    func oracle() -> Expected {
        var chunks: [[Int]] = []
        var usage: Int?
        var terminated = false
        var failure: ErrorClass?
        for event in events {
            switch event.label {
            case .tokens(let answer, let reasoning, let tool):
                if answer + reasoning + tool > 0 { chunks.append([answer, reasoning, tool]) }
            case .neutral:
                break
            case .usage(let output, let terminates):
                usage = output
                terminated = terminated || terminates
            case .terminator:
                terminated = true
            case .error:
                failure = .streamError
            case .malformed:
                failure = .malformedEvent
            }
            if failure != nil { break }
        }
        let total = usage ?? TokenEstimator.estimate(chunkBytes: chunks.map { $0.reduce(0, +) })
        return Expected(errorClass: failure ?? (terminated ? nil : .truncated), chunks: chunks, outputTokens: total)
    }

    func describe() -> String {
        events.map { "\($0.type.map { "[\($0)] " } ?? "")\($0.data.prefix(160))" }.joined(separator: "\n")
    }
}

/// Random events of each API, each with its label.
enum EventGenerator {
    static let textPieces = ["a", "Hello", " ", "é", "日本語", "😀", "\"", "\\", "\n", "\t", "\u{1}", "/", "—", "data: ",
                             "[DONE]", "\r", "}", "{\"x\":1}"]

    static func text(using rng: inout SplitMix64) -> String {
        (0..<rng.below(6)).map { _ in rng.pick(textPieces) }.joined()
    }

    /// A JSON string literal for `text`, with non-ASCII characters sometimes escaped as UTF-16 (surrogate pairs too).
    static func json(_ text: String, using rng: inout SplitMix64) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += rng.chance(0.5) ? "\\n" : "\\u000a"
            case "/": out += rng.chance(0.5) ? "\\/" : "/"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            case _ where scalar.value > 0x7F && rng.chance(0.5):
                for unit in String(scalar).utf16 { out += String(format: "\\u%04X", unit) }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A count as an integer or a float with a zero fraction (SambaNova sends both).
    static func count(_ value: Int, using rng: inout SplitMix64) -> String {
        rng.chance(0.3) ? "\(value).0" : "\(value)"
    }

    static func malformed(using rng: inout SplitMix64) -> String {
        // Broken structure only: Foundation's JSONDecoder does not check the escapes of values no field reads.
        rng.pick(["{\"choices\":[{\"delta\":", "not json", "{\"type\":", "[1,2", "{\"a\":1}}", "{'single':1}", "nul", "{\"a\" 1}"])
    }

    /// One event; `last` makes the terminator likely, so successes are common.
    static func event(_ api: APIKind, last: Bool, using rng: inout SplitMix64) -> GeneratedEvent {
        var event: GeneratedEvent
        if last && rng.chance(0.7) {
            event = terminator(api, using: &rng)
        } else if rng.chance(0.04) {
            event = GeneratedEvent(type: api == .chat || api == .completions ? nil : "content_block_delta", data: malformed(using: &rng), label: .malformed)
        } else if rng.chance(0.04) {
            event = error(api, using: &rng)
        } else {
            switch api {
            case .chat: event = chat(using: &rng)
            case .responses: event = responses(using: &rng)
            case .messages: event = messages(using: &rng)
            case .completions: event = completions(using: &rng)
            }
        }
        event.comments = rng.chance(0.1) ? 1 + rng.below(2) : 0
        return event
    }

    static func terminator(_ api: APIKind, using rng: inout SplitMix64) -> GeneratedEvent {
        switch api {
        case .chat, .completions:
            return GeneratedEvent(data: "[DONE]", label: .terminator)
        case .responses:
            // A response whose usage holds a count that is no count ends the stream without usage.
            let absurd = rng.chance(0.1) ? rng.pick(["-3", "1e18"]) : nil
            let output = rng.below(500)
            let status = rng.pick(["completed", "incomplete"])
            return GeneratedEvent(type: "response.\(status)", data: #"{"type":"response.\#(status)","sequence_number":\#(rng.below(99)),"response":{"id":"r","status":"\#(status)","output":[],"usage":{"input_tokens":\#(rng.below(99)),"output_tokens":\#(absurd ?? count(output, using: &rng))}}}"#, label: absurd == nil ? .usage(outputTokens: output, terminates: true) : .terminator)
        case .messages:
            return GeneratedEvent(type: "message_stop", data: #"{"type":"message_stop"}"#, label: .terminator)
        }
    }

    static func error(_ api: APIKind, using rng: inout SplitMix64) -> GeneratedEvent {
        let message = json(text(using: &rng) + "x", using: &rng)
        switch api {
        case .chat, .completions:
            return rng.chance(0.5)
                ? GeneratedEvent(type: rng.pick(["error", "error_event"]), data: rng.chance(0.3) ? "overloaded" : #"{"error":{"message":\#(message),"type":"server_error"}}"#, label: .error)
                : GeneratedEvent(data: #"{"error":{"message":\#(message),"code":503}}"#, label: .error)
        case .responses:
            return rng.chance(0.5)
                ? GeneratedEvent(type: "response.failed", data: #"{"type":"response.failed","response":{"status":"failed","error":{"code":"server_error","message":\#(message)}}}"#, label: .error)
                : GeneratedEvent(type: "error", data: #"{"type":"error","code":"server_error","message":\#(message)}"#, label: .error)
        case .messages:
            return GeneratedEvent(type: "error", data: #"{"type":"error","error":{"type":"overloaded_error","message":\#(message)}}"#, label: .error)
        }
    }

    static func chat(using rng: inout SplitMix64) -> GeneratedEvent {
        let envelope = #","id":"c","object":"chat.completion.chunk","created":1737642515.6076705"#
        let value = text(using: &rng)
        let bytes = value.utf8.count
        switch rng.below(8) {
        case 0:
            return GeneratedEvent(data: #"{"choices":[{"delta":{"role":"assistant","content":""},"index":0,"finish_reason":null}]\#(envelope)}"#, label: .neutral)
        case 1, 2:
            return GeneratedEvent(type: rng.chance(0.2) ? "message" : nil, data: #"{"choices":[{"delta":{"content":\#(json(value, using: &rng)),"role":"assistant"},"index":0,"finish_reason":null,"logprobs":null}]\#(envelope)}"#, label: .tokens(answer: bytes, reasoning: 0, tool: 0))
        case 3:
            let key = rng.pick(["reasoning", "reasoning_content"])
            return GeneratedEvent(data: #"{"choices":[{"delta":{"\#(key)":\#(json(value, using: &rng))},"index":0}]}"#, label: .tokens(answer: 0, reasoning: bytes, tool: 0))
        case 4:
            let name = rng.chance(0.5) ? "get_weather" : ""
            return GeneratedEvent(data: #"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"\#(name)","arguments":\#(json(value, using: &rng))}}]},"index":0}]}"#, label: .tokens(answer: 0, reasoning: 0, tool: name.utf8.count + bytes))
        case 5:
            return GeneratedEvent(data: #"{"choices":[{"delta":{"content":""},"index":0,"finish_reason":"\#(rng.pick(["stop", "length", "tool_calls"]))"}]\#(envelope)}"#, label: .neutral)
        case 6:
            // A count that is no count (negative, absurd) makes the usage chunk undecodable.
            let absurd = rng.chance(0.1) ? rng.pick(["-3", "1e18", "-0.5e1"]) : nil
            let output = rng.below(5000)
            return GeneratedEvent(data: #"{"choices":[],"usage":{"prompt_tokens":\#(rng.below(99)),"completion_tokens":\#(absurd ?? count(output, using: &rng)),"total_tokens":1,"time_to_first_token":0.08,"is_last_response":true}\#(envelope)}"#, label: absurd == nil ? .usage(outputTokens: output, terminates: false) : .malformed)
        default:
            return GeneratedEvent(data: rng.pick([#"{"unknown":{"nested":[1,2,3]}}"#, "{}", ""]), label: .neutral)
        }
    }

    static func completions(using rng: inout SplitMix64) -> GeneratedEvent {
        let envelope = #","id":"c","object":"text_completion","created":1737642515.6076705"#
        let value = text(using: &rng)
        let bytes = value.utf8.count
        switch rng.below(7) {
        case 0:
            return GeneratedEvent(data: #"{"choices":[{"text":"","index":0,"finish_reason":null,"logprobs":null}]\#(envelope)}"#, label: .neutral)
        case 1, 2:
            return GeneratedEvent(type: rng.chance(0.2) ? "message" : nil, data: #"{"choices":[{"text":\#(json(value, using: &rng)),"index":0,"finish_reason":null,"logprobs":null}]\#(envelope)}"#, label: .tokens(answer: bytes, reasoning: 0, tool: 0))
        case 3:
            return GeneratedEvent(data: #"{"choices":[{"text":"","index":0,"finish_reason":"\#(rng.pick(["stop", "length"]))"}]\#(envelope)}"#, label: .neutral)
        case 4:
            let absurd = rng.chance(0.1) ? rng.pick(["-3", "1e18", "-0.5e1"]) : nil
            let output = rng.below(5000)
            return GeneratedEvent(data: #"{"choices":[],"usage":{"prompt_tokens":\#(rng.below(99)),"completion_tokens":\#(absurd ?? count(output, using: &rng)),"total_tokens":1,"time_to_first_token":0.08,"is_last_response":true}\#(envelope)}"#, label: absurd == nil ? .usage(outputTokens: output, terminates: false) : .malformed)
        case 5:
            // The chat-shaped choice of the endpoint's published examples.
            return GeneratedEvent(data: #"{"choices":[{"delta":{"content":\#(json(value, using: &rng))},"index":0}]}"#, label: .tokens(answer: bytes, reasoning: 0, tool: 0))
        default:
            return GeneratedEvent(data: rng.pick([#"{"unknown":{"nested":[1,2,3]}}"#, "{}", ""]), label: .neutral)
        }
    }

    static func responses(using rng: inout SplitMix64) -> GeneratedEvent {
        let value = text(using: &rng)
        let bytes = value.utf8.count
        func event(_ type: String, _ members: String, _ label: EventLabel) -> GeneratedEvent {
            GeneratedEvent(type: rng.chance(0.8) ? type : nil, data: #"{"type":"\#(type)","sequence_number":\#(rng.below(99))\#(members)}"#, label: label)
        }
        switch rng.below(9) {
        case 0:
            return event(rng.pick(["response.created", "response.in_progress"]), #","response":{"id":"r","status":"in_progress","output":[],"usage":null}"#, .neutral)
        case 1, 2:
            let type = rng.pick(["response.output_text.delta", "response.refusal.delta"])
            return event(type, #","item_id":"m","output_index":0,"content_index":0,"delta":\#(json(value, using: &rng))"#, .tokens(answer: bytes, reasoning: 0, tool: 0))
        case 3:
            let type = rng.pick(["response.reasoning_text.delta", "response.reasoning_summary_text.delta"])
            return event(type, #","item_id":"rs","output_index":0,"delta":\#(json(value, using: &rng))"#, .tokens(answer: 0, reasoning: bytes, tool: 0))
        case 4:
            return event("response.function_call_arguments.delta", #","item_id":"fc","output_index":1,"delta":\#(json(value, using: &rng))"#, .tokens(answer: 0, reasoning: 0, tool: bytes))
        case 5:
            return event("response.output_item.added", #","output_index":1,"item":{"id":"fc","type":"function_call","call_id":"c","name":\#(json(value, using: &rng)),"arguments":""}"#, .tokens(answer: 0, reasoning: 0, tool: bytes))
        case 6:
            return event("response.output_item.added", #","output_index":0,"item":{"id":"m","type":"message","role":"assistant","content":[]}"#, .neutral)
        case 7:
            return event(rng.pick(["response.output_text.done", "response.content_part.done", "response.output_item.done"]), #","output_index":0,"text":\#(json(value, using: &rng))"#, .neutral)
        default:
            return GeneratedEvent(type: nil, data: "[DONE]", label: .neutral)
        }
    }

    static func messages(using rng: inout SplitMix64) -> GeneratedEvent {
        let value = text(using: &rng)
        let bytes = value.utf8.count
        func event(_ type: String, _ members: String, _ label: EventLabel) -> GeneratedEvent {
            GeneratedEvent(type: rng.chance(0.8) ? type : nil, data: #"{"type":"\#(type)"\#(members)}"#, label: label)
        }
        switch rng.below(10) {
        case 0:
            return event("message_start", #","message":{"id":"msg","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"usage":{"input_tokens":\#(rng.below(99)),"output_tokens":1}}"#, .neutral)
        case 1:
            let kind = rng.below(3)
            switch kind {
            case 0: return event("content_block_start", #","index":0,"content_block":{"type":"text","text":\#(json(value, using: &rng))}"#, .tokens(answer: bytes, reasoning: 0, tool: 0))
            case 1: return event("content_block_start", #","index":0,"content_block":{"type":"thinking","thinking":\#(json(value, using: &rng)),"signature":""}"#, .tokens(answer: 0, reasoning: bytes, tool: 0))
            default: return event("content_block_start", #","index":1,"content_block":{"type":"tool_use","id":"t","name":\#(json(value, using: &rng)),"input":{}}"#, .tokens(answer: 0, reasoning: 0, tool: bytes))
            }
        case 2, 3:
            return event("content_block_delta", #","index":0,"delta":{"type":"text_delta","text":\#(json(value, using: &rng))}"#, .tokens(answer: bytes, reasoning: 0, tool: 0))
        case 4:
            return event("content_block_delta", #","index":0,"delta":{"type":"thinking_delta","thinking":\#(json(value, using: &rng))}"#, .tokens(answer: 0, reasoning: bytes, tool: 0))
        case 5:
            return event("content_block_delta", #","index":1,"delta":{"type":"input_json_delta","partial_json":\#(json(value, using: &rng))}"#, .tokens(answer: 0, reasoning: 0, tool: bytes))
        case 6:
            return event("content_block_delta", #","index":0,"delta":{"type":"signature_delta","signature":"c2ln"}"#, .neutral)
        case 7:
            return event(rng.pick(["content_block_stop", "ping"]), #","index":0"#, .neutral)
        case 8:
            let absurd = rng.chance(0.1) ? rng.pick(["-3", "1e18", "-0.5e1"]) : nil
            let output = rng.below(5000)
            return event("message_delta", #","delta":{"stop_reason":"\#(rng.pick(["end_turn", "max_tokens", "tool_use"]))","stop_sequence":null},"usage":{"output_tokens":\#(absurd ?? count(output, using: &rng))}"#, absurd == nil ? .usage(outputTokens: output, terminates: false) : .malformed)
        default:
            return GeneratedEvent(type: nil, data: "[DONE]", label: .neutral)
        }
    }
}
