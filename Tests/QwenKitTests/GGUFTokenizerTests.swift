import Foundation
import QwenKit
import Testing

/// `Tokenizer(gguf:)` on vocabularies written as llama.cpp's converter writes them.
@Suite struct GGUFTokenizerTests {
    /// The Qwen2.5 fixture tokenizer as `convert_hf_to_gguf.py` stores it: tokens in id order,
    /// padded with unused `[PAD…]` tokens to the embedding size, added tokens typed CONTROL when
    /// special or shaped `<|…|>` and USER_DEFINED otherwise, merges as `"left right"` strings.
    static let qwenGGUF = Result { () throws -> URL in
        let directory = Fixtures.url("tokenizer/qwen2.5")
        let vocabulary = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("vocab.json"))) as? [String: Int])
        let tokenizerJSON = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("tokenizer.json"))) as? [String: Any])
        let added = try #require(tokenizerJSON["added_tokens"] as? [[String: Any]])
        var tokens = Array(repeating: "", count: 151936)
        var types = Array(repeating: GGUFMetadataValue.int32(5), count: 151936)
        for (index, _) in tokens.enumerated() { tokens[index] = "[PAD\(index)]" }
        for (token, id) in vocabulary {
            tokens[id] = token
            types[id] = .int32(1)
        }
        for entry in added {
            let id = try #require(entry["id"] as? Int), content = try #require(entry["content"] as? String)
            let special = entry["special"] as? Bool ?? false
            tokens[id] = content
            types[id] = .int32(special || (content.hasPrefix("<|") && content.hasSuffix("|>")) ? 3 : 4)
        }
        let merges = try String(contentsOf: directory.appendingPathComponent("merges.txt"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#version") }
        var writer = GGUFWriter()
        writer.setValue(.string("gpt2"), forKey: "tokenizer.ggml.model")
        writer.setValue(.string("qwen2"), forKey: "tokenizer.ggml.pre")
        writer.setValue(.array(.string, tokens.map { .string($0) }), forKey: "tokenizer.ggml.tokens")
        writer.setValue(.array(.int32, types), forKey: "tokenizer.ggml.token_type")
        writer.setValue(.array(.string, merges.map { .string(String($0)) }), forKey: "tokenizer.ggml.merges")
        writer.setValue(.uint32(151645), forKey: "tokenizer.ggml.eos_token_id")
        writer.setValue(.uint32(151643), forKey: "tokenizer.ggml.padding_token_id")
        writer.setValue(.uint32(151643), forKey: "tokenizer.ggml.bos_token_id")
        return try GGUFTestFile.write(writer)
    }

    @Test func qwenVocabularyMatchesGoldenIDs() throws {
        let tokenizer = try Tokenizer(gguf: GGUFFile(url: Self.qwenGGUF.get()))
        let cases = try TokenizerGoldenFile.load("qwen2.5-golden.json")
        #expect(cases.count > 0)
        for golden in cases {
            #expect(tokenizer.encode(golden.text) == golden.ids, "encode \(golden.text.debugDescription)")
            #expect(tokenizer.decode(golden.ids) == golden.decoded, "decode \(golden.text.debugDescription)")
        }
        #expect(tokenizer.specialTokenIDs == SpecialTokenIDs(beginOfSequence: 151643, endOfSequence: 151645, padding: 151643))
        #expect(tokenizer.vocabularySize == 151665)
        #expect(tokenizer.decode([151700, 151935]) == "")
        #expect(tokenizer.isSpecial(151645) && tokenizer.isSpecial(151659) && !tokenizer.isSpecial(151657))
        #expect(tokenizer.addedTokens.count == 22)
    }

    /// A five-token vocabulary: `a`, `b`, `ab`, a control token and a user-defined one.
    static func smallFile(changing changes: [(String, GGUFMetadataValue?)] = []) throws -> GGUFFile {
        var entries: [(String, GGUFMetadataValue)] = [
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("qwen2")),
            ("tokenizer.ggml.tokens", .array(.string, ["a", "b", "ab", "<|end|>", "<x>"].map { .string($0) })),
            ("tokenizer.ggml.token_type", .array(.int32, [1, 1, 1, 3, 4].map { .int32($0) })),
            ("tokenizer.ggml.merges", .array(.string, [.string("a b")])),
            ("tokenizer.ggml.eos_token_id", .uint32(3)),
        ]
        for (key, value) in changes {
            entries.removeAll { $0.0 == key }
            if let value { entries.append((key, value)) }
        }
        var writer = GGUFWriter()
        for (key, value) in entries { writer.setValue(value, forKey: key) }
        return try GGUFFile(url: GGUFTestFile.write(writer))
    }

    @Test func tokenTypes() throws {
        let tokenizer = try Tokenizer(gguf: Self.smallFile())
        #expect(tokenizer.encode("ab<|end|>a<x>b") == [2, 3, 0, 4, 1])
        #expect(tokenizer.addedTokens == [
            AddedToken(content: "<|end|>", id: 3, isSpecial: true), AddedToken(content: "<x>", id: 4, isSpecial: false),
        ])
        #expect(tokenizer.decode([2, 3, 4], skipSpecialTokens: true) == "ab<x>")
        #expect(tokenizer.specialTokenIDs == SpecialTokenIDs(endOfSequence: 3))
        let untyped = try Tokenizer(gguf: Self.smallFile(changing: [("tokenizer.ggml.token_type", nil)]))
        #expect(untyped.addedTokens.isEmpty)
    }

    /// `tokenizer.ggml.add_bos_token` decides whether a prompt starts with the bos token, as in
    /// llama.cpp (absent: false); `encode` never adds it.
    @Test func beginOfSequenceFollowsAddBOS() throws {
        let bos: [(String, GGUFMetadataValue?)] = [("tokenizer.ggml.bos_token_id", .uint32(3))]
        let plain = try Tokenizer(gguf: Self.smallFile(changing: bos))
        #expect(!plain.addsBeginOfSequence && plain.encodePrompt("ab") == [2])
        let adding = try Tokenizer(gguf: Self.smallFile(changing: bos + [("tokenizer.ggml.add_bos_token", .bool(true))]))
        #expect(adding.addsBeginOfSequence && adding.encodePrompt("ab") == [3, 2] && adding.encode("ab") == [2])
        let noBOS = try Tokenizer(gguf: Self.smallFile(changing: [("tokenizer.ggml.add_bos_token", .bool(true))]))
        #expect(noBOS.encodePrompt("ab") == [2])
    }

    /// `smollm` selects SmolLM2's pre-tokenizer and no normalization (llama.cpp normalizes nothing).
    @Test func preTokenizerAndNormalization() throws {
        let qwen = try Tokenizer(gguf: Self.smallFile())
        #expect(qwen.preTokenizer == .qwen2 && qwen.normalization == .nfc)
        let smolLM = try Tokenizer(gguf: Self.smallFile(changing: [("tokenizer.ggml.pre", .string("smollm"))]))
        #expect(smolLM.preTokenizer == .smolLM && smolLM.normalization == TextNormalization.none)
    }

    @Test func errorsNameTheKey() throws {
        func expectError(_ changes: [(String, GGUFMetadataValue?)], _ expected: (String) -> any Error & Equatable) throws {
            let file = try Self.smallFile(changing: changes)
            let error = expected(file.url.path)
            #expect { try Tokenizer(gguf: file) } throws: { thrown in
                "\(thrown)" == "\(error)" && type(of: thrown) == type(of: error)
            }
        }
        try expectError([("tokenizer.ggml.pre", .string("llama-bpe"))]) {
            GGUFError.invalidValue(file: $0, key: "tokenizer.ggml.pre", reason: "unsupported pre-tokenizer \"llama-bpe\" (expected \"qwen2\" or \"smollm\")")
        }
        try expectError([("tokenizer.ggml.pre", nil)]) { GGUFError.missingKey(file: $0, key: "tokenizer.ggml.pre") }
        try expectError([("tokenizer.ggml.model", .string("llama"))]) {
            GGUFError.invalidValue(file: $0, key: "tokenizer.ggml.model", reason: "unsupported tokenizer model \"llama\" (expected \"gpt2\")")
        }
        try expectError([("tokenizer.ggml.tokens", .array(.int32, [.int32(1)]))]) {
            GGUFError.wrongType(file: $0, key: "tokenizer.ggml.tokens", expected: "an array of strings", actual: .array)
        }
        try expectError([("tokenizer.ggml.token_type", .array(.int32, [.int32(1)]))]) {
            GGUFError.invalidValue(file: $0, key: "tokenizer.ggml.token_type", reason: "has 1 entries for 5 tokens")
        }
        try expectError([("tokenizer.ggml.token_type", .array(.int32, [1, 1, 1, 9, 4].map { .int32($0) }))]) {
            GGUFError.invalidValue(file: $0, key: "tokenizer.ggml.token_type[3]", reason: "unknown token type 9")
        }
        try expectError([("tokenizer.ggml.merges", .array(.string, [.string("ab")]))]) {
            GGUFError.invalidValue(file: $0, key: "tokenizer.ggml.merges[0]", reason: "expected \"left right\"")
        }
        try expectError([("tokenizer.ggml.merges", .array(.string, [.string("a b"), .string("b z")]))]) {
            TokenizerError.unknownMergeToken(file: $0, field: "tokenizer.ggml.merges[1]", token: "z")
        }
        try expectError([("tokenizer.ggml.eos_token_id", .uint32(5))]) {
            GGUFError.invalidValue(file: $0, key: "tokenizer.ggml.eos_token_id", reason: "token id 5 is not below the 5 tokens")
        }
    }
}
