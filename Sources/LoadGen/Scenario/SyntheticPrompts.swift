import BenchSupport
import Foundation

/// Prompts generated from a seed (`prompts: {source: synthetic, input_tokens: ..., count: N}`): each is a run of
/// common English words, every one of which is a single token, with or without a space before it, in the gpt-oss
/// (o200k_harmony), Llama 3 and DeepSeek-V3 tokenizers. So a prompt of N tokens is N words, whatever the model,
/// and the same seed gives the same prompts, byte for byte.
public struct SyntheticPrompts: Sendable, Equatable {
    /// How many tokens each prompt has.
    public enum Length: Sendable, Equatable {
        case fixed(Int)
        /// Every length from `min` to `max` equally likely.
        case uniform(min: Int, max: Int)
        /// Rounded and clamped into `min...max`.
        case normal(mean: Double, stddev: Double, min: Int, max: Int)
        /// `mean` and `stddev` are the lengths' own (not their logarithm's); rounded and clamped into `min...max`.
        case lognormal(mean: Double, stddev: Double, min: Int, max: Int)

        public var summary: String {
            switch self {
            case .fixed(let tokens): return "\(tokens)"
            case .uniform(let low, let high): return "uniform \(low)-\(high)"
            case .normal(let mean, let stddev, let low, let high):
                return "normal mean \(LevelPlan.compact(mean)) stddev \(LevelPlan.compact(stddev)) in \(low)-\(high)"
            case .lognormal(let mean, let stddev, let low, let high):
                return "lognormal mean \(LevelPlan.compact(mean)) stddev \(LevelPlan.compact(stddev)) in \(low)-\(high)"
            }
        }

        func draw(_ random: inout SplitMix64) -> Int {
            switch self {
            case .fixed(let tokens):
                return tokens
            case .uniform(let low, let high):
                return low + Int(random.next() % UInt64(high - low + 1))
            case .normal(let mean, let stddev, let low, let high):
                return Self.clamp(mean + stddev * random.normal(), low, high)
            case .lognormal(let mean, let stddev, let low, let high):
                let variance = Foundation.log(1 + (stddev * stddev) / (mean * mean))
                let mu = Foundation.log(mean) - variance / 2
                return Self.clamp(Foundation.exp(mu + variance.squareRoot() * random.normal()), low, high)
            }
        }

        static func clamp(_ value: Double, _ low: Int, _ high: Int) -> Int {
            guard value.isFinite else { return high }
            return Swift.min(Swift.max(Int(value.rounded()), low), high)
        }
    }

    public var length: Length
    /// How many distinct prompts.
    public var count: Int

    public init(length: Length, count: Int) {
        self.length = length
        self.count = count
    }

    /// The length of each prompt, in order (without a shared prefix).
    public func lengths(seed: UInt64) -> [Int] {
        (0..<count).map { index in
            var random = Self.generator(seed: seed, stream: UInt64(index) + 1)
            return length.draw(&random)
        }
    }

    /// The prompts' texts, each after `prefix` when given. Prompt `i` draws from its own stream of the seed (keyed by
    /// its length too, so prompts of different lengths do not share a beginning a server could cache).
    public func texts(seed: UInt64, prefix: String?) -> [String] {
        lengths(seed: seed).enumerated().map { index, tokens in
            let words = Self.words(tokens, seed: seed, stream: UInt64(tokens) << 32 | UInt64(index + 1))
            return prefix.map { $0 + " " + words } ?? words
        }
    }

    /// The stream the shared prefix is drawn from (prompts use 1 and up).
    static let prefixStream: UInt64 = 0

    /// `count` words drawn from the vocabulary, separated by single spaces.
    static func words(_ count: Int, seed: UInt64, stream: UInt64) -> String {
        var random = generator(seed: seed, stream: stream)
        var text = ""
        text.reserveCapacity(count * 6)
        for index in 0..<count {
            if index > 0 { text.append(" ") }
            text.append(contentsOf: vocabulary[Int(random.next() % UInt64(vocabulary.count))])
        }
        return text
    }

    static func generator(seed: UInt64, stream: UInt64) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        return SplitMix64(seed: mixer.next())
    }

    /// 256 words, each one token in o200k_harmony, Llama 3's and DeepSeek-V3's vocabularies, alone and after a space
    /// (checked against the published vocabularies; 5.0 bytes per word with its space).
    static let vocabulary: [Substring] = [
        "the of and to in is it you that he was for on are with as",
        "his they be at one have this from or had by word but what some we",
        "can out other were all there when up use your how said an each she which",
        "do their time if will way about many then them write would like so these her",
        "long make thing see him two has look more day could go come did number sound",
        "no most people my over know water than call first who may down side been now",
        "find any new work part take get place made live where after back little only round",
        "man year show every good me give our under name very through just form great think",
        "say help low line turn cause much mean before move right boy old too same tell",
        "does set three want air well also play small end put home read hand port large",
        "add even land here must big high such follow act why ask men change went light",
        "kind off need house picture try us again animal point mother world near build self earth",
        "father head stand own page should country found answer school study still learn plant cover food",
        "sun four between state keep eye never last let thought city tree cross farm hard start",
        "might story far sea draw left late run while press close night real life few open",
        "next white children begin got walk example paper group always music those both mark often letter",
    ].flatMap { $0.split(separator: " ") }
}
