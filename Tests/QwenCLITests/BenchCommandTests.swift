import Foundation
import Testing

@Suite struct BenchCommandTests {
    struct Report: Decodable {
        let load_seconds: Double
        let prefill_tokens_per_second: Double
        let decode_tokens_per_second: Double
        let peak_rss_bytes: Int
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
    }

    @Test func zeroTokensIsAnError() throws {
        let model = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path
        let result = try CLI.run(["bench", "--model", model, "--gen-tokens", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--gen-tokens"))
    }
}
