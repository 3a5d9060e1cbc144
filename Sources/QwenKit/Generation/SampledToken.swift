/// The token a ``Sampler`` chose, with the log-probabilities asked for by
/// ``SamplingParameters/logprobs`` and ``SamplingParameters/topLogprobs``.
///
/// Log-probabilities are those of the model's distribution after the repetition penalty,
/// logit bias and presence/frequency penalties, and before temperature, top-k, top-p and min-p
/// (see ``Sampler`` for why).
public struct SampledToken: Sendable, Hashable {
    /// The chosen token id.
    public var id: Int
    /// The chosen token's log-probability; nil unless ``SamplingParameters/logprobs`` is set.
    public var logprob: Float?
    /// The most likely tokens, most likely first (ties: lower id first); empty unless
    /// ``SamplingParameters/logprobs`` is set and ``SamplingParameters/topLogprobs`` > 0.
    public var topLogprobs: [TokenLogprob]

    /// Creates a sampled token.
    public init(id: Int, logprob: Float? = nil, topLogprobs: [TokenLogprob] = []) {
        self.id = id
        self.logprob = logprob
        self.topLogprobs = topLogprobs
    }
}
