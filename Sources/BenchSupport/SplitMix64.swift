import Foundation

/// SplitMix64 (Steele, Lea and Flood; the constants of Vigna's reference): small, fast and reproducible on every
/// platform. The one generator of the client (pacers, synthetic prompts) and of the mock (its plans and faults):
/// golden files and the mock's deterministic plans depend on its exact sequence, so never change `next()`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    @inlinable public init(seed: UInt64) { state = seed }

    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The few distributions the pacers and prompt sources draw from.
extension SplitMix64 {
    /// Uniform in (0, 1].
    public mutating func unit() -> Double { (Double(next() >> 11) + 1) / 9_007_199_254_740_992 }

    public mutating func exponential(mean: Double) -> Double { -mean * Foundation.log(unit()) }

    public mutating func normal() -> Double {
        (-2 * Foundation.log(unit())).squareRoot() * Foundation.cos(2 * Double.pi * unit())
    }

    /// Marsaglia and Tsang's method; shapes below 1 use the boost `G(k) = G(k+1) * U^(1/k)`.
    public mutating func gamma(shape: Double, scale: Double) -> Double {
        if shape < 1 {
            return gamma(shape: shape + 1, scale: scale) * Foundation.pow(unit(), 1 / shape)
        }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = unit()
            if Foundation.log(u) < 0.5 * x * x + d - d * v + d * Foundation.log(v) { return d * v * scale }
        }
    }
}
