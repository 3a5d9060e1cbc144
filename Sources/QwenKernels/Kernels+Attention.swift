import CQwenKernels

extension Kernels {
    /// Causal grouped-query attention of `queryCount` new tokens at positions
    /// `startPosition..<startPosition + queryCount`, like PyTorch's scaled dot-product
    /// attention in float32.
    ///
    /// Query head `h` reads kv head `h / (headCount / kvHeadCount)`. The token at position `p`
    /// attends to positions `max(0, p - window + 1)...p` (all earlier positions when `window`
    /// is `nil`; a window below 1 counts as `nil`). Scores are `scale · q·k` (`scale` is
    /// normally `1 / sqrt(headDim)`).
    /// Scratch memory (scores of one kv head's query heads) lives in `pool`, so calls allocate
    /// only when `capacity` grows.
    ///
    /// Keys and values are read in the format they are stored in (see ``storeKVRow(_:headDim:format:into:)``):
    /// float16 and Q8_0 rows are converted in registers, never into temporary arrays.
    ///
    /// - Parameters:
    ///   - query: `[queryCount, headCount, headDim]`.
    ///   - keys: one layer's key cache, `[kvHeadCount][capacity]` rows of
    ///     ``kvRowByteCount(format:headDim:)`` bytes; positions `0..<startPosition + queryCount`
    ///     are filled.
    ///   - values: the value cache, laid out like `keys`.
    ///   - format: the row format of `keys` and `values`, one of ``kvRowFormats``.
    ///   - output: `[queryCount, headCount, headDim]`; must not overlap the inputs.
    ///
    /// ```swift
    /// Kernels.attention(query: q, keys: cache.keys(layer), values: cache.values(layer), format: .f16,
    ///                   capacity: cache.capacity, queryCount: 1, startPosition: position,
    ///                   headCount: 14, kvHeadCount: 2, headDim: 64, scale: 0.125,
    ///                   window: nil, into: out, pool: pool)
    /// ```
    public static func attention(
        query: UnsafePointer<Float>, keys: UnsafeRawPointer, values: UnsafeRawPointer, format: WeightFormat = .f32,
        capacity: Int, queryCount: Int, startPosition: Int, headCount: Int, kvHeadCount: Int,
        headDim: Int, scale: Float, window: Int?, into output: UnsafeMutablePointer<Float>,
        pool: ThreadPool, path: KernelPath = .best
    ) {
        precondition(kvRowFormats.contains(format), "attention reads f32, f16 or q8_0 rows, not \(format)")
        guard queryCount > 0, headCount > 0, kvHeadCount > 0 else { return }
        let shape = qk_attention_shape(
            query: query, keys: keys, values: values, kv_format: format.cFormat, output: output, capacity: capacity,
            query_count: queryCount, start_position: startPosition, head_count: headCount,
            kv_head_count: kvHeadCount, head_dim: headDim, window: max(window ?? 0, 0), scale: scale)
        let tasks = queryCount * kvHeadCount
        let work = queryCount * headCount * (startPosition + queryCount) * headDim
        let chunkCount = work < parallelThreshold ? 1 : min(tasks, pool.threadCount * 4)
        let group = headCount / kvHeadCount
        withUnsafePointer(to: shape) { shape in
            pool.withScratch(floatsPerWorker: group * max(capacity, startPosition + queryCount)) { scratch, stride in
                pool.run(tasks, chunkCount: chunkCount) { range, worker in
                    qk_attention(path.isa, shape, range.lowerBound, range.upperBound, scratch + worker * stride)
                }
            }
        }
    }
}
