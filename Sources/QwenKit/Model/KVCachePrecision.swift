import QwenKernels

/// How a ``KVCache`` stores keys and values: the trade between memory (and the bandwidth
/// attention spends reading it) and exactness.
///
/// ``f32`` reproduces a float32 PyTorch model; ``f16`` halves the cache; ``q8_0`` takes 34 bytes
/// per 32 values (ggml's Q8_0 blocks: a float16 scale and 32 int8), a bit over a quarter.
/// Attention reads each precision as stored, converting in registers.
///
/// ```swift
/// let precision = KVCachePrecision(rawValue: "q8_0")!   // as `qwen --kv-cache-type q8_0`
/// let cache = try model.makeCache(contextLength: 4096, precision: precision)
/// ```
public enum KVCachePrecision: String, Sendable, CaseIterable {
    /// float32: exact.
    case f32
    /// float16, rounded to nearest even.
    case f16
    /// Blocks of 32 values quantized to int8 with a float16 scale `max|x| / 127`.
    case q8_0

    /// The row format the kernels store and read.
    var rowFormat: WeightFormat {
        switch self {
        case .f32: .f32
        case .f16: .f16
        case .q8_0: .q8_0
        }
    }

    /// Bytes of one key or value row of `headDim` values (float16 and Q8_0 rows are padded to a
    /// multiple of 64 values).
    func rowByteCount(headDim: Int) -> Int {
        Kernels.kvRowByteCount(format: rowFormat, headDim: headDim)
    }
}
