import Foundation

/// The RoPE dictionary of a `config.json` as written (`rope_scaling` or `rope_parameters`),
/// before defaults are resolved.
struct RopeParameters: Decodable {
    var type: String?
    var ropeType: String?
    var ropeTheta: Double?
    var factor: Double?
    var originalMaxPositionEmbeddings: Int?
    var attentionFactor: Double?
    var betaFast: Double?
    var betaSlow: Double?
    var mscale: Double?
    var mscaleAllDim: Double?
    var truncate: Bool?
    var lowFreqFactor: Double?
    var highFreqFactor: Double?
    var shortFactor: [Double]?
    var longFactor: [Double]?

    enum CodingKeys: String, CodingKey {
        case type
        case ropeType = "rope_type"
        case ropeTheta = "rope_theta"
        case factor
        case originalMaxPositionEmbeddings = "original_max_position_embeddings"
        case attentionFactor = "attention_factor"
        case betaFast = "beta_fast"
        case betaSlow = "beta_slow"
        case mscale
        case mscaleAllDim = "mscale_all_dim"
        case truncate
        case lowFreqFactor = "low_freq_factor"
        case highFreqFactor = "high_freq_factor"
        case shortFactor = "short_factor"
        case longFactor = "long_factor"
    }

    /// True when the dictionary has no entry (transformers treats `{}` like an absent field).
    var isEmpty: Bool {
        type == nil && ropeType == nil && ropeTheta == nil && factor == nil
            && originalMaxPositionEmbeddings == nil && attentionFactor == nil && betaFast == nil
            && betaSlow == nil && mscale == nil && mscaleAllDim == nil && truncate == nil
            && lowFreqFactor == nil && highFreqFactor == nil && shortFactor == nil && longFactor == nil
    }

    /// The scaling with transformers' defaults applied, or nil for plain RoPE.
    /// `path` is where the dictionary sits in the file, for errors.
    func scaling(
        maxPositionEmbeddings: Int, originalMaxPositionEmbeddingsOverride: Int?, path: [CodingKey]
    ) throws -> RopeScaling? {
        let name = ropeType ?? type ?? "default"
        if name == "default" { return nil }
        guard let kind = RopeScaling.RopeType(rawValue: name) else {
            throw Self.invalid(path + [CodingKeys.ropeType], "unsupported rope type \"\(name)\"")
        }
        var original: Int?
        if [.yarn, .longrope, .llama3].contains(kind) {
            original = originalMaxPositionEmbeddingsOverride ?? originalMaxPositionEmbeddings ?? maxPositionEmbeddings
            guard let original, original > 0 else {
                throw Self.invalid(path + [CodingKeys.originalMaxPositionEmbeddings], "must be positive")
            }
        }
        let resolvedFactor: Double
        switch (factor, original) {
        case (let factor?, _): resolvedFactor = factor
        case (nil, let original?) where kind == .yarn || kind == .longrope:
            resolvedFactor = Double(maxPositionEmbeddings) / Double(original)
        default:
            throw DecodingError.keyNotFound(
                CodingKeys.factor, .init(codingPath: path, debugDescription: "\(name) RoPE needs a factor"))
        }
        guard resolvedFactor > 0 else { throw Self.invalid(path + [CodingKeys.factor], "must be positive") }
        var scaling = RopeScaling(
            ropeType: kind, factor: resolvedFactor, originalMaxPositionEmbeddings: original,
            betaFast: betaFast.flatMap { $0 == 0 ? nil : $0 } ?? 32,
            betaSlow: betaSlow.flatMap { $0 == 0 ? nil : $0 } ?? 1,
            truncate: truncate ?? true)
        switch kind {
        case .yarn:
            scaling.attentionFactor = attentionFactor ?? yarnAttentionFactor(factor: resolvedFactor)
        case .longrope:
            guard let shortFactor else { throw Self.missing(CodingKeys.shortFactor, path, name) }
            guard let longFactor else { throw Self.missing(CodingKeys.longFactor, path, name) }
            scaling.shortFactor = shortFactor
            scaling.longFactor = longFactor
            scaling.attentionFactor = attentionFactor
                ?? (resolvedFactor <= 1 ? 1 : (1 + log(resolvedFactor) / log(Double(original ?? 1))).squareRoot())
        case .llama3:
            guard let lowFreqFactor else { throw Self.missing(CodingKeys.lowFreqFactor, path, name) }
            guard let highFreqFactor else { throw Self.missing(CodingKeys.highFreqFactor, path, name) }
            scaling.lowFreqFactor = lowFreqFactor
            scaling.highFreqFactor = highFreqFactor
        case .linear, .dynamic:
            break
        }
        return scaling
    }

    /// YaRN's default cos/sin scale: `mscale(f, mscale) / mscale(f, mscale_all_dim)` when both
    /// are non-zero, else `mscale(f, 1)`, with `mscale(f, m) = 0.1 * m * ln(f) + 1` (1 if f ≤ 1).
    private func yarnAttentionFactor(factor: Double) -> Double {
        func scale(_ m: Double) -> Double { factor <= 1 ? 1 : 0.1 * m * log(factor) + 1 }
        if let mscale, let mscaleAllDim, mscale != 0, mscaleAllDim != 0 {
            return scale(mscale) / scale(mscaleAllDim)
        }
        return scale(1)
    }

    private static func invalid(_ path: [CodingKey], _ reason: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: reason))
    }

    private static func missing(_ key: CodingKeys, _ path: [CodingKey], _ name: String) -> DecodingError {
        .keyNotFound(key, .init(codingPath: path, debugDescription: "\(name) RoPE needs \(key.stringValue)"))
    }
}
