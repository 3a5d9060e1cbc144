/// One tensor listed in a safetensors header.
public struct TensorInfo: Sendable, Equatable {
    /// The tensor's name, e.g. `model.layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// The element type.
    public let dtype: TensorDType
    /// Dimensions, outermost first (PyTorch order).
    public let shape: [Int]
    /// Where the tensor's bytes are, as absolute offsets in the file.
    public let byteRange: Range<Int>

    /// Describes a tensor; ``SafetensorsFile`` makes these from a validated header.
    public init(name: String, dtype: TensorDType, shape: [Int], byteRange: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.byteRange = byteRange
    }

    /// The number of elements (the product of `shape`; 1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}
