/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64: small, fast, and the same
/// sequence on every platform and Swift version, which `SystemRandomNumberGenerator` and the
/// standard library's `random(in:)` algorithms do not promise.
struct GeneratorRandom: Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Seeds the state from `seed` with SplitMix64, as the xoshiro authors recommend.
    init(seed: UInt64) {
        var state = seed
        s0 = GeneratorRandom.splitMix(&state)
        s1 = GeneratorRandom.splitMix(&state)
        s2 = GeneratorRandom.splitMix(&state)
        s3 = GeneratorRandom.splitMix(&state)
    }

    /// A generator for one stream (`stream`) of a seed: streams are independent of each other.
    ///
    /// The stream number goes through SplitMix64's bijective finaliser, so different streams of
    /// one seed get different, unrelated seeds (consecutive raw seeds would give overlapping
    /// SplitMix64 sequences).
    init(seed: UInt64, stream: UInt64) {
        self.init(seed: GeneratorRandom.mix(GeneratorRandom.mix(seed) ^ stream &* 0x9E37_79B9_7F4A_7C15))
    }

    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix(state)
    }

    /// SplitMix64's finaliser: a bijection of 64-bit values that scatters nearby inputs.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        let result = (s1 &* 5).rotateLeft(7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3.rotateLeft(45)
        return result
    }

    /// The next 32 random bits.
    mutating func next32() -> UInt32 { UInt32(truncatingIfNeeded: next() >> 32) }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, unbiased).
    mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// A uniform integer in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(below(UInt64(range.upperBound - range.lowerBound) + 1))
    }

    /// A uniform double in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// A value between `low` and `high` whose logarithm is uniform: small values as likely per
    /// decade as large ones, the shape of network round-trip times.
    mutating func logUniform(_ low: Double, _ high: Double) -> Double {
        low * PortableMath.exp(unit() * PortableMath.log(high / low))
    }

    /// An exponentially distributed value with mean `mean` (Poisson inter-arrival times).
    mutating func exponential(mean: Double) -> Double {
        -PortableMath.log(1 - unit()) * mean
    }

    /// One of `elements`, uniformly.
    mutating func pick<T>(_ elements: [T]) -> T {
        elements[Int(below(UInt64(elements.count)))]
    }
}

extension UInt64 {
    fileprivate func rotateLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
