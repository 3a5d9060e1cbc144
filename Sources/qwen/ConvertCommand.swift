import ArgumentParser
import Foundation
import QwenKit

extension GGUFConversionType: ExpressibleByArgument {}

/// `qwen convert`: a Hugging Face Qwen2 safetensors directory to a GGUF file llama.cpp runs.
///
/// ```sh
/// qwen convert --model ./Qwen2.5-0.5B-Instruct --to q4_k_m --output qwen2.5-0.5b-q4_k_m.gguf
/// ```
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a Hugging Face safetensors model directory to GGUF (f16, q8_0, q4_0 or q4_k_m).",
        discussion: """
            Writes what llama.cpp's convert_hf_to_gguf.py (and llama-quantize for the quantized types)
            would: the same metadata, tensor names and per-tensor types.

            Examples:
              qwen convert --model ./Qwen2.5-0.5B-Instruct --to f16 --output qwen2.5-0.5b-f16.gguf
              qwen convert --model ./Qwen2.5-0.5B-Instruct --to q4_k_m --output q4km.gguf --force
            """)

    @Option(help: "A Hugging Face model directory (config.json, tokenizer files, *.safetensors).")
    var model: String

    @Option(help: "The GGUF file type: \(GGUFConversionType.allCases.map(\.rawValue).joined(separator: ", ")).")
    var to: GGUFConversionType

    @Option(help: "The GGUF file to write.")
    var output: String

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    func run() throws {
        guard case .directory(let directory) = try ModelLocation(path: model) else {
            throw ValidationError("--model: \(model) is not a model directory")
        }
        let converter = try GGUFConverter(directory: directory)
        let url = URL(fileURLWithPath: (output as NSString).expandingTildeInPath)
        let interactive = isatty(FileHandle.standardError.fileDescriptor) != 0
        try converter.write(to, to: url, overwrite: force) { step in
            guard interactive else { return }
            let fraction = Double(step.completed) / Double(step.total)
            StandardStreams.writeError(
                "\r\u{1B}[K[\(ProgressBar.bar(fraction))] \(step.completed)/\(step.total) \(step.tensor) → \(step.type.name)")
        }
        if interactive { StandardStreams.writeError("\r\u{1B}[K") }
        StandardStreams.writeError("wrote \(url.path)\n")
    }
}
