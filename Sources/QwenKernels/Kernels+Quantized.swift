import CQwenKernels

extension Kernels {
    /// ``linear(_:rowCount:weight:bias:into:pool:path:)`` for block-quantized weights. Up to
    /// ``batchInvariantRowLimit`` rows (decoding), each row of `x` is quantized once to 8-bit blocks
    /// (ggml's Q8_0 rule per 32 values, or Q8_K per 256 for the k-quants) and every output is an
    /// integer dot product per block scaled in float32, as llama.cpp computes it. Prefill (more rows)
    /// rounds the activations the same way, as llama.cpp does in every product: interleaved matrices
    /// share each unpacked block among 4 activation rows (`qk_quant_linear_prefill`, 1.8–3.7× the
    /// dequantized float32 panels it replaced on AVX2), and row-major ones (Q4_1, or rows not a
    /// multiple of 8) run decoding's kernels, so their rows come out bit for bit as decoded alone.
    static func quantizedLinear(
        _ x: UnsafePointer<Float>, rowCount: Int, weight: WeightMatrix, bias: UnsafePointer<Float>?,
        into y: UnsafeMutablePointer<Float>, pool: ThreadPool, path: KernelPath
    ) {
        let matrix = weight.cMatrix
        let prefill = rowCount > batchInvariantRowLimit
        let stride = qk_quant_activation_bytes(matrix.format, weight.columns)
        withUnsafeTemporaryAllocation(byteCount: max(stride * rowCount, 1), alignment: 64) { buffer in
            guard let xq = buffer.baseAddress else { return }
            // Prefill's rows are quantized on every core (on one, it took 6 % of a 512-token prefill).
            let values = rowCount * weight.columns
            pool.parallelFor(rowCount, chunkCount: values < parallelThreshold ? 1 : min(rowCount, pool.threadCount)) { rows, _ in
                for m in rows {
                    qk_quantize_activation(path.isa, matrix.format, x + m * weight.columns, weight.columns, xq + m * stride)
                }
            }
            let blocks = (weight.rows + rowBlock - 1) / rowBlock
            let work = rowCount * weight.rows * weight.columns
            let chunkCount = work < parallelThreshold ? 1 : min(blocks, pool.threadCount)
            pool.parallelFor(blocks, chunkCount: chunkCount) { range, _ in
                let begin = range.lowerBound * rowBlock
                let end = min(range.upperBound * rowBlock, weight.rows)
                if prefill {
                    qk_quant_linear_prefill(path.isa, xq, rowCount, matrix, bias, begin, end, y)
                } else {
                    qk_quant_linear(path.isa, xq, rowCount, matrix, bias, begin, end, y)
                }
            }
        }
    }
}
