import Foundation

/// A model's default generation settings, from `generation_config.json`. Absent fields take
/// transformers' `GenerationConfig` defaults (greedy, temperature 1, top-k 50, top-p 1,
/// no repetition penalty).
///
/// ```swift
/// let defaults = try GenerationConfiguration.load(from: modelDirectory.appendingPathComponent("generation_config.json"))
/// let stopIds = Set(defaults.eosTokenIds)
/// ```
public struct GenerationConfiguration: Codable, Sendable, Equatable {
    /// Sample (true) or decode greedily (false).
    public var doSample: Bool
    /// Logits are divided by this before sampling.
    public var temperature: Double
    /// Nucleus sampling: keep the smallest set of tokens whose probability reaches `topP`.
    public var topP: Double
    /// 0 disables top-k filtering.
    public var topK: Int
    /// Drop tokens whose probability is below `minP` × the top probability.
    public var minP: Double?
    /// Divides positive (multiplies negative) logits of tokens already seen; 1 disables it.
    public var repetitionPenalty: Double
    /// The default limit on generated tokens, if the model sets one.
    public var maxNewTokens: Int?
    /// End-of-sequence ids (`eos_token_id` may be one id or a list).
    public var eosTokenIds: [Int]
    /// `bos_token_id`.
    public var bosTokenId: Int?
    /// `pad_token_id`.
    public var padTokenId: Int?

    /// transformers' defaults.
    public init(
        doSample: Bool = false, temperature: Double = 1, topP: Double = 1, topK: Int = 50, minP: Double? = nil,
        repetitionPenalty: Double = 1, maxNewTokens: Int? = nil, eosTokenIds: [Int] = [],
        bosTokenId: Int? = nil, padTokenId: Int? = nil
    ) {
        self.doSample = doSample
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.maxNewTokens = maxNewTokens
        self.eosTokenIds = eosTokenIds
        self.bosTokenId = bosTokenId
        self.padTokenId = padTokenId
    }

    /// Reads and validates a `generation_config.json`. Throws ``ConfigurationError`` naming the
    /// file and field.
    public static func load(from url: URL) throws -> GenerationConfiguration {
        try ConfigurationError.decode(GenerationConfiguration.self, from: url)
    }

    enum CodingKeys: String, CodingKey {
        case doSample = "do_sample"
        case temperature
        case topP = "top_p"
        case topK = "top_k"
        case minP = "min_p"
        case repetitionPenalty = "repetition_penalty"
        case maxNewTokens = "max_new_tokens"
        case eosTokenIds = "eos_token_id"
        case bosTokenId = "bos_token_id"
        case padTokenId = "pad_token_id"
    }

    /// Decodes and validates; invalid values throw `DecodingError.dataCorrupted` at the field.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = GenerationConfiguration()
        doSample = try c.field(Bool.self, .doSample) ?? defaults.doSample
        temperature = try c.field(Double.self, .temperature) ?? defaults.temperature
        topP = try c.field(Double.self, .topP) ?? defaults.topP
        topK = try c.field(Int.self, .topK) ?? defaults.topK
        minP = try c.field(Double.self, .minP)
        repetitionPenalty = try c.field(Double.self, .repetitionPenalty) ?? defaults.repetitionPenalty
        maxNewTokens = try c.field(Int.self, .maxNewTokens)
        eosTokenIds = try c.field(TokenIDs.self, .eosTokenIds)?.ids ?? []
        bosTokenId = try c.field(Int.self, .bosTokenId)
        padTokenId = try c.field(Int.self, .padTokenId)

        guard temperature >= 0 else { throw Self.invalid(.temperature, "must not be negative") }
        guard (0...1).contains(topP) else { throw Self.invalid(.topP, "must be in 0...1") }
        guard topK >= 0 else { throw Self.invalid(.topK, "must not be negative") }
        if let minP, !(0...1).contains(minP) { throw Self.invalid(.minP, "must be in 0...1") }
        guard repetitionPenalty > 0 else { throw Self.invalid(.repetitionPenalty, "must be positive") }
        if let maxNewTokens, maxNewTokens < 0 { throw Self.invalid(.maxNewTokens, "must not be negative") }
        if let id = eosTokenIds.first(where: { $0 < 0 }) { throw Self.invalid(.eosTokenIds, "holds \(id), which is not a token id") }
    }

    /// Encodes with the snake_case keys of `generation_config.json`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(doSample, forKey: .doSample)
        try c.encode(temperature, forKey: .temperature)
        try c.encode(topP, forKey: .topP)
        try c.encode(topK, forKey: .topK)
        try c.encodeIfPresent(minP, forKey: .minP)
        try c.encode(repetitionPenalty, forKey: .repetitionPenalty)
        try c.encodeIfPresent(maxNewTokens, forKey: .maxNewTokens)
        try c.encode(TokenIDs(ids: eosTokenIds), forKey: .eosTokenIds)
        try c.encodeIfPresent(bosTokenId, forKey: .bosTokenId)
        try c.encodeIfPresent(padTokenId, forKey: .padTokenId)
    }

    private static func invalid(_ key: CodingKeys, _ reason: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [key], debugDescription: reason))
    }
}
