import ArgumentParser
import Foundation
import QwenKit

/// `qwen generate`: one completion for a prompt, streamed to stdout or as one JSON object.
///
/// ```sh
/// qwen generate --model ./Qwen2.5-0.5B-Instruct --prompt "Who founded Alibaba?" --max-tokens 64
/// qwen generate --model ./tiny-qwen2.5 --prompt "Hello" --raw --temperature 0 --json
/// ```
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a completion for a prompt.",
        discussion: """
            Without --raw the prompt is sent as one user turn through the model's chat template.
            Sampling flags left out take the values of the model's generation_config.json.

            Examples:
              qwen generate --model ./Qwen2.5-0.5B-Instruct --prompt "Who founded Alibaba?"
              qwen generate --model ./Qwen2.5-0.5B-Instruct --prompt "Once upon a time" \\
                --raw --temperature 0 --json
            """)

    @Option(help: "A model directory, a .gguf file, or a Hub id (ORG/NAME[:QUANT]) in the Hugging Face cache.")
    var model: String

    @OptionGroup var options: GenerationOptions

    @Option(help: "The prompt text.")
    var prompt: String

    @Flag(help: "Use the prompt as is, without the chat template.")
    var raw = false

    @Option(help: "A system message for the chat template (ignored with --raw).")
    var system: String?

    @Flag(help: "Print one JSON object: ids, text, prompt_tokens, finish_reason and speeds.")
    var json = false

    func run() async throws {
        let qwen = try options.load(model: model)
        let promptIDs: [Int]
        if raw {
            promptIDs = qwen.tokenizer.encodePrompt(prompt)
            guard !promptIDs.isEmpty else { throw ValidationError("--prompt: the text encodes to no tokens") }
        } else {
            var messages: [JSONValue] = []
            if let system { messages.append(["role": "system", "content": .string(system)]) }
            messages.append(["role": "user", "content": .string(prompt)])
            promptIDs = try qwen.chatPrompt(messages: messages)
        }
        let parameters = options.parameters(for: qwen)

        var ids: [Int] = []
        var text = ""
        var summary: GenerationSummary?
        for try await event in qwen.generate(prompt: promptIDs, parameters: parameters) {
            switch event {
            case .token(let token):
                ids.append(token.id)
                text += token.text
                if !json { StandardStreams.write(token.text) }
            case .finished(let finished):
                summary = finished
            }
        }
        guard let summary else { return }
        if json {
            let object: JSONValue = [
                "ids": .array(ids.map { .int($0) }),
                "text": .string(text),
                "prompt_tokens": .int(summary.promptTokens),
                "completion_tokens": .int(summary.completionTokens),
                "finish_reason": .string(summary.finishReason.rawValue),
                "prefill_tokens_per_second": .double(summary.prefillTokensPerSecond),
                "decode_tokens_per_second": .double(summary.decodeTokensPerSecond),
            ]
            StandardStreams.write(object.serialized() + "\n")
        } else {
            StandardStreams.write("\n")
        }
        StandardStreams.writeError(summary.speedLine + "\n")
    }
}

extension GenerationSummary {
    /// A one-line report of token counts and speeds, for stderr.
    var speedLine: String {
        let prefill = String(format: "%.1f", prefillTokensPerSecond)
        let decode = String(format: "%.1f", decodeTokensPerSecond)
        return "[\(promptTokens) prompt tokens, \(prefill) tok/s prefill; \(completionTokens) generated, "
            + "\(decode) tok/s; finish: \(finishReason.rawValue)]"
    }
}
