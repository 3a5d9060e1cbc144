/// Scratch matrices for one forward pass over up to `rowCapacity` token rows, allocated once
/// and reused so that decoding allocates nothing per token. All are row-major float32.
final class ForwardBuffers {
    /// Rows the buffers hold; longer inputs are processed in chunks of at most this many tokens.
    private(set) var rowCapacity = 0
    /// The residual stream `[rows][hidden]`.
    private(set) var hidden = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// A normalized copy of the residual stream `[rows][hidden]`.
    private(set) var normed = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// The output of an attention or MLP sublayer `[rows][hidden]`.
    private(set) var sublayer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// Queries `[rows][heads × headDim]`.
    private(set) var query = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// Attention output before `o_proj` `[rows][heads × headDim]`.
    private(set) var attention = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// Keys of the new rows `[rows][kvHeads × headDim]` before they enter the cache.
    private(set) var key = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// Values of the new rows `[rows][kvHeads × headDim]` before they enter the cache.
    private(set) var value = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// MLP gate projection `[rows][intermediate]`, then `silu(gate) · up`.
    private(set) var gate = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// MLP up projection `[rows][intermediate]`.
    private(set) var up = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// RoPE cosines `[rows][headDim / 2]`.
    private(set) var cos = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// RoPE sines `[rows][headDim / 2]`.
    private(set) var sin = UnsafeMutablePointer<Float>.allocate(capacity: 1)

    /// The sequences the rows of the current chunk belong to (kept to reuse its storage).
    var segments: [ChunkSegment] = []
    /// The rows of the current chunk whose logits the pass returns (kept to reuse its storage).
    var outputRows: [Int] = []

    private let configuration: Qwen2Configuration

    init(configuration: Qwen2Configuration) {
        self.configuration = configuration
    }

    deinit {
        for pointer in all { pointer.deallocate() }
    }

    private var all: [UnsafeMutablePointer<Float>] {
        [hidden, normed, sublayer, query, attention, key, value, gate, up, cos, sin]
    }

    /// Makes room for `rows` rows; never shrinks.
    func reserve(rows: Int) {
        guard rows > rowCapacity else { return }
        for pointer in all { pointer.deallocate() }
        let c = configuration
        func matrix(_ columns: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * columns, 1))
            pointer.initialize(repeating: 0, count: max(rows * columns, 1))
            return pointer
        }
        hidden = matrix(c.hiddenSize)
        normed = matrix(c.hiddenSize)
        sublayer = matrix(c.hiddenSize)
        query = matrix(c.numAttentionHeads * c.headDim)
        attention = matrix(c.numAttentionHeads * c.headDim)
        key = matrix(c.numKeyValueHeads * c.headDim)
        value = matrix(c.numKeyValueHeads * c.headDim)
        gate = matrix(c.intermediateSize)
        up = matrix(c.intermediateSize)
        cos = matrix(c.headDim / 2)
        sin = matrix(c.headDim / 2)
        rowCapacity = rows
    }
}
