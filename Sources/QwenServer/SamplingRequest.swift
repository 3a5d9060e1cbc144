import QwenKit

/// The generation fields chat and text completion requests share: sampling, limits, `n` and
/// streaming, over the model's `generation_config.json` defaults.
struct SamplingRequest {
    /// How `logprobs` is spelled: a boolean plus `top_logprobs` (chat) or a count (completions).
    enum LogprobsStyle {
        case chat
        case completions
    }

    var parameters: SamplingParameters
    /// `n`: how many choices to generate.
    var choiceCount: Int
    var stream: Bool
    /// `stream_options.include_usage`.
    var includeUsage: Bool

    init(
        _ fields: RequestFields, defaults: SamplingParameters, configuration: ServerConfiguration,
        vocabularySize: Int, logprobsStyle: LogprobsStyle
    ) throws(APIError) {
        var p = defaults
        if let value = try fields.float("temperature") { p.temperature = value }
        if let value = try fields.float("top_p") { p.topP = value }
        if let value = try fields.int("top_k") { p.topK = value == -1 ? 0 : value }
        if let value = try fields.float("min_p") { p.minP = value }
        if let value = try fields.float("presence_penalty") { p.presencePenalty = value }
        if let value = try fields.float("frequency_penalty") { p.frequencyPenalty = value }
        if let value = try fields.float("repetition_penalty") { p.repetitionPenalty = value }
        if let bias = try fields.fields("logit_bias") { p.logitBias = try Self.logitBias(bias) }
        if let seed = try fields.int("seed") { p.seed = UInt64(bitPattern: Int64(seed)) }
        if let stop = try fields.strings("stop") { p.stopStrings = stop }
        let maxTokensKey = fields.value("max_completion_tokens") != nil ? "max_completion_tokens" : "max_tokens"
        if let maxTokens = try fields.int(maxTokensKey) {
            guard maxTokens >= 1, maxTokens <= configuration.maxCompletionTokens else {
                throw .invalidValue(param: maxTokensKey, "must be in 1...\(configuration.maxCompletionTokens)")
            }
            p.maxTokens = maxTokens
        } else {
            p.maxTokens = configuration.maxCompletionTokens
        }
        switch logprobsStyle {
        case .chat:
            p.logprobs = try fields.bool("logprobs") ?? false
            p.topLogprobs = try fields.int("top_logprobs") ?? 0
            if p.topLogprobs > 0 && !p.logprobs {
                throw .invalidValue(param: "top_logprobs", "needs logprobs set to true")
            }
        case .completions:
            if let count = try fields.int("logprobs") {
                guard (0...5).contains(count) else { throw .invalidValue(param: "logprobs", "must be in 0...5") }
                p.logprobs = true
                p.topLogprobs = count
            }
        }
        do {
            try p.validate(vocabularySize: vocabularySize)
        } catch {
            switch error {
            case .outOfRange(let field, let value, let allowed):
                throw .invalidValue(param: field, "is \(value); it must be \(allowed)")
            }
        }
        parameters = p

        choiceCount = try fields.int("n") ?? 1
        guard (1...configuration.maxChoices).contains(choiceCount) else {
            throw .invalidValue(param: "n", "must be in 1...\(configuration.maxChoices)")
        }
        stream = try fields.bool("stream") ?? false
        includeUsage = try fields.fields("stream_options")?.bool("include_usage") ?? false
        _ = try fields.string("user")
    }

    /// The parameters of choice `index`: with a seed, each choice gets its own (`seed + index`),
    /// so choices differ yet the request is reproducible.
    func parameters(forChoice index: Int) -> SamplingParameters {
        var p = parameters
        p.seed = p.seed.map { $0 &+ UInt64(index) }
        return p
    }

    /// `logit_bias`: token ids (as strings, JSON object keys) to biases.
    private static func logitBias(_ fields: RequestFields) throws(APIError) -> [Int: Float] {
        var bias: [Int: Float] = [:]
        for key in fields.object.keys {
            guard let id = Int(key) else { throw .invalidValue(param: fields.name(key), "is not a token id") }
            bias[id] = try fields.float(key) ?? 0
        }
        return bias
    }
}
