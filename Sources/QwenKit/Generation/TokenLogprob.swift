/// A token id with its log-probability, as reported in OpenAI `logprobs` responses.
public struct TokenLogprob: Sendable, Hashable, Codable {
    /// The token id.
    public var id: Int
    /// The natural logarithm of the token's probability.
    public var logprob: Float

    /// Pairs a token id with its log-probability.
    public init(id: Int, logprob: Float) {
        self.id = id
        self.logprob = logprob
    }
}
