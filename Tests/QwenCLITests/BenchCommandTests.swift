import Foundation
import Testing

@Suite struct BenchCommandTests {
    struct Report: Decodable {
        let load_seconds: Double
        let prefill_tokens_per_second: Double
        let decode_tokens_per_second: Double
        let peak_rss_bytes: Int
        let kv_cache_type: String
        let batch_size: Int
    }

    @Test func reportsEveryFigureAsJSON() throws {
        let model = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path
        let result = try CLI.run([
            "bench", "--model", model, "--threads", "1", "--prompt-tokens", "16", "--gen-tokens", "4",
            "--repetitions", "2", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: result.stdoutData)
        #expect(report.load_seconds > 0)
        #expect(report.prefill_tokens_per_second > 0)
        #expect(report.decode_tokens_per_second > 0)
        // At least the mapped weights and the logits buffer are resident.
        #expect(report.peak_rss_bytes > 1_000_000)
        #expect(report.kv_cache_type == "f32")
        #expect(report.batch_size == 1)
    }

    /// Several sequences decoding together (34: two passes, as the server splits a step): the
    /// figures are the batch's aggregate, and the text output names the batch.
    @Test func decodesABatchOfSequences() throws {
        let model = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path
        let arguments = [
            "bench", "--model", model, "--threads", "1", "--prompt-tokens", "4", "--gen-tokens", "3",
            "--repetitions", "1", "--batch", "34",
        ]
        let json = try CLI.run(arguments + ["--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: json.stdoutData)
        #expect(report.batch_size == 34)
        #expect(report.prefill_tokens_per_second > 0 && report.decode_tokens_per_second > 0)
        let text = try CLI.run(arguments)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("batch 34"))
    }

    @Test(arguments: ["f16", "q8_0"])
    func reportsTheKVCacheType(type: String) throws {
        let model = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path
        let arguments = [
            "bench", "--model", model, "--threads", "1", "--prompt-tokens", "16", "--gen-tokens", "4",
            "--repetitions", "1", "--kv-cache-type", type,
        ]
        let json = try CLI.run(arguments + ["--json"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(try JSONDecoder().decode(Report.self, from: json.stdoutData).kv_cache_type == type)
        let text = try CLI.run(arguments)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("KV cache \(type)"))
    }

    /// Every command that runs the model rejects an unknown KV cache type before loading it, in one
    /// line naming the flag and the valid values.
    @Test(arguments: ["bench", "generate", "chat", "serve"])
    func unknownKVCacheTypeIsAnError(command: String) throws {
        let result = try CLI.run([command, "--model", "/no/such/model", "--kv-cache-type", "q4_0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--kv-cache-type"), "\(result.stderr)")
        #expect(result.stderr.contains("f32") && result.stderr.contains("f16") && result.stderr.contains("q8_0"))
        #expect(!result.stderr.contains("/no/such/model"))
    }

    @Test(arguments: ["--gen-tokens", "--batch"])
    func zeroIsAnError(option: String) throws {
        let model = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path
        let result = try CLI.run(["bench", "--model", model, option, "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(option))
    }
}
