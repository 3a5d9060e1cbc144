import CQwenKernels

/// The numeric kernels of a Qwen2 forward pass, on row-major float32 activations.
///
/// Each kernel runs on the fastest instruction set of the CPU (``KernelPath/best``) unless a
/// `path` is given. Weights in float16 or bfloat16 are converted exactly to float32 and every
/// product is accumulated in float32, so results match a float32 PyTorch model up to
/// summation order.
///
/// ```swift
/// let pool = ThreadPool(threadCount: ThreadPool.defaultThreadCount)
/// Kernels.rmsNorm(hidden, weight: normWeight, epsilon: 1e-6, rowCount: 1, dimension: 896, into: normed)
/// Kernels.linear(normed, rowCount: 1, weight: qProjection, bias: qBias, into: query, pool: pool)
/// ```
public enum Kernels {
    /// Rows of `W` a thread handles together; chunks of work are whole blocks.
    static let rowBlock = 32
    /// Multiply-adds below which a call runs on the calling thread alone.
    static let parallelThreshold = 1 << 15

    /// Activation rows up to which ``linear(_:rowCount:weight:bias:into:pool:path:)`` computes
    /// every row bit for bit as it would compute that row alone, in any weight format and on any
    /// number of threads: the decoding kernels. Batched decoding of up to this many sequences per
    /// call therefore returns exactly what decoding each alone returns. More rows take the
    /// matrix-matrix (prefill) kernels, which sum in another order.
    public static let batchInvariantRowLimit = Int(QK_ROW_KERNEL_LIMIT)

    /// `y[m, r] = Σ_c x[m, c] · W[r, c] (+ bias[r])` for `m` in `0..<rowCount`: a PyTorch
    /// `Linear` layer applied to `rowCount` rows. Up to ``batchInvariantRowLimit`` rows, each row's
    /// result is independent of the others.
    ///
    /// - Parameters:
    ///   - x: `[rowCount, weight.columns]` activations.
    ///   - weight: `[rows, columns]` weights in any ``WeightFormat``.
    ///   - bias: `weight.rows` floats, or `nil`.
    ///   - y: `[rowCount, weight.rows]` output; must not overlap `x`.
    ///   - pool: threads that split the output rows.
    ///   - path: instruction set to run on (tests compare paths; callers keep the default).
    public static func linear(
        _ x: UnsafePointer<Float>, rowCount: Int, weight: WeightMatrix, bias: UnsafePointer<Float>?,
        into y: UnsafeMutablePointer<Float>, pool: ThreadPool, path: KernelPath = .best
    ) {
        guard rowCount > 0, weight.rows > 0 else { return }
        if weight.format.isQuantized {
            return quantizedLinear(x, rowCount: rowCount, weight: weight, bias: bias, into: y, pool: pool, path: path)
        }
        let matrix = weight.cMatrix
        let blocks = (weight.rows + rowBlock - 1) / rowBlock
        let work = rowCount * weight.rows * weight.columns
        // Prefill takes finer chunks: on a shared host one thread often runs slower than the other,
        // and what it has claimed last is what the call waits for.
        let chunksPerThread = rowCount > batchInvariantRowLimit ? 16 : 4
        let chunkCount = work < parallelThreshold ? 1 : min(blocks, pool.threadCount * chunksPerThread)
        pool.parallelFor(blocks, chunkCount: chunkCount) { range, _ in
            let begin = range.lowerBound * rowBlock
            let end = min(range.upperBound * rowBlock, weight.rows)
            qk_linear(path.isa, x, rowCount, matrix, bias, begin, end, y)
        }
    }

    /// Copies row `row` of `weight`, converted to float32, into `y` (`weight.columns` floats):
    /// an embedding lookup.
    public static func row(_ row: Int, of weight: WeightMatrix, into y: UnsafeMutablePointer<Float>, path: KernelPath = .best) {
        if weight.format.isQuantized { return qk_quant_matrix_row(weight.cMatrix, row, y) }
        qk_matrix_row(path.isa, weight.cMatrix, row, y)
    }

    /// RMS normalization of each of `rowCount` rows of `dimension` floats:
    /// `y = x / sqrt(mean(x²) + epsilon) * weight`. `y` may be `x` (in place).
    public static func rmsNorm(
        _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, epsilon: Float, rowCount: Int,
        dimension: Int, into y: UnsafeMutablePointer<Float>, path: KernelPath = .best
    ) {
        for m in 0..<rowCount {
            qk_rms_norm(path.isa, x + m * dimension, weight, epsilon, dimension, y + m * dimension)
        }
    }

    /// The SwiGLU activation in place: `gate[i] = silu(gate[i]) * up[i]`, `silu(g) = g / (1 + e^-g)`.
    public static func siluMultiply(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int, path: KernelPath = .best) {
        qk_silu_multiply(path.isa, gate, up, count)
    }

    /// The residual connection: `x[i] += y[i]`.
    public static func add(_ y: UnsafePointer<Float>, to x: UnsafeMutablePointer<Float>, count: Int, path: KernelPath = .best) {
        qk_add(path.isa, y, x, count)
    }

    /// Softmax in place: `x[i] = exp(x[i] - max) / Σ_j exp(x[j] - max)`.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int, path: KernelPath = .best) {
        qk_softmax(path.isa, x, count)
    }
}
