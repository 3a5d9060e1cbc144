import Foundation

/// The keys and values a model has computed for the tokens of one sequence, so each new token
/// attends to the earlier ones without recomputing them.
///
/// Storage is float32, one block per layer for keys and one for values, each head-major:
/// `[kvHeadCount][capacity][headDim]`. The memory is reserved up front but the operating system
/// only commits the pages that tokens actually fill, so a large capacity costs address space, not
/// resident memory. Several caches can be used with one model (one per sequence).
///
/// ```swift
/// let cache = try model.makeCache(contextLength: 4096)
/// let logits = try model.forward(promptIDs, cache: cache)
/// cache.reset()   // reuse for another sequence
/// ```
public final class KVCache: @unchecked Sendable {
    /// The number of tokens the cache can hold.
    public let capacity: Int
    /// The number of tokens stored: the position of the next token.
    public private(set) var count: Int = 0

    let layerCount: Int
    let kvHeadCount: Int
    let headDim: Int
    private let storage: UnsafeMutablePointer<Float>
    private let blockSize: Int

    /// A cache for `contextLength` tokens of a model with `configuration`; by default
    /// ``defaultContextLength(for:memoryBudget:)``. Throws ``ModelError/invalidContextLength(_:)``
    /// when the length is below 1.
    public init(configuration: Qwen2Configuration, contextLength: Int? = nil) throws {
        let length = contextLength ?? Self.defaultContextLength(for: configuration)
        guard length >= 1 else { throw ModelError.invalidContextLength(length) }
        capacity = length
        layerCount = configuration.numHiddenLayers
        kvHeadCount = configuration.numKeyValueHeads
        headDim = configuration.headDim
        let (block, blockOverflow) = kvHeadCount.multipliedReportingOverflow(by: headDim)
        let (size, sizeOverflow) = block.multipliedReportingOverflow(by: length)
        let (total, totalOverflow) = size.multipliedReportingOverflow(by: 2 * layerCount)
        guard !blockOverflow, !sizeOverflow, !totalOverflow else {
            throw ModelError.invalidContextLength(length)
        }
        blockSize = size
        storage = .allocate(capacity: max(total, 1))
    }

    deinit {
        storage.deallocate()
    }

    /// Bytes one token takes in a cache for `configuration` (keys and values of every layer).
    public static func bytesPerToken(for configuration: Qwen2Configuration) -> Int {
        2 * configuration.numHiddenLayers * configuration.numKeyValueHeads * configuration.headDim
            * MemoryLayout<Float>.size
    }

    /// The model's `max_position_embeddings`, lowered so that the cache fits in `memoryBudget`
    /// bytes (by default a quarter of the physical memory).
    public static func defaultContextLength(
        for configuration: Qwen2Configuration,
        memoryBudget: Int = Int(clamping: ProcessInfo.processInfo.physicalMemory / 4)
    ) -> Int {
        let affordable = memoryBudget / max(bytesPerToken(for: configuration), 1)
        return max(1, min(configuration.maxPositionEmbeddings, affordable))
    }

    /// Forgets every stored token, so the cache can serve a new sequence.
    public func reset() {
        count = 0
    }

    /// Keeps only the first `newCount` tokens, e.g. to reuse a shared prompt prefix.
    /// Throws ``ModelError/invalidTruncation(to:count:)`` unless `0 <= newCount <= count`.
    public func truncate(to newCount: Int) throws {
        guard newCount >= 0, newCount <= count else {
            throw ModelError.invalidTruncation(to: newCount, count: count)
        }
        count = newCount
    }

    /// Replaces the contents with the first `count` tokens of `source`, a cache of a model of the
    /// same shape: a copy of their keys and values, much cheaper than recomputing a shared prompt
    /// prefix. Throws ``ModelError/cacheShapeMismatch`` for another shape and
    /// ``ModelError/invalidPrefixCopy(count:available:capacity:)`` unless
    /// `0 <= count <= source.count` and `count <= capacity`.
    ///
    /// ```swift
    /// try cache.copyPrefix(from: other, count: sharedSystemPromptLength)
    /// ```
    public func copyPrefix(from source: KVCache, count: Int) throws {
        guard source.layerCount == layerCount, source.kvHeadCount == kvHeadCount, source.headDim == headDim else {
            throw ModelError.cacheShapeMismatch
        }
        guard count >= 0, count <= source.count, count <= capacity else {
            throw ModelError.invalidPrefixCopy(count: count, available: source.count, capacity: capacity)
        }
        guard source !== self else { return try truncate(to: count) }
        for layer in 0..<layerCount {
            for head in 0..<kvHeadCount {
                let target = head * capacity * headDim, origin = head * source.capacity * headDim
                (keys(layer: layer) + target).update(from: source.keys(layer: layer) + origin, count: count * headDim)
                (values(layer: layer) + target).update(from: source.values(layer: layer) + origin, count: count * headDim)
            }
        }
        self.count = count
    }

    /// The key block of `layer`: `[kvHeadCount][capacity][headDim]`.
    func keys(layer: Int) -> UnsafeMutablePointer<Float> {
        storage + (2 * layer) * blockSize
    }

    /// The value block of `layer`: `[kvHeadCount][capacity][headDim]`.
    func values(layer: Int) -> UnsafeMutablePointer<Float> {
        storage + (2 * layer + 1) * blockSize
    }

    /// Copies `rowCount` token rows of keys and values (`[rowCount][kvHeadCount × headDim]`) into
    /// `layer` at positions `count ..< count + rowCount`.
    func store(keys: UnsafePointer<Float>, values: UnsafePointer<Float>, rowCount: Int, layer: Int) {
        let keyBlock = self.keys(layer: layer), valueBlock = self.values(layer: layer)
        let rowWidth = kvHeadCount * headDim
        for row in 0..<rowCount {
            for head in 0..<kvHeadCount {
                let source = row * rowWidth + head * headDim
                let target = (head * capacity + count + row) * headDim
                (keyBlock + target).update(from: keys + source, count: headDim)
                (valueBlock + target).update(from: values + source, count: headDim)
            }
        }
    }

    /// Marks `rowCount` more tokens as stored, after every layer has stored them.
    func advance(by rowCount: Int) {
        count += rowCount
    }

    /// True when the cache was made for a model of this shape.
    func fits(_ configuration: Qwen2Configuration) -> Bool {
        layerCount == configuration.numHiddenLayers && kvHeadCount == configuration.numKeyValueHeads
            && headDim == configuration.headDim
    }
}
