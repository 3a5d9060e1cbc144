/// The network family a configuration describes (`model_type` in `config.json`,
/// `general.architecture` in GGUF). Both run through ``Qwen2Model``: a Llama block is a Qwen2
/// block without q/k/v biases.
///
/// ```swift
/// let config = try Qwen2Configuration(gguf: GGUFFile(url: smolLMURL))
/// config.architecture  // .llama
/// ```
public enum ModelArchitecture: String, Codable, Sendable, CaseIterable {
    /// Qwen2 / Qwen2.5: biases on the q/k/v projections.
    case qwen2
    /// Llama (SmolLM2 and others): projections without biases unless `attention_bias` says so.
    case llama
}
