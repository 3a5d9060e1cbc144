import QwenKernels

/// Grouped-query self-attention with rotary positions and a KV cache:
/// `o_proj(softmax(rope(q) · rope(k)ᵀ / √headDim + causal mask) · v)`.
struct Qwen2Attention {
    let layer: Int
    let query: WeightMatrix
    let key: WeightMatrix
    let value: WeightMatrix
    let output: WeightMatrix
    let queryBias: [Float]
    let keyBias: [Float]
    let valueBias: [Float]
    let headCount: Int
    let kvHeadCount: Int
    let headDim: Int
    let scale: Float
    /// The sliding window of this layer, nil for full attention.
    let window: Int?

    /// Loads `{prefix}.{q,k,v}_proj.{weight,bias}` and `{prefix}.o_proj.weight` of `layer`.
    init(weights: any WeightSource, prefix: String, layer: Int, configuration c: Qwen2Configuration) throws {
        self.layer = layer
        headCount = c.numAttentionHeads
        kvHeadCount = c.numKeyValueHeads
        headDim = c.headDim
        let queryWidth = headCount * headDim, kvWidth = kvHeadCount * headDim
        query = try weights.matrix("\(prefix).q_proj.weight", rows: queryWidth, columns: c.hiddenSize)
        key = try weights.matrix("\(prefix).k_proj.weight", rows: kvWidth, columns: c.hiddenSize)
        value = try weights.matrix("\(prefix).v_proj.weight", rows: kvWidth, columns: c.hiddenSize)
        output = try weights.matrix("\(prefix).o_proj.weight", rows: c.hiddenSize, columns: queryWidth)
        queryBias = try weights.vector("\(prefix).q_proj.bias", count: queryWidth)
        keyBias = try weights.vector("\(prefix).k_proj.bias", count: kvWidth)
        valueBias = try weights.vector("\(prefix).v_proj.bias", count: kvWidth)
        scale = Float(1 / Double(headDim).squareRoot())
        window = c.slidingWindow(forLayer: layer)
    }

    /// Attends the `rowCount` rows of `x` to the tokens before them in their sequences: stores
    /// each segment's keys and values in its cache, then writes the result to `output`.
    /// `buffers.cos`/`buffers.sin` must hold the RoPE tables of each row's position.
    func callAsFunction(
        _ x: UnsafePointer<Float>, rowCount: Int, segments: [ChunkSegment],
        into output: UnsafeMutablePointer<Float>, buffers: ForwardBuffers, pool: ThreadPool
    ) {
        let q = buffers.query, k = buffers.key, v = buffers.value
        let queryWidth = headCount * headDim, kvWidth = kvHeadCount * headDim
        Kernels.linear(x, rowCount: rowCount, weight: query, bias: queryBias, into: q, pool: pool)
        Kernels.linear(x, rowCount: rowCount, weight: key, bias: keyBias, into: k, pool: pool)
        Kernels.linear(x, rowCount: rowCount, weight: value, bias: valueBias, into: v, pool: pool)
        RotaryEmbedding.rotate(q, rowCount: rowCount, headCount: headCount, headDim: headDim, cos: buffers.cos, sin: buffers.sin)
        RotaryEmbedding.rotate(k, rowCount: rowCount, headCount: kvHeadCount, headDim: headDim, cos: buffers.cos, sin: buffers.sin)
        for segment in segments {
            let cache = segment.cache, first = segment.rows.lowerBound
            cache.store(keys: k + first * kvWidth, values: v + first * kvWidth, rowCount: segment.rows.count, layer: layer)
            Kernels.attention(
                query: q + first * queryWidth, keys: cache.keys(layer: layer), values: cache.values(layer: layer),
                capacity: cache.capacity, queryCount: segment.rows.count, startPosition: cache.count,
                headCount: headCount, kvHeadCount: kvHeadCount, headDim: headDim, scale: scale,
                window: window, into: buffers.attention + first * queryWidth, pool: pool)
        }
        Kernels.linear(buffers.attention, rowCount: rowCount, weight: self.output, bias: nil, into: output, pool: pool)
    }
}
