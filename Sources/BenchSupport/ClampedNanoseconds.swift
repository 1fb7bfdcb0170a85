extension Int64 {
    /// `value` nanoseconds rounded to an integer and clamped to ±2^62 (about 146 years; NaN is zero): a time
    /// computed from a rate or a server's number becomes a wait, never a trap (`Int64(1e30)` traps), and a clock's
    /// origin can still be added to it.
    @inlinable
    public init(clampingNanoseconds value: Double) {
        let limit: Int64 = 1 << 62
        if value.isNaN {
            self = 0
        } else if value >= Double(limit) {
            self = limit
        } else if value <= -Double(limit) {
            self = -limit
        } else {
            self = Int64(value.rounded())
        }
    }
}
