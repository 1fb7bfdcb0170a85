import Foundation

/// The fixture texts of scripts/tokenizer/texts.py, rebuilt draw for draw from the same pool and seed.
enum FixtureTexts {
    struct Pool: Decodable {
        let snippets: [String]
        let separators: [String]
        let digits: [String]
        let whitespace: [String]
        let ranges: [[UInt32]]
    }

    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func texts(count: Int, seed: UInt64 = 16) throws -> [String] {
        let data = try Data(contentsOf: TokenizerData.fixtures.appendingPathComponent("pool.json"))
        let pool = try JSONDecoder().decode(Pool.self, from: data)
        var rng = Rng(state: seed)
        var result = [String]()
        result.reserveCapacity(count)
        for _ in 0..<count {
            let kind = rng.below(10)
            var text: String
            if kind == 1 {
                text = part(&rng, pool, long: true)
            } else {
                let parts = 1 + rng.below(12)
                text = ""
                for _ in 0..<parts { text += part(&rng, pool, long: false) }
            }
            if kind == 0 {
                let bytes = Array(text.utf8)
                let start = rng.below(bytes.count + 1)
                let end = start + rng.below(bytes.count - start + 1)
                text = String(decoding: bytes[start..<end], as: UTF8.self)
            }
            result.append(text)
        }
        return result
    }

    private static func part(_ rng: inout Rng, _ pool: Pool, long: Bool) -> String {
        let kind = rng.below(8)
        if kind < 4 { return pool.snippets[rng.below(pool.snippets.count)] }
        let count = 1 + rng.below(long ? 200 : 24)
        var out = ""
        for _ in 0..<count {
            switch kind {
            case 4:
                if rng.below(4) == 0 {
                    out += pool.digits[rng.below(pool.digits.count)]
                } else {
                    out += String(rng.below(10))
                }
            case 5: out += pool.whitespace[rng.below(pool.whitespace.count)]
            case 6:
                let range = pool.ranges[rng.below(pool.ranges.count)]
                var value = range[0] + UInt32(rng.below(Int(range[1] - range[0]) + 1))
                if (0xD800...0xDFFF).contains(value) { value = 0xFFFD }
                out.unicodeScalars.append(Unicode.Scalar(value)!)
            default: out += pool.separators[rng.below(pool.separators.count)]
            }
        }
        return out
    }

    /// The scalar counts of texts.py's first three texts (Python's len).
    static let firstScalarCounts = [64, 144, 92]

    /// The low 32 bits of FNV-1a-64 over the ids, as make_fixtures.py writes them.
    static func hash(_ ids: [Int]) -> UInt32 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for id in ids { h = (h ^ UInt64(id)) &* 0x100_0000_01B3 }
        return UInt32(truncatingIfNeeded: h)
    }

    /// A fixture file's (count, hash) lines.
    static func expected(_ name: String) throws -> [(count: Int, hash: UInt32)] {
        let text = try String(contentsOf: TokenizerData.fixtures.appendingPathComponent("\(name).txt"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: " ")
            return (Int(fields[0])!, UInt32(fields[1], radix: 16)!)
        }
    }
}
