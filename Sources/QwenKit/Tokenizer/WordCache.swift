import Foundation

/// Token ids of recently encoded words, so that frequent words skip byte-pair merging.
/// Bounded: it empties itself when full.
final class WordCache {
    /// Words longer than this (in bytes) are not cached.
    static let maximumWordLength = 256
    private static let maximumWordCount = 1 << 15

    private let words = ByteStringTable()
    private var ids: [Int32] = []

    /// Appends the cached ids of `word` to `output`; returns false if `word` is not cached.
    @inline(__always)
    func appendIDs(of word: UnsafeRawBufferPointer, to output: inout [Int32]) -> Bool {
        guard let span = words.value(for: word) else { return false }
        let start = Int(span >> 32)
        output.append(contentsOf: ids[start..<start + Int(span & 0xFFFF_FFFF)])
        return true
    }

    func store(_ word: UnsafeRawBufferPointer, ids wordIDs: ArraySlice<Int32>) {
        guard word.count <= Self.maximumWordLength else { return }
        if words.count >= Self.maximumWordCount {
            words.removeAll()
            ids.removeAll(keepingCapacity: true)
        }
        words.set(word, value: UInt64(ids.count) << 32 | UInt64(wordIDs.count))
        ids.append(contentsOf: wordIDs)
    }
}

/// A ``WordCache`` shared by the threads encoding with one tokenizer. A thread that finds it
/// busy uses a private cache instead of waiting, as Hugging Face tokenizers does.
final class SharedWordCache: @unchecked Sendable {
    private let lock = NSLock()
    private let cache = WordCache()

    func withCache<Result>(_ body: (WordCache) -> Result) -> Result {
        guard lock.try() else { return body(WordCache()) }
        defer { lock.unlock() }
        return body(cache)
    }
}
