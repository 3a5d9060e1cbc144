import QwenKernels

/// Named model tensors under their Hugging Face names (`model.layers.0.self_attn.q_proj.weight`),
/// wherever they are stored: a safetensors ``WeightStore`` or a ``GGUFWeights``. The matrices
/// handed out stay valid as long as the source.
///
/// ```swift
/// let weights: any WeightSource = try GGUFWeights(file: GGUFFile(url: url))
/// let q = try weights.matrix("model.layers.0.self_attn.q_proj.weight", rows: 896, columns: 896)
/// ```
public protocol WeightSource: AnyObject, Sendable {
    /// True when a tensor called `name` exists.
    func contains(_ name: String) -> Bool
    /// A 2-D tensor of shape `[rows, columns]` (PyTorch `Linear` layout). Throws when it is
    /// missing, has another shape, or has a storage type no kernel runs.
    func matrix(_ name: String, rows: Int, columns: Int) throws -> WeightMatrix
    /// A 1-D tensor of `count` elements as float32. Throws when it is missing or has another shape.
    func vector(_ name: String, count: Int) throws -> [Float]
}

extension WeightStore: WeightSource {}
