/// Plans intended start times, vegeta-style: one method, the next arrival's offset from the level's start.
/// Pacers are small values; the randomised ones draw from a seeded generator, so a schedule is reproducible.
public protocol Pacer: Sendable {
    /// The next arrival's intended offset from the level's start, or nil when the pacer has no more.
    mutating func next() -> Duration?
}

/// Arrivals exactly `1/rate` apart, the first at zero.
public struct ConstantPacer: Pacer {
    public let rate: Double
    private var index: Int64 = 0

    public init(rate: Double) {
        precondition(rate > 0)
        self.rate = rate
    }

    public mutating func next() -> Duration? {
        defer { index += 1 }
        return .nanoseconds(Int64(clampingNanoseconds: Double(index) * 1e9 / rate))
    }
}

/// A Poisson process: exponential gaps with mean `1/rate`, the first arrival at zero.
public struct PoissonPacer: Pacer {
    public let rate: Double
    private var random: SplitMix64
    private var offsetNs: Double = 0
    private var started = false

    public init(rate: Double, seed: UInt64) {
        precondition(rate > 0)
        self.rate = rate
        self.random = SplitMix64(seed: seed)
    }

    public mutating func next() -> Duration? {
        if started { offsetNs += random.exponential(mean: 1e9 / rate) }
        started = true
        return .nanoseconds(Int64(clampingNanoseconds: offsetNs))
    }
}

/// Gamma-distributed gaps with mean `1/rate` and shape `burstiness` (vLLM's burstiness factor): 1 is Poisson,
/// below 1 burstier (coefficient of variation `1/sqrt(burstiness)`), above 1 more regular.
public struct GammaPacer: Pacer {
    public let rate: Double
    public let burstiness: Double
    private var random: SplitMix64
    private var offsetNs: Double = 0
    private var started = false

    public init(rate: Double, burstiness: Double, seed: UInt64) {
        precondition(rate > 0 && burstiness > 0)
        self.rate = rate
        self.burstiness = burstiness
        self.random = SplitMix64(seed: seed)
    }

    public mutating func next() -> Duration? {
        if started { offsetNs += random.gamma(shape: burstiness, scale: 1e9 / (rate * burstiness)) }
        started = true
        return .nanoseconds(Int64(clampingNanoseconds: offsetNs))
    }
}

/// A rate rising (or falling) linearly from `from` to `to` over `over`; arrival i is where the expected count
/// `from*t + (to-from)*t^2/(2*over)` reaches i. Ends after `over`.
public struct RampPacer: Pacer {
    public let from: Double
    public let to: Double
    public let overNs: Int64
    private var index: Double = 0

    public init(from: Double, to: Double, overNs: Int64) {
        precondition(from >= 0 && to >= 0 && from + to > 0 && overNs > 0)
        self.from = from
        self.to = to
        self.overNs = overNs
    }

    public mutating func next() -> Duration? {
        let over = Double(overNs) / 1e9
        let a = (to - from) / (2 * over)
        let seconds: Double
        if abs(a) < 1e-12 {
            seconds = index / from
        } else {
            let discriminant = from * from + 4 * a * index
            guard discriminant >= 0 else { return nil }
            seconds = (-from + discriminant.squareRoot()) / (2 * a)
        }
        guard seconds.isFinite, seconds <= over else { return nil }
        index += 1
        return .nanoseconds(Int64(clampingNanoseconds: seconds * 1e9))
    }
}

import BenchSupport
import Foundation
