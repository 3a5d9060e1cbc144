import ArgumentParser
import QwenKit

/// How a model is loaded: threads, context length and KV cache precision, shared by every command that loads a
/// `LanguageModel` (generate, chat, serve).
struct ModelLoadOptions: ParsableArguments {
    @Option(help: "Threads to run on (default: the physical cores).")
    var threads: Int?

    @Option(name: .customLong("context-length"), help: "Tokens the context holds (default: the model's, capped by memory).")
    var contextLength: Int?

    @OptionGroup var kvCache: KVCacheOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let contextLength, contextLength < 1 { throw ValidationError("--context-length must be at least 1") }
    }

    /// Loads `model` (a path or a cached Hub id) with these options, showing a bar on a terminal
    /// when loading is slow.
    func load(model: String) throws -> LanguageModel {
        try LoadProgressBar.showing {
            try LanguageModel(
                path: model, threadCount: threads, contextLength: contextLength, cachePrecision: kvCache.precision,
                progress: $0)
        }
    }
}
