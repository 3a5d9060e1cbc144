/// A scaled rotary position embedding (RoPE) variant, with every default resolved the way
/// transformers resolves it (`modeling_rope_utils.py`), so the model only has to apply the math.
///
/// Read from `rope_scaling` (Qwen2.5 release layout) or `rope_parameters` (transformers 5
/// layout) of `config.json`; plain RoPE (`"default"`) has no `RopeScaling`.
///
/// ```swift
/// if let scaling = config.ropeScaling, scaling.ropeType == .yarn {
///     let cosSinScale = scaling.attentionFactor   // 0.1 * ln(factor) + 1 unless given
/// }
/// ```
public struct RopeScaling: Codable, Sendable, Equatable {
    /// The scaled RoPE variants transformers implements for Qwen2.
    public enum RopeType: String, Codable, Sendable, CaseIterable {
        /// Positions divided by `factor` (inverse frequencies divided by `factor`).
        case linear
        /// Dynamic NTK: the base grows with the sequence length past `max_position_embeddings`.
        case dynamic
        /// YaRN: per-dimension blend of interpolated and extrapolated frequencies, cos/sin scaled
        /// by `attentionFactor`.
        case yarn
        /// LongRoPE: per-dimension `shortFactor`/`longFactor`, cos/sin scaled by `attentionFactor`.
        case longrope
        /// Llama 3.1 frequency smoothing between `lowFreqFactor` and `highFreqFactor`.
        case llama3
    }

    /// Which variant (`rope_type`, or the older `type`).
    public var ropeType: RopeType
    /// The context extension factor. For YaRN and LongRoPE without an explicit factor:
    /// `max_position_embeddings / original_max_position_embeddings`.
    public var factor: Double
    /// The pre-training context length (YaRN, LongRoPE, Llama 3); defaults to
    /// `max_position_embeddings`. Nil for linear and dynamic scaling.
    public var originalMaxPositionEmbeddings: Int?
    /// The factor applied to cos and sin. YaRN default: `mscale(factor, mscale) /
    /// mscale(factor, mscale_all_dim)` when both are given and non-zero, else
    /// `0.1 * ln(factor) + 1` (1 when factor ≤ 1). LongRoPE default:
    /// `sqrt(1 + ln(factor) / ln(original))` (1 when factor ≤ 1). 1 for the other types.
    public var attentionFactor: Double
    /// YaRN extrapolation boundary in rotations (default 32, also when 0).
    public var betaFast: Double
    /// YaRN interpolation boundary in rotations (default 1, also when 0).
    public var betaSlow: Double
    /// YaRN: whether the correction range is rounded outwards with floor/ceil (default true).
    public var truncate: Bool
    /// Llama 3 only.
    public var lowFreqFactor: Double?
    /// Llama 3 only.
    public var highFreqFactor: Double?
    /// LongRoPE only: per-frequency factors for sequences up to `originalMaxPositionEmbeddings`.
    public var shortFactor: [Double]?
    /// LongRoPE only: per-frequency factors for longer sequences.
    public var longFactor: [Double]?

    /// A scaling with explicit values; defaults are those transformers uses when a field is absent.
    public init(
        ropeType: RopeType, factor: Double, originalMaxPositionEmbeddings: Int? = nil,
        attentionFactor: Double = 1, betaFast: Double = 32, betaSlow: Double = 1, truncate: Bool = true,
        lowFreqFactor: Double? = nil, highFreqFactor: Double? = nil,
        shortFactor: [Double]? = nil, longFactor: [Double]? = nil
    ) {
        self.ropeType = ropeType
        self.factor = factor
        self.originalMaxPositionEmbeddings = originalMaxPositionEmbeddings
        self.attentionFactor = attentionFactor
        self.betaFast = betaFast
        self.betaSlow = betaSlow
        self.truncate = truncate
        self.lowFreqFactor = lowFreqFactor
        self.highFreqFactor = highFreqFactor
        self.shortFactor = shortFactor
        self.longFactor = longFactor
    }

    enum CodingKeys: String, CodingKey {
        case ropeType = "rope_type"
        case factor
        case originalMaxPositionEmbeddings = "original_max_position_embeddings"
        case attentionFactor = "attention_factor"
        case betaFast = "beta_fast"
        case betaSlow = "beta_slow"
        case truncate
        case lowFreqFactor = "low_freq_factor"
        case highFreqFactor = "high_freq_factor"
        case shortFactor = "short_factor"
        case longFactor = "long_factor"
    }
}
