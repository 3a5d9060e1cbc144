/// Why a model could not be loaded or run.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// A forward pass would store more tokens than the KV cache holds.
    case contextLengthExceeded(requested: Int, capacity: Int)
    /// A token id is outside the model's vocabulary.
    case tokenOutOfRange(id: Int, vocabularySize: Int)
    /// A KV cache was asked to keep more tokens than it stores (or a negative count).
    case invalidTruncation(to: Int, count: Int)
    /// A KV cache was asked to copy more tokens than its source stores or it can hold.
    case invalidPrefixCopy(count: Int, available: Int, capacity: Int)
    /// The context length asked for a KV cache is unusable (zero, negative, or beyond memory).
    case invalidContextLength(Int)
    /// `config.json` asks for a RoPE scaling type this implementation does not compute.
    case unsupportedRopeScaling(String)
    /// A `config.json` field has a value the model cannot run with.
    case invalidConfiguration(field: String, reason: String)
    /// A KV cache made for another model shape was passed to a forward pass.
    case cacheShapeMismatch
    /// Keys and values were copied between KV caches of different precisions.
    case cachePrecisionMismatch(source: KVCachePrecision, target: KVCachePrecision)
    /// A thread count below 1 was asked for.
    case invalidThreadCount(Int)
    /// The same KV cache appears twice in one batched forward pass (at these input indices).
    case duplicateCache(first: Int, second: Int)
    /// A forward pass was asked to run on no tokens.
    case emptyInput
    /// The tokenizer (in `file`) has ids up to `tokenizerSize - 1`, past the model's embedding rows.
    case tokenizerBeyondModel(file: String, tokenizerSize: Int, vocabularySize: Int)

    public var description: String {
        switch self {
        case .contextLengthExceeded(let requested, let capacity):
            "context length exceeded: \(requested) tokens requested, the KV cache holds \(capacity)"
        case .tokenOutOfRange(let id, let vocabularySize):
            "token id \(id) is outside the vocabulary (0..<\(vocabularySize))"
        case .invalidTruncation(let newCount, let count):
            "cannot truncate the KV cache to \(newCount) tokens: it holds \(count)"
        case .invalidPrefixCopy(let count, let available, let capacity):
            "cannot copy \(count) tokens into a KV cache of \(capacity) from one holding \(available)"
        case .invalidContextLength(let length):
            "invalid context length \(length): it must be at least 1 and fit in memory"
        case .unsupportedRopeScaling(let type):
            "config.json: rope scaling type \"\(type)\" is not supported (default, linear and yarn are)"
        case .invalidConfiguration(let field, let reason):
            "config.json: \(field) \(reason)"
        case .cacheShapeMismatch:
            "the KV cache was made for a model with another shape"
        case .cachePrecisionMismatch(let source, let target):
            "cannot copy keys and values from a \(source.rawValue) KV cache into a \(target.rawValue) one"
        case .invalidThreadCount(let count):
            "invalid thread count \(count): it must be at least 1"
        case .duplicateCache(let first, let second):
            "inputs \(first) and \(second) of a batch share one KV cache"
        case .emptyInput:
            "no input tokens"
        case .tokenizerBeyondModel(let file, let tokenizerSize, let vocabularySize):
            "\(file): the tokenizer has token ids up to \(tokenizerSize - 1), past the model's vocabulary of \(vocabularySize)"
        }
    }
}
