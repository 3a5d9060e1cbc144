import QwenKernels

/// The feed-forward sublayer: `down(silu(gate(x)) · up(x))`.
struct Qwen2MLP {
    let gate: WeightMatrix
    let up: WeightMatrix
    let down: WeightMatrix

    /// Loads `{prefix}.{gate,up,down}_proj.weight`.
    init(weights: any WeightSource, prefix: String, configuration c: Qwen2Configuration) throws {
        gate = try weights.matrix("\(prefix).gate_proj.weight", rows: c.intermediateSize, columns: c.hiddenSize)
        up = try weights.matrix("\(prefix).up_proj.weight", rows: c.intermediateSize, columns: c.hiddenSize)
        down = try weights.matrix("\(prefix).down_proj.weight", rows: c.hiddenSize, columns: c.intermediateSize)
    }

    /// Writes the MLP of `rowCount` rows of `x` to `output`.
    func callAsFunction(
        _ x: UnsafePointer<Float>, rowCount: Int, into output: UnsafeMutablePointer<Float>,
        buffers: ForwardBuffers, pool: ThreadPool
    ) {
        Kernels.linear(x, rowCount: rowCount, weight: gate, bias: nil, into: buffers.gate, pool: pool)
        Kernels.linear(x, rowCount: rowCount, weight: up, bias: nil, into: buffers.up, pool: pool)
        Kernels.siluMultiply(gate: buffers.gate, up: buffers.up, count: rowCount * gate.rows)
        Kernels.linear(buffers.gate, rowCount: rowCount, weight: down, bias: nil, into: output, pool: pool)
    }
}
