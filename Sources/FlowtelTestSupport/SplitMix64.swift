/// SplitMix64: a small seeded generator, so tests and benchmarks get the same inputs on every
/// run and failures reproduce.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The state; the first value is drawn from `state + 0x9E3779B97F4A7C15`.
    public var state: UInt64

    /// A generator starting from `state`.
    public init(state: UInt64) {
        self.state = state
    }

    /// A generator starting from `seed` (the same as `init(state:)`).
    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
