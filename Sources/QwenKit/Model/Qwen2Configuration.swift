import Foundation

/// The hyperparameters of a Qwen2 / Qwen2.5 model (or a Llama one, `model_type: llama`), read
/// from `config.json` in either the layout the Qwen2.5 releases ship (`rope_theta`,
/// `rope_scaling`, `torch_dtype`) or the one transformers 5 writes (`rope_parameters`, `dtype`,
/// `layer_types`). Unknown fields are ignored.
///
/// Required: `hidden_size`, `intermediate_size`, `num_hidden_layers`, `num_attention_heads`,
/// `num_key_value_heads` (null means `num_attention_heads`) and `vocab_size`. Every other field
/// takes transformers' `Qwen2Config` (or `LlamaConfig`) default when absent.
///
/// ```swift
/// let config = try Qwen2Configuration.load(from: modelDirectory.appendingPathComponent("config.json"))
/// let window = config.slidingWindow(forLayer: 0)   // nil: full causal attention
/// ```
public struct Qwen2Configuration: Codable, Sendable, Equatable {
    /// The network family (`model_type`, default `qwen2`).
    public var architecture: ModelArchitecture
    /// Whether the q/k/v projections have biases: always for Qwen2, `attention_bias` (default
    /// false) for Llama.
    public var attentionBias: Bool
    /// How the weights pair head elements for RoPE: ``RopeStyle/halves`` for Hugging Face
    /// checkpoints (not a `config.json` field); a Llama GGUF sets ``RopeStyle/interleaved``.
    public var ropeStyle: RopeStyle = .halves
    /// Whose float32 arithmetic RoPE and the attention scale follow: ``ReferenceArithmetic/transformers``
    /// for Hugging Face checkpoints (not a `config.json` field); a GGUF sets ``ReferenceArithmetic/llamaCpp``.
    public var arithmetic: ReferenceArithmetic = .transformers
    /// Width of the residual stream (`hidden_size`).
    public var hiddenSize: Int
    /// Width of the MLP (`intermediate_size`).
    public var intermediateSize: Int
    /// Number of decoder blocks (`num_hidden_layers`).
    public var numHiddenLayers: Int
    /// Query heads per layer (`num_attention_heads`).
    public var numAttentionHeads: Int
    /// Key/value heads per layer (`num_key_value_heads`); divides `numAttentionHeads`.
    public var numKeyValueHeads: Int
    /// `head_dim` when the file gives it, else `hiddenSize / numAttentionHeads`.
    public var headDim: Int
    /// Rows of the embedding and `lm_head` matrices (`vocab_size`).
    public var vocabSize: Int
    /// The context length the model supports (`max_position_embeddings`, default 32768).
    public var maxPositionEmbeddings: Int
    /// Epsilon of every RMSNorm (`rms_norm_eps`, default 1e-6).
    public var rmsNormEps: Double
    /// The RoPE base frequency.
    public var ropeTheta: Double
    /// Nil for plain RoPE.
    public var ropeScaling: RopeScaling?
    /// True when `lm_head` reuses the embedding matrix.
    public var tieWordEmbeddings: Bool
    /// The sliding attention window in tokens, or nil when `use_sliding_window` is false
    /// (as transformers stores it).
    public var slidingWindow: Int?
    /// `use_sliding_window` (default false).
    public var useSlidingWindow: Bool
    /// Layers below this index use full attention when `layer_types` is absent.
    public var maxWindowLayers: Int
    /// `"full_attention"` or `"sliding_attention"` per layer: from the file, or derived from
    /// `sliding_window` and `max_window_layers` as transformers does.
    public var layerTypes: [String]
    /// The MLP activation; Qwen2 uses `"silu"`.
    public var hiddenAct: String
    /// The dtype the checkpoint was saved in (`torch_dtype` or `dtype`), e.g. `"bfloat16"`.
    public var dtype: String?
    /// `bos_token_id`.
    public var bosTokenId: Int?
    /// End-of-sequence ids (`eos_token_id` may be one id or a list).
    public var eosTokenIds: [Int]

    /// Reads and validates a `config.json`. Throws ``ConfigurationError`` naming the file and field.
    public static func load(from url: URL) throws -> Qwen2Configuration {
        try ConfigurationError.decode(Qwen2Configuration.self, from: url)
    }

    /// The sliding window of a layer, or nil when it attends to every earlier position.
    /// With a window `w`, the query at position `q` sees keys at positions `k` with
    /// `q - w < k ≤ q`. `layer` must be in `0..<numHiddenLayers`.
    public func slidingWindow(forLayer layer: Int) -> Int? {
        layerTypes.indices.contains(layer) && layerTypes[layer] == "sliding_attention" ? slidingWindow : nil
    }

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type"
        case attentionBias = "attention_bias"
        case mlpBias = "mlp_bias"
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads"
        case headDim = "head_dim"
        case vocabSize = "vocab_size"
        case maxPositionEmbeddings = "max_position_embeddings"
        case rmsNormEps = "rms_norm_eps"
        case ropeTheta = "rope_theta"
        case ropeScaling = "rope_scaling"
        case ropeParameters = "rope_parameters"
        case originalMaxPositionEmbeddings = "original_max_position_embeddings"
        case tieWordEmbeddings = "tie_word_embeddings"
        case slidingWindow = "sliding_window"
        case useSlidingWindow = "use_sliding_window"
        case maxWindowLayers = "max_window_layers"
        case layerTypes = "layer_types"
        case hiddenAct = "hidden_act"
        case torchDtype = "torch_dtype"
        case dtype
        case bosTokenId = "bos_token_id"
        case eosTokenId = "eos_token_id"
    }

    /// Decodes and validates; invalid values throw `DecodingError.dataCorrupted` at the field.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let modelType = try c.field(String.self, .modelType) ?? ModelArchitecture.qwen2.rawValue
        guard let architecture = ModelArchitecture(rawValue: modelType) else {
            throw Self.invalid(.modelType, "unsupported model type \"\(modelType)\" (expected \"qwen2\" or \"llama\")")
        }
        self.architecture = architecture
        let isLlama = architecture == .llama
        attentionBias = isLlama ? try c.field(Bool.self, .attentionBias) ?? false : true
        if isLlama, try c.field(Bool.self, .mlpBias) == true { throw Self.invalid(.mlpBias, "MLP biases are not supported") }
        hiddenSize = try Self.positive(c, .hiddenSize)
        intermediateSize = try Self.positive(c, .intermediateSize)
        numHiddenLayers = try Self.positive(c, .numHiddenLayers)
        // Far above any real model; a larger count is a damaged file, refused before per-layer
        // arrays are allocated.
        guard numHiddenLayers <= 65_536 else {
            throw Self.invalid(.numHiddenLayers, "\(numHiddenLayers) layers is more than any model has (at most 65536)")
        }
        numAttentionHeads = try Self.positive(c, .numAttentionHeads)
        vocabSize = try Self.positive(c, .vocabSize)
        guard c.contains(.numKeyValueHeads) else {
            throw DecodingError.keyNotFound(CodingKeys.numKeyValueHeads, .init(codingPath: [], debugDescription: ""))
        }
        numKeyValueHeads = try c.decodeNil(forKey: .numKeyValueHeads) ? numAttentionHeads : Self.positive(c, .numKeyValueHeads)
        guard numAttentionHeads % numKeyValueHeads == 0 else {
            throw Self.invalid(.numKeyValueHeads, "\(numKeyValueHeads) does not divide num_attention_heads \(numAttentionHeads)")
        }
        if c.contains(.headDim), try !c.decodeNil(forKey: .headDim) {
            headDim = try Self.positive(c, .headDim)
        } else {
            guard hiddenSize % numAttentionHeads == 0 else {
                throw Self.invalid(.numAttentionHeads, "\(numAttentionHeads) does not divide hidden_size \(hiddenSize) and head_dim is not given")
            }
            headDim = hiddenSize / numAttentionHeads
        }
        guard headDim % 2 == 0 else { throw Self.invalid(.headDim, "must be even for rotary embeddings, got \(headDim)") }
        maxPositionEmbeddings = try Self.positive(c, .maxPositionEmbeddings, default: isLlama ? 2048 : 32768)
        rmsNormEps = try c.field(Double.self, .rmsNormEps) ?? 1e-6
        guard rmsNormEps > 0 else { throw Self.invalid(.rmsNormEps, "must be positive") }
        hiddenAct = try c.field(String.self, .hiddenAct) ?? "silu"
        guard hiddenAct == "silu" else { throw Self.invalid(.hiddenAct, "unsupported activation \"\(hiddenAct)\"") }
        tieWordEmbeddings = try c.field(Bool.self, .tieWordEmbeddings) ?? false
        dtype = try c.field(String.self, .dtype) ?? c.field(String.self, .torchDtype)
        bosTokenId = try c.field(Int.self, .bosTokenId)
        eosTokenIds = try c.field(TokenIDs.self, .eosTokenId)?.ids ?? []

        (ropeTheta, ropeScaling) = try Self.rope(c, maxPositionEmbeddings: maxPositionEmbeddings)

        useSlidingWindow = try c.field(Bool.self, .useSlidingWindow) ?? false
        let window = c.contains(.slidingWindow) ? try c.field(Int.self, .slidingWindow) : 4096
        slidingWindow = useSlidingWindow ? window : nil
        if let slidingWindow, slidingWindow <= 0 { throw Self.invalid(.slidingWindow, "must be positive") }
        maxWindowLayers = try c.field(Int.self, .maxWindowLayers) ?? 28
        if let written = try c.field([String].self, .layerTypes) {
            let types = written.map { $0 == "attention" ? "full_attention" : $0 }  // transformers' legacy name
            guard types.count == numHiddenLayers else {
                throw Self.invalid(.layerTypes, "has \(types.count) entries for \(numHiddenLayers) layers")
            }
            if let unknown = types.first(where: { $0 != "full_attention" && $0 != "sliding_attention" }) {
                throw Self.invalid(.layerTypes, "unsupported layer type \"\(unknown)\"")
            }
            if types.contains("sliding_attention") && slidingWindow == nil {
                throw Self.invalid(.layerTypes, "sliding_attention layers need use_sliding_window and sliding_window")
            }
            layerTypes = types
        } else {
            let window = slidingWindow, first = maxWindowLayers
            layerTypes = (0..<numHiddenLayers).map { window != nil && $0 >= first ? "sliding_attention" : "full_attention" }
        }
    }

    /// Encodes in the release layout (`rope_theta`, `rope_scaling`) plus `layer_types` and `head_dim`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(architecture, forKey: .modelType)
        if architecture == .llama { try c.encode(attentionBias, forKey: .attentionBias) }
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encode(numKeyValueHeads, forKey: .numKeyValueHeads)
        try c.encode(headDim, forKey: .headDim)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try c.encode(rmsNormEps, forKey: .rmsNormEps)
        try c.encode(ropeTheta, forKey: .ropeTheta)
        try c.encodeIfPresent(ropeScaling, forKey: .ropeScaling)
        try c.encode(tieWordEmbeddings, forKey: .tieWordEmbeddings)
        try c.encode(slidingWindow, forKey: .slidingWindow)
        try c.encode(useSlidingWindow, forKey: .useSlidingWindow)
        try c.encode(maxWindowLayers, forKey: .maxWindowLayers)
        try c.encode(layerTypes, forKey: .layerTypes)
        try c.encode(hiddenAct, forKey: .hiddenAct)
        try c.encodeIfPresent(dtype, forKey: .dtype)
        try c.encodeIfPresent(bosTokenId, forKey: .bosTokenId)
        try c.encode(TokenIDs(ids: eosTokenIds), forKey: .eosTokenId)
    }

    /// `rope_theta` and the scaling, following transformers 5: a non-empty `rope_scaling` wins over
    /// `rope_parameters`; `rope_theta` inside the dictionary wins over the top-level one (default 10000).
    private static func rope(
        _ c: KeyedDecodingContainer<CodingKeys>, maxPositionEmbeddings: Int
    ) throws -> (theta: Double, scaling: RopeScaling?) {
        var key = CodingKeys.ropeScaling
        var parameters = try c.field(RopeParameters.self, .ropeScaling)
        if parameters?.isEmpty ?? true {
            key = .ropeParameters
            parameters = try c.field(RopeParameters.self, .ropeParameters)
        }
        let theta = try parameters?.ropeTheta ?? c.field(Double.self, .ropeTheta) ?? 10000
        guard theta > 0 else {
            throw parameters?.ropeTheta != nil
                ? DecodingError.dataCorrupted(.init(codingPath: [key, RopeParameters.CodingKeys.ropeTheta], debugDescription: "must be positive"))
                : invalid(.ropeTheta, "must be positive")
        }
        let scaling = try parameters?.scaling(
            maxPositionEmbeddings: maxPositionEmbeddings,
            originalMaxPositionEmbeddingsOverride: c.field(Int.self, .originalMaxPositionEmbeddings),
            path: [key])
        return (theta, scaling)
    }

    private static func positive(
        _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, default value: Int? = nil
    ) throws -> Int {
        guard let number = try c.field(Int.self, key) ?? value else {
            throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "required"))
        }
        guard number > 0 else { throw invalid(key, "must be positive, got \(number)") }
        return number
    }

    private static func invalid(_ key: CodingKeys, _ reason: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [key], debugDescription: reason))
    }
}
