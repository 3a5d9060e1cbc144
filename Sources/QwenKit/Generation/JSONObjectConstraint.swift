/// Constrains generation to one valid JSON object (OpenAI's `response_format: json_object`): before
/// each token is sampled, every token whose bytes cannot continue the object gets a logit of
/// -infinity; once the object is complete, only the stop tokens remain.
///
/// ```swift
/// let vocabulary = JSONObjectConstraint.Vocabulary(tokenizer: qwen.tokenizer, size: 151_936)
/// let stream = qwen.generate(prompt: ids, parameters: parameters,
///                            constraint: JSONObjectConstraint(vocabulary: vocabulary))
/// ```
public struct JSONObjectConstraint: Sendable {
    /// The bytes of every token, decoded once per tokenizer and shared by all constraints.
    public final class Vocabulary: Sendable {
        let bytes: [UInt8]
        /// Token `id`'s bytes are `bytes[offsets[id]..<offsets[id + 1]]`.
        let offsets: [Int]
        /// Special tokens (and ids without text), which never continue JSON.
        let isSpecial: [Bool]

        /// The bytes of ids `0..<size` (the model's vocabulary, which may exceed the tokenizer's).
        public init(tokenizer: Tokenizer, size: Int) {
            var bytes: [UInt8] = []
            var offsets = [0]
            var isSpecial: [Bool] = []
            for id in 0..<size {
                let start = bytes.count
                tokenizer.appendBytes(of: id, skipSpecialTokens: true, to: &bytes)
                isSpecial.append(tokenizer.isSpecial(id) || bytes.count == start)
                offsets.append(bytes.count)
            }
            self.bytes = bytes
            self.offsets = offsets
            self.isSpecial = isSpecial
        }

        var count: Int { isSpecial.count }
    }

    private let vocabulary: Vocabulary
    private var validator = JSONPrefixValidator()
    /// The tokens allowed after each validator state met so far (bit `id % 64` of word `id / 64`):
    /// a string or number being generated passes through the same few states again and again, and
    /// testing every token's bytes is most of the cost of a step on a small model.
    private var allowedByState: [JSONPrefixValidator: [UInt64]] = [:]
    /// States kept in ``allowedByState`` (19 KiB each for Qwen2.5's vocabulary) before it is emptied.
    private static let cachedStates = 64

    /// A constraint at the start of the output.
    public init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
    }

    /// Sets to -infinity the logit of every token that cannot come next; `stopTokenIds` may come
    /// only once the object is complete.
    public mutating func mask(_ logits: UnsafeMutableBufferPointer<Float>, stopTokenIds: Set<Int>) {
        if validator.isComplete {
            for id in 0..<logits.count where !stopTokenIds.contains(id) { logits[id] = -.infinity }
            return
        }
        let allowed: [UInt64]
        if let cached = allowedByState[validator] {
            allowed = cached
        } else {
            allowed = allowedTokens()
            if allowedByState.count >= Self.cachedStates { allowedByState.removeAll(keepingCapacity: true) }
            allowedByState[validator] = allowed
        }
        let count = min(logits.count, vocabulary.count)
        for id in 0..<count where allowed[id >> 6] & (1 << UInt64(id & 63)) == 0 { logits[id] = -.infinity }
        for id in count..<logits.count { logits[id] = -.infinity }
    }

    /// The tokens whose bytes the validator accepts from its current state, as bits.
    private func allowedTokens() -> [UInt64] {
        var allowed = [UInt64](repeating: 0, count: (vocabulary.count + 63) / 64)
        vocabulary.bytes.withUnsafeBufferPointer { bytes in
            vocabulary.offsets.withUnsafeBufferPointer { offsets in
                tokens: for id in 0..<vocabulary.count where !vocabulary.isSpecial[id] {
                    var next = validator
                    for index in offsets[id]..<offsets[id + 1] where !next.consume(bytes[index]) { continue tokens }
                    allowed[id >> 6] |= 1 << UInt64(id & 63)
                }
            }
        }
        return allowed
    }

    /// Advances past the sampled token `id`.
    public mutating func accept(_ id: Int) {
        guard id >= 0, id < vocabulary.count, !vocabulary.isSpecial[id] else { return }
        for index in vocabulary.offsets[id]..<vocabulary.offsets[id + 1] {
            _ = validator.consume(vocabulary.bytes[index])
        }
    }

    /// Whether the output so far is a complete JSON object.
    public var isComplete: Bool { validator.isComplete }
}
