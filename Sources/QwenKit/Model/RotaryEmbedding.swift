import Foundation

/// Rotary position embedding (RoPE) as Hugging Face transformers computes it for Qwen2 (or as
/// llama.cpp does, ``ReferenceArithmetic``): the
/// inverse frequencies of the head dimension pairs, optionally rescaled (linear or YaRN), and
/// the rotation of each head vector by `position × frequency`, pairing element `i` with
/// element `i + headDim/2` ("rotate half"), or element `2i` with `2i + 1` for weights laid out
/// for llama.cpp's interleaved RoPE (``RopeStyle``).
///
/// ```swift
/// let rope = try RotaryEmbedding(configuration: config)
/// rope.fillTables(positions: 0..<n, cos: cos, sin: sin)
/// RotaryEmbedding.rotate(query, rowCount: n, headCount: 14, headDim: 64, cos: cos, sin: sin)
/// ```
public struct RotaryEmbedding: Sendable {
    /// One inverse frequency per rotated pair (`headDim / 2` values), in float32 as transformers keeps them.
    public let inverseFrequencies: [Float]
    /// The factor applied to cos and sin (YaRN's attention factor; 1 otherwise).
    public let attentionScaling: Float
    /// Whose arithmetic ``fillTables(positions:cos:sin:)`` follows (see ``ReferenceArithmetic``).
    public let arithmetic: ReferenceArithmetic
    /// llama.cpp's angles: the ratio between consecutive ones, `powf(theta, -2 / headDim)`, and the
    /// factor on every angle (1 / the linear scaling factor); nil where they are not used
    /// (transformers' arithmetic, or YaRN, whose tables stay transformers').
    private let llamaCppAngles: (ratio: Float, scale: Float)?

    /// The embedding a model's configuration asks for.
    public init(configuration: Qwen2Configuration) throws {
        try self.init(
            headDim: configuration.headDim, theta: configuration.ropeTheta,
            scaling: configuration.ropeScaling,
            maxPositionEmbeddings: configuration.maxPositionEmbeddings, arithmetic: configuration.arithmetic)
    }

    /// The embedding for a head dimension, a RoPE base `theta` and an optional scaling.
    public init(
        headDim: Int, theta: Double, scaling: RopeScaling?, maxPositionEmbeddings: Int,
        arithmetic: ReferenceArithmetic = .transformers
    ) throws {
        guard headDim >= 2, headDim % 2 == 0 else {
            throw ModelError.invalidConfiguration(field: "head_dim", reason: "must be even and at least 2, got \(headDim)")
        }
        guard theta > 0 else {
            throw ModelError.invalidConfiguration(field: "rope_theta", reason: "must be positive, got \(theta)")
        }
        self.arithmetic = arithmetic
        let ratio = Foundation.powf(Float(theta), -2 / Float(headDim))
        switch (arithmetic, scaling) {
        case (.llamaCpp, nil): llamaCppAngles = (ratio, 1)
        case (.llamaCpp, let scaling?) where scaling.ropeType == .linear: llamaCppAngles = (ratio, 1 / Float(scaling.factor))
        default: llamaCppAngles = nil
        }
        let thetaPowers = Self.thetaPowers(headDim: headDim, theta: theta)
        guard let scaling else {
            inverseFrequencies = thetaPowers.map { 1 / $0 }
            attentionScaling = 1
            return
        }
        guard scaling.factor > 0 else {
            throw ModelError.invalidConfiguration(field: "rope_scaling.factor", reason: "must be positive, got \(scaling.factor)")
        }
        switch scaling.ropeType {
        case .linear:
            let factor = Float(scaling.factor)
            inverseFrequencies = thetaPowers.map { 1 / $0 / factor }
            attentionScaling = 1
        case .yarn:
            inverseFrequencies = Self.yarn(
                thetaPowers: thetaPowers, headDim: headDim, theta: theta, scaling: scaling,
                originalMaxPositionEmbeddings: scaling.originalMaxPositionEmbeddings ?? maxPositionEmbeddings)
            attentionScaling = Float(scaling.attentionFactor)
        case .dynamic, .longrope, .llama3:
            throw ModelError.unsupportedRopeScaling(scaling.ropeType.rawValue)
        }
    }

    /// `theta^(2i / headDim)` for each pair `i`, in float32 like `base ** (torch.arange(0, dim, 2).float() / dim)`.
    private static func thetaPowers(headDim: Int, theta: Double) -> [Float] {
        let thetaF = Double(Float(theta))
        return stride(from: 0, to: headDim, by: 2).map { i in
            Float(Foundation.pow(thetaF, Double(Float(i) / Float(headDim))))
        }
    }

    /// YaRN (arXiv 2309.00071) inverse frequencies as in transformers' `_compute_yarn_parameters`:
    /// pairs that rotate fewer than `betaSlow` times over the original context are interpolated
    /// (divided by `factor`), pairs that rotate more than `betaFast` times are kept, and a linear
    /// ramp blends the two in between.
    private static func yarn(
        thetaPowers: [Float], headDim: Int, theta: Double, scaling: RopeScaling, originalMaxPositionEmbeddings: Int
    ) -> [Float] {
        let dim = Double(headDim)
        func correctionDimension(_ rotations: Double) -> Double {
            dim * Foundation.log(Double(originalMaxPositionEmbeddings) / (rotations * 2 * Double.pi))
                / (2 * Foundation.log(theta))
        }
        var low = correctionDimension(scaling.betaFast)
        var high = correctionDimension(scaling.betaSlow)
        if scaling.truncate {
            low = low.rounded(.down)
            high = high.rounded(.up)
        }
        low = max(low, 0)
        high = min(high, dim - 1)
        if low == high { high += 0.001 }
        let lowF = Float(low), spanF = Float(high - low), factor = Float(scaling.factor)
        return thetaPowers.enumerated().map { i, power in
            let ramp = min(max((Float(i) - lowF) / spanF, 0), 1)
            let extrapolationWeight = 1 - ramp
            let extrapolated = 1 / power
            let interpolated = 1 / (factor * power)
            return interpolated * (1 - extrapolationWeight) + extrapolated * extrapolationWeight
        }
    }

    /// Writes `cos` and `sin` of `position × inverseFrequency` (times the attention scaling) for
    /// each position, `headDim / 2` values per position, into row-major tables. With llama.cpp's
    /// arithmetic (unless YaRN) the angle of pair `i + 1` is pair `i`'s times `powf(theta, -2/d)`,
    /// starting from the position, and cos/sin are the float32 `cosf`/`sinf`, as ggml's rope cache.
    public func fillTables(
        positions: Range<Int>, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>
    ) {
        let half = inverseFrequencies.count
        for (row, position) in positions.enumerated() {
            let c = cos + row * half, s = sin + row * half
            if let (ratio, scale) = llamaCppAngles {
                var angle = Float(position)
                for i in 0..<half {
                    c[i] = Foundation.cosf(scale * angle) * attentionScaling
                    s[i] = Foundation.sinf(scale * angle) * attentionScaling
                    angle *= ratio
                }
            } else {
                for i in 0..<half {
                    let angle = Double(Float(position) * inverseFrequencies[i])
                    c[i] = Float(Foundation.cos(angle)) * attentionScaling
                    s[i] = Float(Foundation.sin(angle)) * attentionScaling
                }
            }
        }
    }

    /// Rotates `headCount` consecutive head vectors of each of `rowCount` rows in place, row `r`
    /// by the angles in row `r` of the `cos`/`sin` tables from ``fillTables(positions:cos:sin:)``;
    /// pair `i` is elements `i` and `i + headDim/2`, or `2i` and `2i + 1` when `style` is
    /// ``RopeStyle/interleaved``. A pair (x0, x1) becomes (x0·cos − x1·sin, x0·sin + x1·cos), each
    /// product rounded (transformers), or with the x0 products fused into the sums as llama.cpp's
    /// compiled rope does.
    public static func rotate(
        _ x: UnsafeMutablePointer<Float>, rowCount: Int, headCount: Int, headDim: Int,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, style: RopeStyle = .halves,
        arithmetic: ReferenceArithmetic = .transformers
    ) {
        let half = headDim / 2
        let (firstStride, secondOffset) = style == .halves ? (1, half) : (2, 1)
        for row in 0..<rowCount {
            let c = cos + row * half, s = sin + row * half
            for head in 0..<headCount {
                let v = x + (row * headCount + head) * headDim
                for i in 0..<half {
                    let a = i * firstStride, b = a + secondOffset
                    let first = v[a], second = v[b]
                    if arithmetic == .llamaCpp {
                        v[a] = (-(second * s[i])).addingProduct(first, c[i])
                        v[b] = (second * c[i]).addingProduct(first, s[i])
                    } else {
                        v[a] = first * c[i] + (-second) * s[i]
                        v[b] = second * c[i] + first * s[i]
                    }
                }
            }
        }
    }
}
