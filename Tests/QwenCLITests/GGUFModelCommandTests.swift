import Foundation
import Testing

/// `qwen logits`, `generate` and `bench` on GGUF files: the float16 conversion of the tiny fixture
/// is the same model as its directory, so the commands must print the same results.
@Suite struct GGUFModelCommandTests {
    static let directory = CLI.fixtures.appendingPathComponent("models/tiny-qwen2.5").path
    static let f16 = CLI.fixtures.appendingPathComponent("gguf/tiny-qwen2.5-f16.gguf").path
    static let q8_0 = CLI.fixtures.appendingPathComponent("gguf/tiny-qwen2.5-q8_0.gguf").path

    @Test func logitsOfTextMatchTheDirectoryModel() throws {
        let prompt = try LogitsCommandTests.golden()
        let arguments = ["--text", prompt.text, "--top", "5", "--json"]
        let fromDirectory = try CLI.run(["logits", "--model", Self.directory] + arguments)
        let fromGGUF = try CLI.run(["logits", "--model", Self.f16] + arguments)
        #expect(fromDirectory.status == 0 && fromGGUF.status == 0, "\(fromGGUF.stderr)")
        let expected = try JSONDecoder().decode(LogitsCommandTests.Output.self, from: fromDirectory.stdoutData)
        let output = try JSONDecoder().decode(LogitsCommandTests.Output.self, from: fromGGUF.stdoutData)
        #expect(output.ids == prompt.input_ids)
        #expect(output.top.map { $0.map(\.id) } == expected.top.map { $0.map(\.id) })
    }

    @Test func generateRunsAQuantizedFileWithItsChatTemplate() throws {
        let arguments = ["--prompt", "Hello", "--max-tokens", "4", "--temperature", "0", "--json"]
        let fromDirectory = try CLI.run(["generate", "--model", Self.directory, "--repetition-penalty", "1"] + arguments)
        let fromF16 = try CLI.run(["generate", "--model", Self.f16] + arguments)
        let fromQ8 = try CLI.run(["generate", "--model", Self.q8_0] + arguments)
        #expect(fromF16.status == 0 && fromQ8.status == 0, "\(fromF16.stderr) \(fromQ8.stderr)")
        struct Output: Decodable { let ids: [Int]; let prompt_tokens: Int }
        let expected = try JSONDecoder().decode(Output.self, from: fromDirectory.stdoutData)
        let f16 = try JSONDecoder().decode(Output.self, from: fromF16.stdoutData)
        let q8 = try JSONDecoder().decode(Output.self, from: fromQ8.stdoutData)
        #expect(f16.ids == expected.ids && f16.prompt_tokens == expected.prompt_tokens)
        #expect(q8.ids.count == 4 && q8.prompt_tokens == expected.prompt_tokens)
    }

    @Test func benchLoadsAGGUFFile() throws {
        let result = try CLI.run([
            "bench", "--model", Self.q8_0, "--threads", "1", "--prompt-tokens", "8", "--gen-tokens", "2",
            "--repetitions", "1", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"decode_tokens_per_second\""))
    }
}
