import QwenKernels

/// Grouped-query self-attention with rotary positions and a KV cache:
/// `o_proj(softmax(rope(q) · rope(k)ᵀ / √headDim + causal mask) · v)`.
struct Qwen2Attention {
    let layer: Int
    let query: WeightMatrix
    let key: WeightMatrix
    let value: WeightMatrix
    let output: WeightMatrix
    /// The q/k/v biases; nil when the configuration has none (Llama).
    let queryBias: [Float]?
    let keyBias: [Float]?
    let valueBias: [Float]?
    let headCount: Int
    let kvHeadCount: Int
    let headDim: Int
    let scale: Float
    let ropeStyle: RopeStyle
    let arithmetic: ReferenceArithmetic
    /// The sliding window of this layer, nil for full attention.
    let window: Int?

    /// Loads `{prefix}.{q,k,v}_proj.weight` (with `.bias` when the configuration has attention
    /// biases) and `{prefix}.o_proj.weight` of `layer`.
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
        func bias(_ name: String, count: Int) throws -> [Float]? {
            c.attentionBias ? try weights.vector("\(prefix).\(name).bias", count: count) : nil
        }
        queryBias = try bias("q_proj", count: queryWidth)
        keyBias = try bias("k_proj", count: kvWidth)
        valueBias = try bias("v_proj", count: kvWidth)
        ropeStyle = c.ropeStyle
        arithmetic = c.arithmetic
        scale = c.arithmetic == .llamaCpp ? 1 / Float(headDim).squareRoot() : Float(1 / Double(headDim).squareRoot())
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
        Self.linear(x, rowCount: rowCount, weight: query, bias: queryBias, into: q, pool: pool)
        Self.linear(x, rowCount: rowCount, weight: key, bias: keyBias, into: k, pool: pool)
        Self.linear(x, rowCount: rowCount, weight: value, bias: valueBias, into: v, pool: pool)
        RotaryEmbedding.rotate(
            q, rowCount: rowCount, headCount: headCount, headDim: headDim, cos: buffers.cos, sin: buffers.sin,
            style: ropeStyle, arithmetic: arithmetic)
        RotaryEmbedding.rotate(
            k, rowCount: rowCount, headCount: kvHeadCount, headDim: headDim, cos: buffers.cos, sin: buffers.sin,
            style: ropeStyle, arithmetic: arithmetic)
        for segment in segments {
            let cache = segment.cache, first = segment.rows.lowerBound
            cache.store(keys: k + first * kvWidth, values: v + first * kvWidth, rowCount: segment.rows.count, layer: layer)
            Kernels.attention(
                query: q + first * queryWidth, keys: cache.keys(layer: layer), values: cache.values(layer: layer),
                format: cache.precision.rowFormat, capacity: cache.capacity, queryCount: segment.rows.count, startPosition: cache.count,
                headCount: headCount, kvHeadCount: kvHeadCount, headDim: headDim, scale: scale,
                window: window, into: buffers.attention + first * queryWidth, pool: pool)
        }
        Kernels.linear(buffers.attention, rowCount: rowCount, weight: self.output, bias: nil, into: output, pool: pool)
    }

    private static func linear(
        _ x: UnsafePointer<Float>, rowCount: Int, weight: WeightMatrix, bias: [Float]?,
        into y: UnsafeMutablePointer<Float>, pool: ThreadPool
    ) {
        if let bias {
            Kernels.linear(x, rowCount: rowCount, weight: weight, bias: bias, into: y, pool: pool)
        } else {
            Kernels.linear(x, rowCount: rowCount, weight: weight, bias: nil, into: y, pool: pool)
        }
    }
}
