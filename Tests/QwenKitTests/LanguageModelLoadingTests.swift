import Foundation
import QwenKit
import Testing

/// LanguageModel builds the tokenizer on a thread of its own while the weights load; what it returns
/// and what it throws must be what loading the tokenizer alone gives.
@Suite struct LanguageModelLoadingTests {
    @Test func tokenizerEqualsOneLoadedAlone() throws {
        let directory = Fixtures.url("models/tiny-qwen2.5")
        let alone = try Tokenizer(directory: directory)
        let gguf = Fixtures.url("gguf/tiny-qwen2.5-q8_0.gguf")
        let ggufAlone = try Tokenizer(gguf: GGUFFile(url: gguf))
        let text = "Hello, world! 你好 — 12345"
        #expect(try LanguageModel(path: directory.path).tokenizer.encode(text) == alone.encode(text))
        #expect(try LanguageModel(path: gguf.path).tokenizer.encode(text) == ggufAlone.encode(text))
    }

    @Test func tokenizerErrorReachesTheCaller() throws {
        let directory = try SafetensorsTestWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fixture = Fixtures.url("models/tiny-qwen2.5")
        for name in ["config.json", "generation_config.json", "model.safetensors", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        try Data("{\"model\": ".utf8).write(to: directory.appendingPathComponent("tokenizer.json"))
        #expect(throws: TokenizerError.self) { try LanguageModel(path: directory.path) }
    }
}
