import Foundation
import Testing

@Suite struct GenerateCommandTests {
    static let model = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path

    struct Output: Decodable {
        let ids: [Int]
        let text: String
        let prompt_tokens: Int
        let finish_reason: String
        let prefill_tokens_per_second: Double
        let decode_tokens_per_second: Double
    }

    struct Golden: Decodable {
        struct Prompt: Decodable {
            let text: String
            let input_ids: [Int]
            let greedy_new_ids: [Int]
            let greedy_text: String
        }
        let prompts: [Prompt]
    }

    /// The golden prompt the greedy tests run (tiny-qwen2.5's second).
    static func goldenPrompt() throws -> Golden.Prompt {
        let url = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5/golden/golden.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url)).prompts[1]
    }

    @Test func rawGreedyJSONMatchesTheGolden() throws {
        let prompt = try Self.goldenPrompt()
        let result = try CLI.run([
            "generate", "--model", Self.model, "--prompt", prompt.text, "--raw", "--max-tokens", "24",
            "--temperature", "0", "--repetition-penalty", "1", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONDecoder().decode(Output.self, from: result.stdoutData)
        #expect(output.ids == prompt.greedy_new_ids)
        #expect(output.text == prompt.greedy_text)
        #expect(output.prompt_tokens == prompt.input_ids.count)
        #expect(output.finish_reason == "length")
        #expect(output.decode_tokens_per_second > 0)
        #expect(result.stderr.contains("tok/s"))
    }

    /// A float16 KV cache keeps the greedy tokens of the golden prompt (measured; see
    /// Qwen2ModelGoldenTests.reducedPrecisionCachesStayClose).
    @Test func f16CacheKeepsTheGreedyTokens() throws {
        let prompt = try Self.goldenPrompt()
        let result = try CLI.run([
            "generate", "--model", Self.model, "--prompt", prompt.text, "--raw", "--max-tokens", "24",
            "--temperature", "0", "--repetition-penalty", "1", "--kv-cache-type", "f16", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSONDecoder().decode(Output.self, from: result.stdoutData).ids == prompt.greedy_new_ids)
    }

    @Test func chatPromptStreamsText() throws {
        let result = try CLI.run(["generate", "--model", Self.model, "--prompt", "Hello", "--max-tokens", "5", "--seed", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.isEmpty)
        let json = try CLI.run([
            "generate", "--model", Self.model, "--prompt", "Hello", "--max-tokens", "5", "--seed", "3", "--json",
        ])
        let output = try JSONDecoder().decode(Output.self, from: json.stdoutData)
        // The chat template wraps the prompt: system + user turn + assistant header.
        #expect(output.prompt_tokens == 30)
        #expect(result.stdout == output.text + "\n")
    }

    @Test func badInputIsOneLineError() throws {
        for arguments in [
            ["generate", "--model", "/no/such/model", "--prompt", "x"],
            ["generate", "--model", Self.model, "--prompt", "x", "--top-p", "2"],
            ["generate", "--model", Self.model, "--prompt", "x", "--max-tokens", "0"],
            ["generate", "--model", Self.model, "--prompt", "x", "--temperature", "hot"],
        ] {
            let result = try CLI.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(!result.stderr.isEmpty)
            #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
        }
    }
}
