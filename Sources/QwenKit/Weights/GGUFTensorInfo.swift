/// Where a tensor of a GGUF file is and how it is stored.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name, e.g. `blk.0.attn_q.weight`.
    public var name: String
    /// The sizes in ggml order: `dimensions[0]` (`ne[0]`) is the row length, the fastest-varying
    /// index. A PyTorch `[out, in]` weight is `[in, out]` here.
    public var dimensions: [Int]
    /// The storage type.
    public var type: GGUFTensorType
    /// The data's offset from the start of the file's data section, as stored.
    public var offset: Int
    /// The data's absolute byte range in the file.
    public var byteRange: Range<Int>

    /// The sizes outermost first, as PyTorch and safetensors write them (`dimensions` reversed).
    public var shape: [Int] { dimensions.reversed() }

    /// The number of values.
    public var elementCount: Int { dimensions.reduce(1, *) }
}
