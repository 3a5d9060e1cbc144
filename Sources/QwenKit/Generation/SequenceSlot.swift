import Foundation

/// One of a ``BatchEngine``'s sequence slots: a KV cache, the tokens it holds, and the sequence
/// running in it, if any. An idle slot keeps its tokens so a later prompt that starts the same
/// way can reuse them. Used only on the engine's loop thread.
final class SequenceSlot {
    /// Keys and values of ``tokens``.
    let cache: KVCache
    /// The tokens whose keys and values are in ``cache``, in order (`cache.count` of them).
    private(set) var tokens: [Int] = []
    /// When the slot last finished a sequence, in the engine's release order (for LRU reuse).
    private(set) var lastUsed = 0
    /// The sequence being generated here; nil when the slot is free.
    private(set) var sequence: BatchSequence?

    init(cache: KVCache) {
        self.cache = cache
    }

    /// Tokens of `prompt` whose keys and values this slot could lend it: the common prefix,
    /// leaving at least one prompt token to run.
    func reusableLength(for prompt: [Int]) -> Int {
        min(tokens.commonPrefixLength(with: prompt), prompt.count - 1)
    }

    /// Starts `sequence` here, keeping the first `kept` tokens of the cache.
    func start(_ sequence: BatchSequence, keeping kept: Int) throws {
        try cache.truncate(to: kept)
        tokens.removeSubrange(kept...)
        self.sequence = sequence
    }

    /// Replaces the cache contents with the first `count` tokens of `donor`.
    func copyPrefix(from donor: SequenceSlot, count: Int) throws {
        try cache.copyPrefix(from: donor.cache, count: count)
        tokens = Array(donor.tokens[..<count])
    }

    /// Records that `newTokens` were appended to the cache by a forward pass.
    func append(_ newTokens: some Sequence<Int>) {
        tokens.append(contentsOf: newTokens)
    }

    /// Frees the slot, keeping its tokens for reuse; `order` is the engine's release counter.
    func release(order: Int) {
        sequence = nil
        lastUsed = order
    }
}
