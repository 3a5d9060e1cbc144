import QwenKernels

/// One decoder layer: `h = x + attention(norm₁(x)); out = h + mlp(norm₂(h))`, with RMSNorm.
struct Qwen2Block {
    let inputNorm: [Float]
    let attention: Qwen2Attention
    let postAttentionNorm: [Float]
    let mlp: Qwen2MLP
    let epsilon: Float
    let hiddenSize: Int

    /// Loads the weights of `model.layers.{layer}`.
    init(weights: any WeightSource, layer: Int, configuration c: Qwen2Configuration) throws {
        let prefix = "model.layers.\(layer)"
        hiddenSize = c.hiddenSize
        epsilon = Float(c.rmsNormEps)
        inputNorm = try weights.vector("\(prefix).input_layernorm.weight", count: c.hiddenSize)
        attention = try Qwen2Attention(weights: weights, prefix: "\(prefix).self_attn", layer: layer, configuration: c)
        postAttentionNorm = try weights.vector("\(prefix).post_attention_layernorm.weight", count: c.hiddenSize)
        mlp = try Qwen2MLP(weights: weights, prefix: "\(prefix).mlp", configuration: c)
    }

    /// Updates the residual stream `buffers.hidden` (`rowCount` rows, continuing the sequences of
    /// `segments`) in place.
    ///
    /// With `outputRows` (ascending row indices), only those rows leave the layer, as llama.cpp's
    /// last layer does when a pass needs the logits of a few positions: every row still goes
    /// through attention, which fills the caches, then the kept rows move to the front of
    /// `buffers.hidden` and only they go through the MLP. Returns the rows left in `buffers.hidden`.
    func callAsFunction(
        rowCount: Int, segments: [ChunkSegment], buffers: ForwardBuffers, pool: ThreadPool, outputRows: [Int]? = nil
    ) -> Int {
        let h = buffers.hidden
        Kernels.rmsNorm(h, weight: inputNorm, epsilon: epsilon, rowCount: rowCount, dimension: hiddenSize, into: buffers.normed)
        attention(buffers.normed, rowCount: rowCount, segments: segments, into: buffers.sublayer, buffers: buffers, pool: pool)
        Kernels.add(buffers.sublayer, to: h, count: rowCount * hiddenSize)
        var keptCount = rowCount
        if let outputRows, outputRows.count < rowCount {
            for (k, row) in outputRows.enumerated() where row != k {
                (h + k * hiddenSize).update(from: h + row * hiddenSize, count: hiddenSize)
            }
            keptCount = outputRows.count
        }
        guard keptCount > 0 else { return 0 }
        Kernels.rmsNorm(h, weight: postAttentionNorm, epsilon: epsilon, rowCount: keptCount, dimension: hiddenSize, into: buffers.normed)
        mlp(buffers.normed, rowCount: keptCount, into: buffers.sublayer, buffers: buffers, pool: pool)
        Kernels.add(buffers.sublayer, to: h, count: keptCount * hiddenSize)
        return keptCount
    }
}
