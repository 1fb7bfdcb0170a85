import Testing
@testable import Tokenizer

/// Token ids identical to tiktoken's and Hugging Face tokenizers' on the 10,000 fixture texts (emoji, CJK,
/// combining marks, digit and whitespace runs, cuts through UTF-8 sequences, special tokens), per tokenizer.
@Suite struct TokenizerFixtureTests {
    static let textCount = 10_000

    func check(_ name: String, _ tokenizer: Tokenizer) throws {
        let texts = try FixtureTexts.texts(count: Self.textCount)
        let expected = try FixtureTexts.expected(name)
        #expect(expected.count == Self.textCount)
        var mismatches = 0
        for (index, text) in texts.enumerated() {
            let ids = tokenizer.encode(text)
            if ids.count != expected[index].count || FixtureTexts.hash(ids) != expected[index].hash {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("""
                        \(name) text \(index) \(text.debugDescription): \(ids.count) tokens \(ids), reference has \
                        \(expected[index].count) (scripts/tokenizer/make_fixtures.py DATA_DIR --show \(index) \(name))
                        """)
                }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(texts.count) texts differ from the reference")
    }

    @Test func o200kMatchesTiktoken() throws { try check("o200k_base", try TokenizerData.tiktoken("o200k_base")) }
    @Test func cl100kMatchesTiktoken() throws { try check("cl100k_base", try TokenizerData.tiktoken("cl100k_base")) }
    @Test func smollm2MatchesTokenizers() throws { try check("smollm2", try TokenizerData.smollm2()) }
    @Test func llama3PatternMatchesTokenizers() throws {
        try check("smollm2-llama3", try TokenizerData.smollm2("smollm2-llama3"))
    }
    @Test func qwen2PatternMatchesTokenizers() throws {
        try check("smollm2-qwen2", try TokenizerData.smollm2("smollm2-qwen2"))
    }
    @Test func deepseekPatternsMatchTokenizers() throws {
        try check("smollm2-deepseek", try TokenizerData.smollm2("smollm2-deepseek"))
    }

    @Test func fixtureTextsAreTheScriptsTexts() throws {
        // The first texts of texts.py, so a drift of the Swift generator shows as itself, not as 10,000 mismatches.
        let texts = try FixtureTexts.texts(count: 3)
        #expect(texts.map { $0.unicodeScalars.count } == FixtureTexts.firstScalarCounts)
    }
}
