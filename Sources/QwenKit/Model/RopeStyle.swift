/// Which elements of a head vector rotary embedding rotates together.
///
/// ```swift
/// let style = try Qwen2Configuration(gguf: GGUFFile(url: smolLMURL)).ropeStyle  // .interleaved
/// ```
public enum RopeStyle: String, Codable, Sendable {
    /// Element `i` with element `i + headDim/2` (transformers' `rotate_half`; llama.cpp's NEOX).
    case halves
    /// Element `2i` with element `2i + 1` (llama.cpp's "normal" RoPE). llama.cpp's converter
    /// permutes the q/k rows of Llama models so that this pairing on the GGUF weights equals
    /// ``halves`` on the Hugging Face ones.
    case interleaved
}
