import Foundation
import QwenKernels

/// The keys and values a model has computed for the tokens of one sequence, so each new token
/// attends to the earlier ones without recomputing them.
///
/// Keys and values are stored in the cache's ``precision`` (float32 by default), one block per
/// layer for keys and one for values, each head-major: `[kvHeadCount][capacity]` rows of
/// `headDim` values. The memory is reserved up front but the operating system
/// only commits the pages that tokens actually fill, so a large capacity costs address space, not
/// resident memory. Several caches can be used with one model (one per sequence).
///
/// ```swift
/// let cache = try model.makeCache(contextLength: 4096, precision: .f16)
/// let logits = try model.forward(promptIDs, cache: cache)
/// cache.reset()   // reuse for another sequence
/// ```
public final class KVCache: @unchecked Sendable {
    /// The number of tokens the cache can hold.
    public let capacity: Int
    /// The number of tokens stored: the position of the next token.
    public private(set) var count: Int = 0
    /// How keys and values are stored.
    public let precision: KVCachePrecision

    let layerCount: Int
    let kvHeadCount: Int
    let headDim: Int
    /// Bytes of one key or value row (`headDim` values in ``precision``).
    private let rowBytes: Int
    /// Bytes of one layer's keys (or values): `kvHeadCount × capacity` rows.
    private let blockBytes: Int
    private let storage: UnsafeMutableRawPointer

    /// A cache for `contextLength` tokens of a model with `configuration`, storing keys and values
    /// in `precision`; by default ``defaultContextLength(for:precision:memoryBudget:)`` tokens.
    /// Throws ``ModelError/invalidContextLength(_:)`` when the length is below 1.
    public init(configuration: Qwen2Configuration, contextLength: Int? = nil, precision: KVCachePrecision = .f32) throws {
        let length = contextLength ?? Self.defaultContextLength(for: configuration, precision: precision)
        guard length >= 1 else { throw ModelError.invalidContextLength(length) }
        capacity = length
        self.precision = precision
        layerCount = configuration.numHiddenLayers
        kvHeadCount = configuration.numKeyValueHeads
        headDim = configuration.headDim
        rowBytes = precision.rowByteCount(headDim: headDim)
        let (block, blockOverflow) = kvHeadCount.multipliedReportingOverflow(by: rowBytes)
        let (size, sizeOverflow) = block.multipliedReportingOverflow(by: length)
        let (total, totalOverflow) = size.multipliedReportingOverflow(by: 2 * layerCount)
        guard !blockOverflow, !sizeOverflow, !totalOverflow else {
            throw ModelError.invalidContextLength(length)
        }
        blockBytes = size
        storage = .allocate(byteCount: max(total, 1), alignment: 64)
    }

    deinit {
        storage.deallocate()
    }

    /// Bytes one token takes in a cache of `precision` for `configuration` (keys and values of
    /// every layer).
    public static func bytesPerToken(for configuration: Qwen2Configuration, precision: KVCachePrecision = .f32) -> Int {
        2 * configuration.numHiddenLayers * configuration.numKeyValueHeads
            * precision.rowByteCount(headDim: configuration.headDim)
    }

    /// The model's `max_position_embeddings`, lowered so that a cache of `precision` fits in
    /// `memoryBudget` bytes (by default a quarter of the physical memory).
    public static func defaultContextLength(
        for configuration: Qwen2Configuration, precision: KVCachePrecision = .f32,
        memoryBudget: Int = Int(clamping: ProcessInfo.processInfo.physicalMemory / 4)
    ) -> Int {
        let affordable = memoryBudget / max(bytesPerToken(for: configuration, precision: precision), 1)
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
    /// same shape and precision: a copy of their keys and values, much cheaper than recomputing a
    /// shared prompt prefix. Throws ``ModelError/cacheShapeMismatch`` for another shape,
    /// ``ModelError/cachePrecisionMismatch(source:target:)`` for another precision, and
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
        guard source.precision == precision else {
            throw ModelError.cachePrecisionMismatch(source: source.precision, target: precision)
        }
        guard count >= 0, count <= source.count, count <= capacity else {
            throw ModelError.invalidPrefixCopy(count: count, available: source.count, capacity: capacity)
        }
        guard source !== self else { return try truncate(to: count) }
        for layer in 0..<layerCount {
            for head in 0..<kvHeadCount {
                let target = head * capacity * rowBytes, origin = head * source.capacity * rowBytes
                (keys(layer: layer) + target).copyMemory(from: source.keys(layer: layer) + origin, byteCount: count * rowBytes)
                (values(layer: layer) + target).copyMemory(
                    from: source.values(layer: layer) + origin, byteCount: count * rowBytes)
            }
        }
        self.count = count
    }

    /// The key block of `layer`: `[kvHeadCount][capacity]` rows of `headDim` values in ``precision``.
    func keys(layer: Int) -> UnsafeMutableRawPointer {
        storage + (2 * layer) * blockBytes
    }

    /// The value block of `layer`, laid out like its keys.
    func values(layer: Int) -> UnsafeMutableRawPointer {
        storage + (2 * layer + 1) * blockBytes
    }

    /// Stores `rowCount` token rows of float32 keys and values (`[rowCount][kvHeadCount × headDim]`)
    /// in ``precision`` into `layer` at positions `count ..< count + rowCount`.
    func store(keys: UnsafePointer<Float>, values: UnsafePointer<Float>, rowCount: Int, layer: Int) {
        let keyBlock = self.keys(layer: layer), valueBlock = self.values(layer: layer)
        let rowWidth = kvHeadCount * headDim, format = precision.rowFormat
        for row in 0..<rowCount {
            for head in 0..<kvHeadCount {
                let source = row * rowWidth + head * headDim
                let target = (head * capacity + count + row) * rowBytes
                Kernels.storeKVRow(keys + source, headDim: headDim, format: format, into: keyBlock + target)
                Kernels.storeKVRow(values + source, headDim: headDim, format: format, into: valueBlock + target)
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
