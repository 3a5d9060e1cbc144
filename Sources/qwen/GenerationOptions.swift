import ArgumentParser
import QwenKit

/// Sampling and runtime flags shared by `qwen generate` and `qwen chat` (each declares its own
/// `--model`). A sampling flag left out takes the value of the model's `generation_config.json`.
struct GenerationOptions: ParsableArguments {
    @Option(name: .customLong("max-tokens"), help: "The most tokens to generate.")
    var maxTokens: Int = 512

    @Option(help: "Sampling temperature; 0 always takes the most likely token.")
    var temperature: Float?

    @Option(name: .customLong("top-k"), help: "Keep only the K most likely tokens (0 = off).")
    var topK: Int?

    @Option(name: .customLong("top-p"), help: "Keep the most likely tokens up to this total probability (1 = off).")
    var topP: Float?

    @Option(name: .customLong("min-p"), help: "Drop tokens less likely than this fraction of the most likely one.")
    var minP: Float?

    @Option(name: .customLong("repetition-penalty"), help: "Penalty for tokens already seen (1 = off).")
    var repetitionPenalty: Float?

    @Option(name: .customLong("presence-penalty"), help: "OpenAI presence penalty, -2...2.")
    var presencePenalty: Float?

    @Option(name: .customLong("frequency-penalty"), help: "OpenAI frequency penalty, -2...2.")
    var frequencyPenalty: Float?

    @Option(help: "Random seed: the same seed gives the same output.")
    var seed: UInt64?

    @Option(help: "Stop when this text is generated (repeatable); it is not printed.")
    var stop: [String] = []

    @OptionGroup var loading: ModelLoadOptions

    func validate() throws {
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
    }

    /// Loads `model` (a path or a cached Hub id); see ``ModelLoadOptions/load(model:)``.
    func load(model: String) throws -> LanguageModel {
        try loading.load(model: model)
    }

    /// The model's defaults overridden by the flags given.
    func parameters(for model: LanguageModel) -> SamplingParameters {
        var p = model.defaultParameters
        if let temperature { p.temperature = temperature }
        if let topK { p.topK = topK }
        if let topP { p.topP = topP }
        if let minP { p.minP = minP }
        if let repetitionPenalty { p.repetitionPenalty = repetitionPenalty }
        if let presencePenalty { p.presencePenalty = presencePenalty }
        if let frequencyPenalty { p.frequencyPenalty = frequencyPenalty }
        if let seed { p.seed = seed }
        p.maxTokens = maxTokens
        p.stopStrings = stop
        return p
    }
}
