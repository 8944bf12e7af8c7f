/// `log` and `exp` from basic IEEE 754 arithmetic only, which every platform rounds the same
/// way; the C library's versions differ between systems in the last bit, and a last bit is
/// enough to move a timestamp by a nanosecond. Accurate to about 1e-15 relative, plenty for
/// drawing random times.
enum PortableMath {
    private static let ln2 = 0.693_147_180_559_945_309_417_232_121_458

    /// The natural logarithm of a positive, finite `x`.
    static func log(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite)
        // x = m · 2^e with m in [√½, √2), then ln m = 2 atanh(z), z = (m − 1) / (m + 1),
        // |z| < 0.18; values near 1 keep their precision (m near 1, e = 0).
        var e = Double(x.exponent)
        var m = x.significand
        if m > 1.414_213_562_373_095_1 {
            m /= 2
            e += 1
        }
        let z = (m - 1) / (m + 1)
        let z2 = z * z
        var term = z
        var sum = 0.0
        var k = 1.0
        while k < 24 {
            sum += term / k
            term *= z2
            k += 2
        }
        return 2 * sum + e * ln2
    }

    /// e raised to `x`, for `x` within ±700.
    static func exp(_ x: Double) -> Double {
        precondition(abs(x) <= 700)
        // x = k ln 2 + r with |r| ≤ ln 2 / 2, then e^x = 2^k · e^r by Taylor series.
        let k = (x / ln2).rounded()
        let r = x - k * ln2
        var term = 1.0
        var sum = 1.0
        var n = 1.0
        while n < 19 {
            term *= r / n
            sum += term
            n += 1
        }
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }
}
