import CQwenKernels

extension Kernels {
    /// The formats a KV cache row can be stored in and ``attention(query:keys:values:format:capacity:queryCount:startPosition:headCount:kvHeadCount:headDim:scale:window:into:pool:path:)``
    /// reads: float32, float16, and ggml's Q8_0 blocks.
    public static let kvRowFormats: Set<WeightFormat> = [.f32, .f16, .q8_0]

    /// Bytes of one cached key or value row of `headDim` values in `format` (one of
    /// ``kvRowFormats``). Float16 and Q8_0 rows are padded with zeros to a multiple of 64 values
    /// (no padding at Qwen2.5's head dimensions, 64 and 128), so any `headDim` works.
    ///
    /// ```swift
    /// Kernels.kvRowByteCount(format: .q8_0, headDim: 64)   // 68: two blocks of 34 bytes
    /// ```
    public static func kvRowByteCount(format: WeightFormat, headDim: Int) -> Int {
        precondition(kvRowFormats.contains(format), "KV rows are f32, f16 or q8_0, not \(format)")
        return qk_kv_row_bytes(format.cFormat, headDim)
    }

    /// Stores `headDim` floats of `x` as one cached row in `format` (one of ``kvRowFormats``),
    /// writing ``kvRowByteCount(format:headDim:)`` bytes: float16 rounds to nearest even; Q8_0
    /// quantizes each block of 32 like ggml (`d = max|x| / 127` kept as float16, `q = round(x / d)`).
    ///
    /// ```swift
    /// Kernels.storeKVRow(key, headDim: 64, format: .q8_0, into: cacheRow)
    /// ```
    public static func storeKVRow(
        _ x: UnsafePointer<Float>, headDim: Int, format: WeightFormat, into row: UnsafeMutableRawPointer
    ) {
        precondition(kvRowFormats.contains(format), "KV rows are f32, f16 or q8_0, not \(format)")
        qk_kv_store_row(format.cFormat, x, headDim, row)
    }
}
