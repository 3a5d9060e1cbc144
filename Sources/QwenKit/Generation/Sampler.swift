/// Chooses the next token from a row of logits, exactly as transformers' `generate` does with the
/// same parameters, plus OpenAI's logit bias and presence/frequency penalties.
///
/// The steps, in transformers' order: repetition penalty → logit bias, presence and frequency
/// penalties → temperature → top-k → top-p → min-p → a draw from what is left.
/// Temperature 0 or top-k 1 takes the most likely token instead (ties: lowest id, as
/// `torch.argmax`).
///
/// Reported log-probabilities (``SamplingParameters/logprobs``) are those of the distribution
/// after the penalties and bias, before temperature and truncation: the model's own beliefs about
/// the prompt as the request shaped it, comparable across temperatures, and never -∞ for a token
/// that truncation removed. (vLLM reports the raw model distribution by default.)
///
/// The random generator is ``Xoshiro256StarStar``, seeded from ``SamplingParameters/seed`` (a
/// random seed when nil): the same seed gives the same tokens on every platform.
///
/// ```swift
/// var sampler = try Sampler(parameters: SamplingParameters(temperature: 0.7, topP: 0.8, seed: 1))
/// var history = TokenHistory(prompt: promptIds)
/// let token = sampler.sample(logits: &logits, history: history)
/// history.append(token.id)
/// ```
public struct Sampler: Sendable {
    /// The parameters this sampler applies.
    public let parameters: SamplingParameters
    private var generator: Xoshiro256StarStar
    private var candidates = TokenCandidates()

    /// Creates a sampler for `parameters`.
    /// - Throws: ``SamplingParametersError`` when a parameter is out of range.
    public init(parameters: SamplingParameters) throws(SamplingParametersError) {
        try parameters.validate()
        self.parameters = parameters
        generator = Xoshiro256StarStar(seed: parameters.seed ?? UInt64.random(in: .min ... .max))
    }

    /// Chooses a token from `logits` (one value per vocabulary id; must not be empty).
    ///
    /// The penalties and logit bias are applied to `logits` in place; temperature and
    /// truncation are not, so afterwards `logits` holds the distribution the reported
    /// log-probabilities describe.
    public mutating func sample(logits: UnsafeMutableBufferPointer<Float>, history: TokenHistory) -> SampledToken {
        precondition(!logits.isEmpty, "Sampler.sample needs at least one logit")
        LogitProcessor.applyRepetitionPenalty(parameters.repetitionPenalty, to: logits, history: history)
        LogitProcessor.applyAdditiveAdjustments(parameters, to: logits, history: history)
        let id = parameters.isGreedy ? Self.argmax(logits) : draw(from: logits)
        guard parameters.logprobs else { return SampledToken(id: id) }
        let logSoftmax = LogSoftmax(logits)
        return SampledToken(
            id: id,
            logprob: logSoftmax(logits[id]),
            topLogprobs: logSoftmax.top(parameters.topLogprobs, of: logits)
        )
    }

    /// Chooses a token from `logits`; see ``sample(logits:history:)-(UnsafeMutableBufferPointer<Float>,_)``.
    public mutating func sample(logits: inout [Float], history: TokenHistory) -> SampledToken {
        logits.withUnsafeMutableBufferPointer { sample(logits: $0, history: history) }
    }

    private mutating func draw(from logits: UnsafeMutableBufferPointer<Float>) -> Int {
        candidates.collect(logits: logits, temperature: parameters.temperature, topK: parameters.topK)
        candidates.exponentiate()
        if parameters.topP < 1 {
            candidates.keepTopP(parameters.topP)
        }
        if parameters.minP > 0 {
            candidates.keepMinP(parameters.minP)
        }
        return candidates.draw(unit: generator.nextUnitInterval())
    }

    /// The index of the largest logit; the lowest index among equals; NaN never wins.
    private static func argmax(_ logits: UnsafeMutableBufferPointer<Float>) -> Int {
        var best = 0
        var bestLogit = -Float.infinity
        for (id, logit) in logits.enumerated() where logit > bestLogit {
            best = id
            bestLogit = logit
        }
        return best
    }
}
