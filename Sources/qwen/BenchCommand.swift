import ArgumentParser
import Foundation
import QwenKit

/// `qwen bench`: load time, prefill and decode speed, and peak memory of a model.
///
/// ```sh
/// qwen bench --model ./Qwen2.5-0.5B-Instruct --threads 2 --prompt-tokens 512 --gen-tokens 128 --json
/// ```
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure load time, prefill and decode tokens/s, and peak memory.",
        discussion: """
            Prefills a fixed pseudo-random prompt in one pass, then decodes tokens one at a time;
            speeds are medians over the repetitions (after one untimed warm-up). With --batch N,
            N sequences (each its own prompt) decode together, one row each per forward pass as
            `qwen serve` batches them, and the decode speed is their aggregate.

            Examples:
              qwen bench --model ./Qwen2.5-0.5B-Instruct --threads 2 --json
              qwen bench --model ./qwen2.5-0.5b-q8_0.gguf --prompt-tokens 64 --gen-tokens 8
              qwen bench --model ./qwen2.5-0.5b-q8_0.gguf --prompt-tokens 128 --gen-tokens 64 --batch 8
            """)

    @Option(help: "A model directory, a .gguf file, or a Hub id (ORG/NAME[:QUANT]) in the Hugging Face cache.")
    var model: String

    @Option(help: "Threads to run on (default: the physical cores).")
    var threads: Int?

    @Option(name: .customLong("prompt-tokens"), help: "Tokens in the prefilled prompt.")
    var promptTokens: Int = 512

    @Option(name: .customLong("gen-tokens"), help: "Tokens decoded after the prompt.")
    var genTokens: Int = 128

    @Option(help: "Timed repetitions (medians are reported).")
    var repetitions: Int = 3

    @Option(help: "Sequences decoded together (aggregate decode tokens/s).")
    var batch: Int = 1

    @OptionGroup var kvCache: KVCacheOptions

    @Flag(help: "Print JSON: load_seconds, prefill_tokens_per_second, decode_tokens_per_second, peak_rss_bytes, kv_cache_type, batch_size.")
    var json = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard promptTokens >= 1 else { throw ValidationError("--prompt-tokens must be at least 1") }
        guard genTokens >= 1 else { throw ValidationError("--gen-tokens must be at least 1") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let report = try Benchmark(
            promptTokens: promptTokens, generatedTokens: genTokens, repetitions: repetitions, threadCount: threads,
            cachePrecision: kvCache.precision, batchSize: batch
        ).run(path: model)
        if json {
            let object: JSONValue = [
                "load_seconds": .double(report.loadSeconds),
                "prefill_tokens_per_second": .double(report.prefillTokensPerSecond),
                "decode_tokens_per_second": .double(report.decodeTokensPerSecond),
                "peak_rss_bytes": .int(report.peakResidentBytes),
                "kv_cache_type": .string(kvCache.precision.rawValue),
                "batch_size": .int(batch),
            ]
            print(object.serialized())
        } else {
            print(String(
                format: "load %.2f s | prefill %d tokens: %.1f tok/s | decode %d tokens: %.1f tok/s | peak RSS %.0f MiB",
                report.loadSeconds, promptTokens, report.prefillTokensPerSecond, genTokens,
                report.decodeTokensPerSecond, Double(report.peakResidentBytes) / 1_048_576)
                + " | KV cache \(kvCache.precision.rawValue)" + (batch > 1 ? " | batch \(batch)" : ""))
        }
    }
}
