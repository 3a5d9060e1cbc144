import CQwenKernels

extension Kernels {
    /// ``linear(_:rowCount:weight:bias:into:pool:path:)`` for block-quantized weights. Up to
    /// ``batchInvariantRowLimit`` rows (decoding), each row of `x` is quantized once to 8-bit blocks
    /// (ggml's Q8_0 rule per 32 values, or Q8_K per 256 for the k-quants) and every output is an
    /// integer dot product per block scaled in float32, as llama.cpp computes it. For more rows
    /// (prefill), panels of weight rows are dequantized and multiplied in float32 with `x` as it is —
    /// except for interleaved Q4_0, whose integer kernel outruns float32 at any row count (one
    /// thread, 4864 × 896, AVX2: 53 µs per row in fours against about 110 µs in float32) and keeps
    /// prefill in decoding's arithmetic.
    static func quantizedLinear(
        _ x: UnsafePointer<Float>, rowCount: Int, weight: WeightMatrix, bias: UnsafePointer<Float>?,
        into y: UnsafeMutablePointer<Float>, pool: ThreadPool, path: KernelPath
    ) {
        if rowCount > batchInvariantRowLimit && !(weight.isInterleaved && weight.format == .q4_0) {
            return dequantizedLinear(x, rowCount: rowCount, weight: weight, bias: bias, into: y, pool: pool, path: path)
        }
        let matrix = weight.cMatrix
        let stride = qk_quant_activation_bytes(matrix.format, weight.columns)
        withUnsafeTemporaryAllocation(byteCount: max(stride * rowCount, 1), alignment: 64) { buffer in
            guard let xq = buffer.baseAddress else { return }
            for m in 0..<rowCount {
                qk_quantize_activation(matrix.format, x + m * weight.columns, weight.columns, xq + m * stride)
            }
            let blocks = (weight.rows + rowBlock - 1) / rowBlock
            let work = rowCount * weight.rows * weight.columns
            let chunkCount = work < parallelThreshold ? 1 : min(blocks, pool.threadCount)
            pool.parallelFor(blocks, chunkCount: chunkCount) { range, _ in
                let begin = range.lowerBound * rowBlock
                let end = min(range.upperBound * rowBlock, weight.rows)
                qk_quant_linear(path.isa, xq, rowCount, matrix, bias, begin, end, y)
            }
        }
    }

    private static func dequantizedLinear(
        _ x: UnsafePointer<Float>, rowCount: Int, weight: WeightMatrix, bias: UnsafePointer<Float>?,
        into y: UnsafeMutablePointer<Float>, pool: ThreadPool, path: KernelPath
    ) {
        let matrix = weight.cMatrix
        let blocks = (weight.rows + rowBlock - 1) / rowBlock
        let chunkCount = min(blocks, pool.threadCount)
        pool.withScratch(floatsPerWorker: rowBlock * weight.columns) { scratch, stride in
            pool.run(blocks, chunkCount: chunkCount) { range, worker in
                let begin = range.lowerBound * rowBlock
                let end = min(range.upperBound * rowBlock, weight.rows)
                qk_quant_linear_dequantized(path.isa, x, rowCount, matrix, bias, begin, end, y, scratch + worker * stride, rowBlock)
            }
        }
    }
}
