import Foundation
import QwenKit
import Testing

/// Golden cases: text, the ids Hugging Face tokenizers gives (no special tokens added) and the decoded text.
struct TokenizerGoldenFile: Decodable {
    struct Case: Decodable {
        var text: String
        var ids: [Int]
        var decoded: String
    }

    var cases: [Case]

    static func load(_ name: String) throws -> [Case] {
        try JSONDecoder().decode(Self.self, from: Data(contentsOf: Fixtures.url("tokenizer/\(name)"))).cases
    }
}

/// Tokenizers shared by the tokenizer tests (loading the real vocabulary takes a moment).
enum SharedTokenizers {
    static let qwenDirectory = Fixtures.url("tokenizer/qwen2.5")
    static let fromTokenizerJSON = Result { try Tokenizer(directory: qwenDirectory) }
    static let fromVocabularyAndMerges = Result { try Tokenizer(directory: VocabularyAndMergesDirectory.url) }
}

/// A copy of the Qwen2.5 tokenizer directory without `tokenizer.json`.
enum VocabularyAndMergesDirectory {
    static let url: URL = {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("qwen-vocab-merges-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["vocab.json", "merges.txt", "tokenizer_config.json"] {
            let target = directory.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: target)
            try? FileManager.default.copyItem(at: SharedTokenizers.qwenDirectory.appendingPathComponent(name), to: target)
        }
        return directory
    }()
}

@Suite struct TokenizerGoldenTests {
    static let goldenFiles = ["qwen2.5-golden.json", "extra-golden.json"]

    @Test(arguments: goldenFiles)
    func tokenizerJSONMatchesReference(file: String) throws {
        try check(SharedTokenizers.fromTokenizerJSON.get(), against: TokenizerGoldenFile.load(file))
    }

    @Test(arguments: goldenFiles)
    func vocabularyAndMergesMatchReference(file: String) throws {
        try check(SharedTokenizers.fromVocabularyAndMerges.get(), against: TokenizerGoldenFile.load(file))
    }

    /// Rendered chat prompts (special tokens, tool calls) against the ids `apply_chat_template` gave.
    @Test func chatTemplatePromptsMatchReference() throws {
        struct File: Decodable {
            struct Case: Decodable {
                var name: String
                var rendered: String
                var ids: [Int]
            }

            var cases: [Case]
        }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: Fixtures.url("chat-template-golden.json")))
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        #expect(file.cases.count > 0)
        for golden in file.cases {
            #expect(tokenizer.encode(golden.rendered) == golden.ids, "\(golden.name)")
            #expect(Array(tokenizer.decode(golden.ids).utf8) == Array(golden.rendered.utf8), "\(golden.name)")
        }
    }

    /// The model fixtures' prompts and greedy continuations, with the tokenizer of each model directory.
    @Test(arguments: ["models/tiny-qwen2.5", "models/tiny-qwen2.5-yarn"])
    func modelFixturePromptsMatchReference(model: String) throws {
        struct File: Decodable {
            struct Prompt: Decodable {
                var name: String
                var text: String
                var inputIDs: [Int]
                var greedyNewIDs: [Int]
                var greedyText: String

                enum CodingKeys: String, CodingKey {
                    case name, text
                    case inputIDs = "input_ids"
                    case greedyNewIDs = "greedy_new_ids"
                    case greedyText = "greedy_text"
                }
            }

            var prompts: [Prompt]
        }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: Fixtures.url("\(model)/golden/golden.json")))
        let tokenizer = try Tokenizer(directory: Fixtures.url(model))
        #expect(file.prompts.count > 0)
        for prompt in file.prompts {
            #expect(tokenizer.encode(prompt.text) == prompt.inputIDs, "\(prompt.name)")
            #expect(Array(tokenizer.decode(prompt.greedyNewIDs).utf8) == Array(prompt.greedyText.utf8), "\(prompt.name)")
        }
    }

    private func check(_ tokenizer: Tokenizer, against cases: [TokenizerGoldenFile.Case]) {
        #expect(cases.count > 0)
        for golden in cases {
            let ids = tokenizer.encode(golden.text)
            #expect(ids == golden.ids, "encode \(golden.text.debugDescription)")
            // Compared as UTF-8: String equality would accept any canonically equivalent text.
            #expect(Array(tokenizer.decode(golden.ids).utf8) == Array(golden.decoded.utf8), "decode \(golden.text.debugDescription)")
        }
    }
}
