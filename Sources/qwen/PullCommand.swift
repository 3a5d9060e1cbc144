import ArgumentParser
import Foundation
import QwenKit

/// `qwen pull`: downloads a model from the Hugging Face Hub into the Hugging Face cache.
///
/// ```sh
/// qwen pull Qwen/Qwen2.5-0.5B-Instruct
/// qwen pull Qwen/Qwen2.5-1.5B-Instruct-GGUF:q4_k_m
/// ```
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download a model from the Hugging Face Hub into the Hugging Face cache.",
        discussion: """
            Downloads only what inference needs (config, generation config, tokenizer files, weights
            and their index), several files at once, into the cache huggingface_hub uses (HF_HOME,
            HF_HUB_CACHE), so Python tools and qwen share downloads. An interrupted download resumes
            where it stopped; weights are checked against the Hub's sha256. Prints the model's local
            path on stdout. Honours HF_ENDPOINT, HF_TOKEN (private and gated models) and HF_HUB_OFFLINE.

            Examples:
              qwen pull Qwen/Qwen2.5-0.5B-Instruct
              qwen pull Qwen/Qwen2.5-1.5B-Instruct-GGUF:q4_k_m
              qwen pull Qwen/Qwen2.5-0.5B-Instruct@main
            """)

    @Argument(help: "A Hub model id: ORG/NAME[@REVISION][:QUANT], e.g. Qwen/Qwen2.5-0.5B-Instruct.")
    var model: String

    @Flag(help: "Print no progress, only the model's path.")
    var quiet = false

    func run() async throws {
        let id = try HubModelID(parsing: model)
        let progress = quiet ? nil : ProgressBar()
        let location = try await ModelDownloader().download(id) { event in progress?.handle(event) }
        progress?.finish()
        StandardStreams.write(location.url.path + "\n")
    }
}
