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

    /// A copy of the tiny fixture with `edit` applied to the JSON object in file `name`.
    static func fixtureCopy(editing name: String, _ edit: (inout [String: Any]) -> Void) throws -> URL {
        let directory = try SafetensorsTestWriter.temporaryDirectory()
        let fixture = Fixtures.url("models/tiny-qwen2.5")
        for file in try FileManager.default.contentsOfDirectory(atPath: fixture.path) where file != "golden" {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(file), to: directory.appendingPathComponent(file))
        }
        let url = directory.appendingPathComponent(name)
        var object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return directory
    }

    /// An added token past the model's embedding rows is refused at load, naming tokenizer.json.
    @Test func tokenizerBeyondTheModelIsRefused() throws {
        let directory = try Self.fixtureCopy(editing: "tokenizer.json") { tokenizer in
            var added = tokenizer["added_tokens"] as? [[String: Any]] ?? []
            added.append(["id": 151_936, "content": "<|beyond|>", "special": true, "single_word": false, "lstrip": false,
                          "rstrip": false, "normalized": false])
            tokenizer["added_tokens"] = added
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: ModelError.tokenizerBeyondModel(
            file: directory.appendingPathComponent("tokenizer.json").path, tokenizerSize: 151_937, vocabularySize: 151_936)) {
            try LanguageModel(path: directory.path)
        }
    }

    /// A chat template that renders nothing gives an error saying so, not an empty prompt.
    @Test func emptyRenderedPromptIsAnError() throws {
        let directory = try Self.fixtureCopy(editing: "tokenizer_config.json") { $0["chat_template"] = "{{ '' }}" }
        defer { try? FileManager.default.removeItem(at: directory) }
        let qwen = try LanguageModel(path: directory.path)
        #expect(throws: ChatTemplateError.emptyPrompt) { try qwen.chatPrompt(messages: [["role": "user", "content": "hi"]]) }
    }
}
