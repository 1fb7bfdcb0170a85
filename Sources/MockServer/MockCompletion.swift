import BenchSupport

/// What the mock will answer to one request, fixed before the first byte is sent: chunk sizes and text, which chunks
/// are reasoning, and the tool call that may take the place of the answer's text. One plan drives the renderers of every
/// API, so for the same seed and request number they send the same text on the same schedule.
struct MockCompletion: Equatable {
    /// Tokens of each chunk, in order: the reasoning chunks, then the answer's text chunks or its one tool-call chunk.
    var chunkTokens: [Int] {
        didSet { tokensAfterFirst = Self.tokensAfterFirst(chunkTokens) }
    }
    /// How many of the first chunks are reasoning.
    var reasoningChunks: Int
    var reasoningTokens: Int
    /// All output tokens, reasoning included: the sum of `chunkTokens`.
    var outputTokens: Int
    /// The call that answers instead of text; it is the last chunk, sent whole.
    var toolCall: MockToolCall?
    var finish: MockFinish

    /// Every token is five bytes (a space and a four-letter word), so text length apportions tokens exactly.
    static let vocabulary = [" time", " data", " fast", " chip", " flow", " node", " rack", " core", " bank", " wave",
                             " load", " path", " grid", " unit", " cell", " beam"]

    /// `tools` are the ones the answer may call (none when the request offers none or answers a tool result);
    /// `forceToolCall` makes the answer a call to one of them (`tool_choice` required or named). `stop` sequences cut
    /// the answer's text before the first one it contains; `format` makes the text JSON.
    init(profile: MockProfile, maxTokens: Int?, requestNumber: UInt64, tools: [MockTool] = [], forceToolCall: Bool = false,
         stop: [String] = [], format: MockFormat = .text) {
        var rng = SplitMix64(seed: profile.seed &+ requestNumber &* 0x2545_F491_4F6C_DD1D)
        var total = Int.random(in: profile.outputTokens, using: &rng)
        finish = .stop
        if let maxTokens, maxTokens < total {
            total = max(maxTokens, 0)
            finish = .length
        }
        let reasoning = Int((Double(total) * profile.reasoningShare).rounded())
        reasoningTokens = reasoning
        // Tool decisions draw from their own stream, so offering tools leaves the text of a text answer unchanged.
        var toolRng = SplitMix64(seed: (profile.seed &+ requestNumber &* 0x2545_F491_4F6C_DD1D) ^ 0x746F_6F6C_6361_6C6C)
        toolCall = nil
        if !tools.isEmpty, Double(toolRng.next() >> 11) / Double(1 << 53) < profile.toolCallShare || forceToolCall {
            let tool = tools[Int(toolRng.next() % UInt64(tools.count))]
            let call = MockToolCall(name: tool.name, arguments: tool.schema.json(using: &toolRng))
            // A call that would not fit in max_tokens after the reasoning is not made: the answer is text (unless the
            // request demands a call).
            if forceToolCall || maxTokens.map({ reasoning + call.tokens <= $0 }) ?? true {
                toolCall = call
                finish = .toolCall
            }
        }
        var chunks: [Int] = []
        Self.split(reasoning, into: &chunks, sizes: profile.tokensPerChunk, using: &rng)
        reasoningChunks = chunks.count
        if let toolCall {
            chunks.append(toolCall.tokens)
        } else {
            Self.split(total - reasoning, into: &chunks, sizes: profile.tokensPerChunk, using: &rng)
        }
        chunkTokens = chunks
        tokensAfterFirst = Self.tokensAfterFirst(chunks)
        outputTokens = chunks.reduce(0, +)
        textSeed = rng.next()
        words = profile.wordLengths.words
        guard toolCall == nil, !stop.isEmpty || format.isJSON else { return }
        // The text is fixed now: JSON for a JSON format, cut at the first stop sequence; its chunks are re-cut to fit.
        var text = answerText
        if format.isJSON {
            var formatRng = SplitMix64(seed: textSeed ^ 0x6A73_6F6E_666D_7421)
            text = format.json(words: text, using: &formatRng)
            if let maxTokens, (text.utf8.count + 4) / 5 + reasoning > maxTokens {
                text = String(text.prefix(max(maxTokens - reasoning, 0) * 5))
                finish = .length
            }
        }
        if let (cut, sequence) = Self.cut(text, at: stop) {
            text = cut
            finish = .stopSequence(sequence)
        }
        var answerChunks: [Int] = []
        Self.split((text.utf8.count + 4) / 5, into: &answerChunks, sizes: profile.tokensPerChunk, using: &rng)
        chunkTokens = Array(chunkTokens.prefix(reasoningChunks)) + answerChunks
        tokensAfterFirst = Self.tokensAfterFirst(chunkTokens)
        outputTokens = chunkTokens.reduce(0, +)
        fixedText = Array(text)
    }

    /// `text` before the earliest stop sequence it contains, and that sequence; nil when it contains none.
    private static func cut(_ text: String, at sequences: [String]) -> (String, String)? {
        var best: (String.Index, String)?
        for sequence in sequences {
            if let range = text.range(of: sequence), best.map({ range.lowerBound < $0.0 }) ?? true {
                best = (range.lowerBound, sequence)
            }
        }
        return best.map { (String(text[..<$0.0]), $0.1) }
    }

    /// Tokens of the chunks before chunk `index`.
    private func tokensBefore(_ index: Int) -> Int {
        index == 0 ? 0 : tokensAfterFirst[index] - chunkTokens[index] + chunkTokens[0]
    }

    /// The answer's text when the request fixed it (JSON, a stop sequence): its chunks carry consecutive pieces,
    /// five characters per token.
    private var fixedText: [Character]?

    private static func tokensAfterFirst(_ chunks: [Int]) -> [Int] {
        var running = 0
        return chunks.indices.map { index in
            if index > 0 { running += chunks[index] }
            return running
        }
    }

    private var textSeed: UInt64 = 0
    private var words: [String] = MockCompletion.vocabulary
    /// Tokens of chunks 1...i for each chunk i (0 for the first), so a chunk's send time is one lookup.
    private var tokensAfterFirst: [Int] = []

    /// Appends chunks of random sizes in `sizes` (the last one takes what is left) that add up to `tokens`.
    private static func split(_ tokens: Int, into chunks: inout [Int], sizes: ClosedRange<Int>, using rng: inout SplitMix64) {
        var left = tokens
        while left > 0 {
            let size = min(Int.random(in: sizes, using: &rng), left)
            chunks.append(size)
            left -= size
        }
    }

    /// What a chunk carries.
    enum Kind: Equatable {
        case reasoning, text, toolCall
    }

    func kind(ofChunk index: Int) -> Kind {
        index < reasoningChunks ? .reasoning : toolCall == nil ? .text : .toolCall
    }

    /// The parts of the answer in order, each one an output item (Responses) or content block (Messages): reasoning
    /// when there is any, then the text (even an empty one) or the tool call.
    var segments: [Kind] {
        (reasoningChunks > 0 ? [.reasoning] : []) + [toolCall == nil ? .text : .toolCall]
    }

    /// The index in `segments` of the part that chunk `index` belongs to.
    func segment(ofChunk index: Int) -> Int {
        reasoningChunks > 0 && index >= reasoningChunks ? 1 : 0
    }

    /// The text of chunk `index` (reasoning or answer; a tool call's chunk carries `toolCall.arguments` instead).
    /// `variant` picks another answer of the same plan (the choices of `n` > 1), unless the text is fixed.
    func text(ofChunk index: Int, variant: Int = 0) -> String {
        if let fixedText, index >= reasoningChunks {
            let start = min((tokensBefore(index) - tokensBefore(reasoningChunks)) * 5, fixedText.count)
            let end = index == chunkTokens.count - 1 ? fixedText.count : min(start + chunkTokens[index] * 5, fixedText.count)
            return String(fixedText[start..<end])
        }
        var rng = SplitMix64(seed: textSeed &+ UInt64(index) &+ UInt64(variant) &* 0x9E37_79B9_7F4A_7C15)
        var text = ""
        text.reserveCapacity(chunkTokens[index] * 5)
        for _ in 0..<chunkTokens[index] { text += words[Int(rng.next() % UInt64(words.count))] }
        return text
    }

    var reasoningText: String {
        (0..<reasoningChunks).map { text(ofChunk: $0) }.joined()
    }

    /// The answer's text; empty for a tool call.
    var answerText: String { answerText(variant: 0) }

    func answerText(variant: Int) -> String {
        if let fixedText { return toolCall == nil ? String(fixedText) : "" }
        return toolCall == nil ? (reasoningChunks..<chunkTokens.count).map { text(ofChunk: $0, variant: variant) }.joined() : ""
    }

    /// Planned send time of chunk `index` after the request ended: the first at TTFT, each later one when the tokens
    /// after the first chunk, up to and including it, have taken their time at the decode rate.
    func offsetNs(ofChunk index: Int, profile: MockProfile) -> Int64 {
        guard index > 0 else { return profile.ttftNs }
        return profile.ttftNs + Int64(clampingNanoseconds: Double(tokensAfterFirst[index]) / profile.decodeTokensPerSecond * 1e9)
    }

    /// Time chunk `index` takes after the previous one at `rate` tokens per second (the capacity model's schedule,
    /// where the rate changes while a request runs).
    func intervalNs(beforeChunk index: Int, rate: Double) -> Int64 {
        Int64(clampingNanoseconds: Double(chunkTokens[index]) / rate * 1e9)
    }
}

/// Why an answer ended, named by each API in its own words.
enum MockFinish: Equatable {
    /// The planned length was reached.
    case stop
    /// max_tokens cut the answer short.
    case length
    /// The answer is a tool call.
    case toolCall
    /// The text reached one of the request's stop sequences (this one), and ends before it.
    case stopSequence(String)

    /// Chat Completions' `finish_reason`.
    var chatReason: String {
        switch self {
        case .stop, .stopSequence: "stop"
        case .length: "length"
        case .toolCall: "tool_calls"
        }
    }

    /// Messages' `stop_sequence`: the sequence that ended the text, as JSON.
    var stopSequenceJSON: String {
        if case .stopSequence(let sequence) = self { return MockJSON.string(sequence) }
        return "null"
    }

    /// Messages' `stop_reason`.
    var messagesReason: String {
        switch self {
        case .stop: "end_turn"
        case .length: "max_tokens"
        case .toolCall: "tool_use"
        case .stopSequence: "stop_sequence"
        }
    }
}
