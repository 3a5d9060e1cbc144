/// How to choose each next token and when to stop: the knobs of OpenAI's chat completions API
/// plus transformers' `top_k`, `min_p` and `repetition_penalty`.
///
/// Every knob has a neutral value that switches it off, and a parameter set with all neutral values
/// samples from the model's distribution unchanged. ``greedy`` always picks the most likely token.
///
/// ```swift
/// var parameters = SamplingParameters(temperature: 0.7, topK: 20, topP: 0.8, seed: 42)
/// parameters.stopStrings = ["\n\n"]
/// try parameters.validate(vocabularySize: 151_936)
/// ```
///
/// In JSON (`Codable`) the keys are the OpenAI/vLLM request names: `temperature`, `top_k`,
/// `top_p`, `min_p`, `repetition_penalty`, `presence_penalty`, `frequency_penalty`, `logit_bias`,
/// `seed`, `max_tokens`, `stop_token_ids`, `stop` (a string or an array), `logprobs`,
/// `top_logprobs`; missing keys take the neutral values.
public struct SamplingParameters: Sendable, Hashable {
    /// Divides the logits before sampling; 0 means greedy (always the most likely token). Finite, >= 0.
    public var temperature: Float
    /// Keeps only the `topK` most likely tokens (and any tied with the last of them); 0 = off.
    /// 1 means greedy.
    public var topK: Int
    /// Keeps the smallest set of most likely tokens whose probability adds up to at least `topP`;
    /// 1 = off. In (0, 1].
    public var topP: Float
    /// Drops tokens less likely than `minP` times the most likely token's probability; 0 = off. 0...1.
    public var minP: Float
    /// transformers' repetition penalty over every id of the prompt and the output: a positive
    /// logit is divided by it, a negative one multiplied; 1 = off. Must be > 0.
    public var repetitionPenalty: Float
    /// OpenAI presence penalty, subtracted once from the logit of every id already generated
    /// (prompt not counted); 0 = off. -2...2.
    public var presencePenalty: Float
    /// OpenAI frequency penalty, subtracted from an id's logit once per time it was generated
    /// (prompt not counted); 0 = off. -2...2.
    public var frequencyPenalty: Float
    /// Added to the logits of the given token ids; each bias is in -100...100, where -100 in
    /// practice bans a token and 100 forces it.
    public var logitBias: [Int: Float]
    /// Seed of the sampler's random generator; nil picks a random seed.
    public var seed: UInt64?
    /// Maximum number of new tokens; nil leaves only the model's context as the limit. Must be > 0.
    public var maxTokens: Int?
    /// Token ids that end generation, in addition to the model's end-of-sequence ids.
    public var stopTokenIds: Set<Int>
    /// Strings that end generation; the text from the earliest match on is not returned.
    public var stopStrings: [String]
    /// Whether to report the log-probability of each chosen token.
    public var logprobs: Bool
    /// How many of the most likely alternatives to report at each step (needs ``logprobs``). 0...20.
    public var topLogprobs: Int

    /// Creates a parameter set; every argument defaults to the value that switches its knob off.
    public init(
        temperature: Float = 1,
        topK: Int = 0,
        topP: Float = 1,
        minP: Float = 0,
        repetitionPenalty: Float = 1,
        presencePenalty: Float = 0,
        frequencyPenalty: Float = 0,
        logitBias: [Int: Float] = [:],
        seed: UInt64? = nil,
        maxTokens: Int? = nil,
        stopTokenIds: Set<Int> = [],
        stopStrings: [String] = [],
        logprobs: Bool = false,
        topLogprobs: Int = 0
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.logitBias = logitBias
        self.seed = seed
        self.maxTokens = maxTokens
        self.stopTokenIds = stopTokenIds
        self.stopStrings = stopStrings
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
    }

    /// Always the most likely token, no penalties.
    public static let greedy = SamplingParameters(temperature: 0)

    /// The parameters transformers' `generate` uses for a model's `generation_config.json`, given
    /// its values (nil when a key is absent): `do_sample` false or absent means greedy; otherwise
    /// absent keys take transformers' defaults (temperature 1, top_k 50, top_p 1).
    /// The repetition penalty applies in both cases; `eos_token_id`s become ``stopTokenIds``.
    ///
    /// ```swift
    /// // Qwen2.5-Instruct's generation_config.json
    /// let parameters = SamplingParameters.generationDefaults(
    ///     doSample: true, temperature: 0.7, topK: 20, topP: 0.8,
    ///     repetitionPenalty: 1.05, eosTokenIds: [151645, 151643])
    /// ```
    public static func generationDefaults(
        doSample: Bool?,
        temperature: Float?,
        topK: Int?,
        topP: Float?,
        minP: Float? = nil,
        repetitionPenalty: Float?,
        eosTokenIds: [Int]
    ) -> SamplingParameters {
        let penalty = repetitionPenalty ?? 1
        guard doSample == true else {
            return SamplingParameters(temperature: 0, repetitionPenalty: penalty, stopTokenIds: Set(eosTokenIds))
        }
        return SamplingParameters(
            temperature: temperature ?? 1,
            topK: topK ?? 50,
            topP: topP ?? 1,
            minP: minP ?? 0,
            repetitionPenalty: penalty,
            stopTokenIds: Set(eosTokenIds)
        )
    }

    /// Whether the sampler always takes the most likely token (temperature 0 or top-k 1).
    public var isGreedy: Bool {
        temperature == 0 || topK == 1
    }

    /// Checks every parameter against its documented range, and logit-bias ids against the
    /// vocabulary when its size is given.
    /// - Throws: ``SamplingParametersError`` naming the first parameter out of range.
    public func validate(vocabularySize: Int? = nil) throws(SamplingParametersError) {
        try check("temperature", temperature, temperature.isFinite && temperature >= 0, "finite and >= 0")
        try check("top_k", topK, topK >= 0, ">= 0")
        try check("top_p", topP, topP > 0 && topP <= 1, "in (0, 1]")
        try check("min_p", minP, (0...1).contains(minP), "in 0...1")
        try check(
            "repetition_penalty", repetitionPenalty,
            repetitionPenalty.isFinite && repetitionPenalty > 0, "> 0")
        try check("presence_penalty", presencePenalty, (-2...2).contains(presencePenalty), "in -2...2")
        try check("frequency_penalty", frequencyPenalty, (-2...2).contains(frequencyPenalty), "in -2...2")
        for (id, bias) in logitBias.sorted(by: { $0.key < $1.key }) {
            try check("logit_bias[\(id)]", bias, (-100...100).contains(bias), "in -100...100")
            let idLimit = vocabularySize.map { "in 0..<\($0)" } ?? ">= 0"
            try check("logit_bias token id", id, id >= 0 && id < (vocabularySize ?? Int.max), idLimit)
        }
        if let maxTokens {
            try check("max_tokens", maxTokens, maxTokens > 0, "> 0")
        }
        for id in stopTokenIds.sorted() {
            try check("stop_token_ids", id, id >= 0, ">= 0")
        }
        for stop in stopStrings {
            try check("stop", "\"\(stop)\"", !stop.isEmpty, "a non-empty string")
        }
        try check("top_logprobs", topLogprobs, (0...20).contains(topLogprobs), "in 0...20")
    }

    private func check(
        _ field: String, _ value: some CustomStringConvertible, _ isValid: Bool, _ allowed: String
    ) throws(SamplingParametersError) {
        guard isValid else {
            throw .outOfRange(field: field, value: value.description, allowed: allowed)
        }
    }
}

extension SamplingParameters: Codable {
    private enum CodingKeys: String, CodingKey {
        case temperature
        case topK = "top_k"
        case topP = "top_p"
        case minP = "min_p"
        case repetitionPenalty = "repetition_penalty"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case logitBias = "logit_bias"
        case seed
        case maxTokens = "max_tokens"
        case stopTokenIds = "stop_token_ids"
        case stopStrings = "stop"
        case logprobs
        case topLogprobs = "top_logprobs"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let neutral = SamplingParameters()
        temperature = try container.decodeIfPresent(Float.self, forKey: .temperature) ?? neutral.temperature
        topK = try container.decodeIfPresent(Int.self, forKey: .topK) ?? neutral.topK
        topP = try container.decodeIfPresent(Float.self, forKey: .topP) ?? neutral.topP
        minP = try container.decodeIfPresent(Float.self, forKey: .minP) ?? neutral.minP
        repetitionPenalty =
            try container.decodeIfPresent(Float.self, forKey: .repetitionPenalty) ?? neutral.repetitionPenalty
        presencePenalty =
            try container.decodeIfPresent(Float.self, forKey: .presencePenalty) ?? neutral.presencePenalty
        frequencyPenalty =
            try container.decodeIfPresent(Float.self, forKey: .frequencyPenalty) ?? neutral.frequencyPenalty
        logitBias = try container.decodeIfPresent([Int: Float].self, forKey: .logitBias) ?? neutral.logitBias
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed)
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
        stopTokenIds = try container.decodeIfPresent(Set<Int>.self, forKey: .stopTokenIds) ?? neutral.stopTokenIds
        if let single = try? container.decodeIfPresent(String.self, forKey: .stopStrings) {
            stopStrings = [single]
        } else {
            stopStrings = try container.decodeIfPresent([String].self, forKey: .stopStrings) ?? neutral.stopStrings
        }
        logprobs = try container.decodeIfPresent(Bool.self, forKey: .logprobs) ?? neutral.logprobs
        topLogprobs = try container.decodeIfPresent(Int.self, forKey: .topLogprobs) ?? neutral.topLogprobs
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(temperature, forKey: .temperature)
        try container.encode(topK, forKey: .topK)
        try container.encode(topP, forKey: .topP)
        try container.encode(minP, forKey: .minP)
        try container.encode(repetitionPenalty, forKey: .repetitionPenalty)
        try container.encode(presencePenalty, forKey: .presencePenalty)
        try container.encode(frequencyPenalty, forKey: .frequencyPenalty)
        try container.encode(logitBias, forKey: .logitBias)
        try container.encodeIfPresent(seed, forKey: .seed)
        try container.encodeIfPresent(maxTokens, forKey: .maxTokens)
        try container.encode(stopTokenIds.sorted(), forKey: .stopTokenIds)
        try container.encode(stopStrings, forKey: .stopStrings)
        try container.encode(logprobs, forKey: .logprobs)
        try container.encode(topLogprobs, forKey: .topLogprobs)
    }
}
