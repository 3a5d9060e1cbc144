/// Why a ``BatchEngine`` cannot be made as asked.
public enum BatchEngineError: Error, CustomStringConvertible, Equatable {
    /// Fewer than one sequence slot was asked for.
    case invalidSlotCount(Int)
    /// A per-step prefill token budget below 1 was asked for.
    case invalidPrefillTokenBudget(Int)
    /// The KV-cache memory budget (bytes) cannot hold one sequence of the context length
    /// (`bytesPerSequence` bytes).
    case kvCacheMemoryTooSmall(bytes: Int, bytesPerSequence: Int)

    public var description: String {
        switch self {
        case .invalidSlotCount(let count):
            "invalid number of parallel sequences \(count): it must be at least 1"
        case .invalidPrefillTokenBudget(let budget):
            "invalid prefill token budget \(budget): it must be at least 1"
        case .kvCacheMemoryTooSmall(let bytes, let bytesPerSequence):
            "a KV cache of \(bytes) bytes cannot hold one sequence: the context length needs \(bytesPerSequence) bytes"
        }
    }
}
