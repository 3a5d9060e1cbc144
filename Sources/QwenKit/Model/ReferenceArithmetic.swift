/// Whose float32 arithmetic a model follows where Hugging Face transformers and llama.cpp compute
/// the same quantity differently: the RoPE angles and rotation, and the attention scale. Every
/// other step is shared (llama.cpp's order everywhere, which keeps transformers' results within
/// their tolerances).
///
/// ```swift
/// let arithmetic = try Qwen2Configuration(gguf: GGUFFile(url: ggufURL)).arithmetic  // .llamaCpp
/// ```
public enum ReferenceArithmetic: String, Codable, Sendable {
    /// transformers': angles `position × inverse frequency` from `theta^(2i/d)`, each rotation
    /// product rounded apart, scale `Float(1 / √d)` (checkpoints loaded from safetensors).
    case transformers
    /// llama.cpp's CPU build: angles by repeated multiplication with `powf(theta, -2/d)` from the
    /// position, the rotation with fused multiply-adds, scale `1 / sqrtf(d)` (GGUF files), so that
    /// a GGUF model's logits are those of llama.cpp's AVX2 build bit for bit — on the AVX-512 path too
    /// for quantized weights (its norm, softmax and attention run the AVX2 kernels; its float32 and
    /// float16 matrix products sum 16 lanes, within 1e-3).
    case llamaCpp
}
