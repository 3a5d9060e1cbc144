/// Tokens that continue one sequence, the unit of a batched forward pass: a prompt being
/// prefilled, or the one newly sampled token of a sequence being decoded.
///
/// ```swift
/// try model.forward([SequenceInput(tokens: [a], cache: cacheA), SequenceInput(tokens: [b], cache: cacheB)],
///                   into: &logits)   // logits row 0 predicts after a, row 1 after b
/// ```
public struct SequenceInput: Sendable {
    /// The new tokens, in order; they follow the `cache.count` tokens already in `cache`.
    public var tokens: [Int]
    /// The sequence's KV cache; the pass appends `tokens` to it.
    public var cache: KVCache

    /// The `tokens` that continue the sequence held in `cache`.
    public init(tokens: [Int], cache: KVCache) {
        self.tokens = tokens
        self.cache = cache
    }
}
