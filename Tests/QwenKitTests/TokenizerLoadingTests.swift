import Foundation
import QwenKit
import Testing

/// Loading from each file layout, from in-memory vocabularies, and every malformed-file error.
@Suite struct TokenizerLoadingTests {
    /// A small but complete tokenizer.json: tokens a, b, c, ab, abc, Ġ and the Qwen2 pipeline.
    static func tokenizerJSON(
        model: String? = nil, normalizer: String = #"{"type": "NFC"}"#, preTokenizer: String? = nil,
        decoder: String = #"{"type": "ByteLevel", "add_prefix_space": true}"#,
        addedTokens: String = #"[{"id": 6, "content": "<x>", "special": true, "lstrip": false, "rstrip": false, "normalized": false, "single_word": false}]"#
    ) -> String {
        let pattern = Qwen2PreTokenizer.pattern.replacingOccurrences(of: "\\", with: "\\\\")
        let model = model ?? #"{"type": "BPE", "dropout": null, "unk_token": null, "ignore_merges": false, "byte_fallback": false, "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "abc": 4, "Ġ": 5}, "merges": ["a b", ["ab", "c"]]}"#
        let preTokenizer = preTokenizer ?? """
            {"type": "Sequence", "pretokenizers": [
              {"type": "Split", "pattern": {"Regex": "\(pattern)"}, "behavior": "Isolated", "invert": false},
              {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]}
            """
        return """
            {"version": "1.0", "added_tokens": \(addedTokens), "normalizer": \(normalizer),
             "pre_tokenizer": \(preTokenizer), "post_processor": null, "decoder": \(decoder), "model": \(model)}
            """
    }

    /// A fresh directory holding `files` (name → contents).
    static func directory(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-tokenizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, contents) in files {
            try Data(contents.utf8).write(to: url.appendingPathComponent(name))
        }
        return url
    }

    private func loadError(_ files: [String: String]) throws -> (TokenizerError, URL) {
        let url = try Self.directory(files)
        do {
            _ = try Tokenizer(directory: url)
        } catch let error as TokenizerError {
            return (error, url)
        }
        Issue.record("loading succeeded")
        throw CancellationError()
    }

    private func path(_ directory: URL, _ name: String) -> String { directory.appendingPathComponent(name).path }

    @Test func smallTokenizerJSONEncodes() throws {
        let tokenizer = try Tokenizer(directory: Self.directory(["tokenizer.json": Self.tokenizerJSON()]))
        #expect(tokenizer.encode("abc ab<x>c") == [4, 5, 3, 6, 2])
        #expect(tokenizer.decode([4, 5, 3, 6, 2]) == "abc ab<x>c")
        #expect(tokenizer.vocabularySize == 7)
    }

    @Test func inMemoryVocabularyEncodesLikeFiles() throws {
        let tokenizer = try Tokenizer(
            tokens: ["a", "b", "c", "ab", "abc", "Ġ", "<x>"], merges: [("a", "b"), ("ab", "c")],
            addedTokens: [AddedToken(content: "<x>", id: 6, isSpecial: true)],
            specialTokenIDs: SpecialTokenIDs(endOfSequence: 6), source: "test vocabulary")
        #expect(tokenizer.encode("abc ab<x>c") == [4, 5, 3, 6, 2])
        #expect(tokenizer.specialTokenIDs.endOfSequence == 6)
        #expect(tokenizer.decode([4, 6], skipSpecialTokens: true) == "abc")
    }

    @Test func addedTokenLookupIsExactNotCanonical() throws {
        let tokenizer = try Tokenizer(
            tokens: ["a"], merges: [], addedTokens: [AddedToken(content: "<\u{E9}>", id: 1, isSpecial: false)], source: "test")
        #expect(tokenizer.id(forToken: "<\u{E9}>") == 1)
        #expect(tokenizer.id(forToken: "<e\u{301}>") == nil)
        #expect(tokenizer.encode("<e\u{301}>") != [1], "the raw text is matched before NFC")
    }

    @Test func inMemoryVocabularyRejectsUnknownMergeToken() {
        #expect(throws: TokenizerError.unknownMergeToken(file: "test vocabulary", field: "merges[0]", token: "z")) {
            try Tokenizer(tokens: ["a"], merges: [("a", "z")], addedTokens: [], source: "test vocabulary")
        }
    }

    @Test func missingFiles() throws {
        let (error, url) = try loadError(["vocab.json": "{}"])
        #expect(error == .missingFiles(directory: url.path))
    }

    @Test func invalidJSON() throws {
        let (error, url) = try loadError(["tokenizer.json": #"{"model": {"type": "BPE", "vocab": {"a": 0,"#])
        guard case .malformed(let file, let field, _) = error else { throw error }
        #expect(file == path(url, "tokenizer.json"))
        #expect(field == "model.vocab")
    }

    @Test func missingModel() throws {
        let json = Self.tokenizerJSON().replacingOccurrences(of: #""model": {"#, with: #""unused": {"#)
        let (error, url) = try loadError(["tokenizer.json": json])
        #expect(error == .missingField(file: path(url, "tokenizer.json"), field: "model"))
    }

    @Test func mergeNamingUnknownToken() throws {
        let json = Self.tokenizerJSON().replacingOccurrences(of: #"["ab", "c"]"#, with: #"["ab", "zz"]"#)
        let (error, url) = try loadError(["tokenizer.json": json])
        #expect(error == .unknownMergeToken(file: path(url, "tokenizer.json"), field: "model.merges[1]", token: "zz"))
    }

    @Test func mergeWithoutVocabularyResult() throws {
        let json = Self.tokenizerJSON().replacingOccurrences(of: #""a b""#, with: #""b c""#)
        let (error, url) = try loadError(["tokenizer.json": json])
        #expect(error == .unknownMergeToken(file: path(url, "tokenizer.json"), field: "model.merges[0]", token: "bc"))
    }

    @Test func unsupportedNormalizer() throws {
        let (error, url) = try loadError(["tokenizer.json": Self.tokenizerJSON(normalizer: #"{"type": "NFKC"}"#)])
        #expect(error == .unsupported(file: path(url, "tokenizer.json"), field: "normalizer.type", value: "NFKC"))
    }

    @Test func unsupportedNormalizerInSequence() throws {
        let normalizer = #"{"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Lowercase"}]}"#
        let (error, url) = try loadError(["tokenizer.json": Self.tokenizerJSON(normalizer: normalizer)])
        #expect(error == .unsupported(file: path(url, "tokenizer.json"), field: "normalizer.normalizers[1].type", value: "Lowercase"))
    }

    @Test func normalizerNullAndSequenceAreAccepted() throws {
        let plain = try Tokenizer(directory: Self.directory(["tokenizer.json": Self.tokenizerJSON(normalizer: "null")]))
        #expect(plain.normalization == .none)
        let sequence = #"{"type": "Sequence", "normalizers": [{"type": "NFC"}]}"#
        let nfc = try Tokenizer(directory: Self.directory(["tokenizer.json": Self.tokenizerJSON(normalizer: sequence)]))
        #expect(nfc.normalization == .nfc)
    }

    @Test func unsupportedPreTokenizerType() throws {
        let (error, url) = try loadError(["tokenizer.json": Self.tokenizerJSON(preTokenizer: #"{"type": "Whitespace"}"#)])
        #expect(error == .unsupported(file: path(url, "tokenizer.json"), field: "pre_tokenizer.type", value: "Whitespace"))
    }

    @Test func unsupportedSplitPattern() throws {
        let preTokenizer = #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]}"#
        let (error, url) = try loadError(["tokenizer.json": Self.tokenizerJSON(preTokenizer: preTokenizer)])
        #expect(error == .unsupported(file: path(url, "tokenizer.json"), field: "pre_tokenizer.pretokenizers[0].pattern", value: "\\s+"))
    }

    @Test func unsupportedDecoder() throws {
        let (error, url) = try loadError(["tokenizer.json": Self.tokenizerJSON(decoder: #"{"type": "WordPiece"}"#)])
        #expect(error == .unsupported(file: path(url, "tokenizer.json"), field: "decoder.type", value: "WordPiece"))
    }

    @Test func unsupportedModelType() throws {
        let model = #"{"type": "WordPiece", "vocab": {}, "merges": []}"#
        let (error, url) = try loadError(["tokenizer.json": Self.tokenizerJSON(model: model)])
        #expect(error == .unsupported(file: path(url, "tokenizer.json"), field: "model.type", value: "WordPiece"))
    }

    @Test func unsupportedAddedTokenFlag() throws {
        let added = #"[{"id": 6, "content": "<x>", "special": true, "lstrip": true}]"#
        let (error, url) = try loadError(["tokenizer.json": Self.tokenizerJSON(addedTokens: added)])
        #expect(error == .unsupported(file: path(url, "tokenizer.json"), field: "added_tokens[0].lstrip", value: "true"))
    }

    @Test func addedTokenWithWrongFieldType() throws {
        let added = #"[{"id": "six", "content": "<x>"}]"#
        let (error, url) = try loadError(["tokenizer.json": Self.tokenizerJSON(addedTokens: added)])
        guard case .malformed(let file, let field, _) = error else { throw error }
        #expect(file == path(url, "tokenizer.json"))
        #expect(field == "added_tokens[0].id")
    }

    @Test func vocabularyIDMustBeAnInteger() throws {
        let model = #"{"type": "BPE", "vocab": {"a": "zero"}, "merges": []}"#
        let (error, url) = try loadError(["tokenizer.json": Self.tokenizerJSON(model: model)])
        guard case .malformed(let file, let field, _) = error else { throw error }
        #expect(file == path(url, "tokenizer.json"))
        #expect(field == "model.vocab")
    }

    @Test func vocabularyAndMergesFiles() throws {
        let files = [
            "vocab.json": #"{"a": 0, "b": 1, "c": 2, "ab": 3, "abc": 4, "Ġ": 5}"#,
            "merges.txt": "#version: 0.2\na b\nab c\n",
            "tokenizer_config.json": #"{"added_tokens_decoder": {"6": {"content": "<x>", "special": true}}, "eos_token": "<x>"}"#,
        ]
        let tokenizer = try Tokenizer(directory: Self.directory(files))
        #expect(tokenizer.encode("abc ab<x>c") == [4, 5, 3, 6, 2])
        #expect(tokenizer.specialTokenIDs.endOfSequence == 6)
    }

    @Test func malformedMergesLine() throws {
        let files = ["vocab.json": #"{"a": 0, "b": 1, "ab": 2}"#, "merges.txt": "#version: 0.2\na b\nab\n"]
        let (error, url) = try loadError(files)
        guard case .malformed(let file, let field, _) = error else { throw error }
        #expect(file == path(url, "merges.txt"))
        #expect(field == "line 3")
    }

    @Test func mergesTxtNamingUnknownToken() throws {
        let files = ["vocab.json": #"{"a": 0, "b": 1, "ab": 2}"#, "merges.txt": "a b\nab q\n"]
        let (error, url) = try loadError(files)
        #expect(error == .unknownMergeToken(file: path(url, "merges.txt"), field: "line 2", token: "q"))
    }

    @Test func badVocabJSON() throws {
        let (error, url) = try loadError(["vocab.json": #"["a", "b"]"#, "merges.txt": ""])
        guard case .malformed(let file, _, _) = error else { throw error }
        #expect(file == path(url, "vocab.json"))
    }

    @Test func unknownDeclaredRoleToken() throws {
        let files = ["tokenizer.json": Self.tokenizerJSON(), "tokenizer_config.json": #"{"eos_token": "<missing>"}"#]
        let (error, url) = try loadError(files)
        guard case .malformed(let file, let field, _) = error else { throw error }
        #expect(file == path(url, "tokenizer_config.json"))
        #expect(field == "eos_token")
    }

    @Test func badTokenizerConfig() throws {
        let files = ["tokenizer.json": Self.tokenizerJSON(), "tokenizer_config.json": #"{"eos_token": 5}"#]
        let (error, url) = try loadError(files)
        guard case .malformed(let file, let field, _) = error else { throw error }
        #expect(file == path(url, "tokenizer_config.json"))
        #expect(field == "eos_token")
    }

    @Test func deeplyNestedJSONIsRejected() throws {
        let nested = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let (error, url) = try loadError(["tokenizer.json": #"{"extra": "# + nested + #", "model": {}}"#])
        guard case .malformed(let file, let field, let reason) = error else { throw error }
        #expect(file == path(url, "tokenizer.json"))
        #expect(field == "extra")
        #expect(reason.hasPrefix("nesting too deep"))
    }

    @Test func errorsDescribeFileAndField() {
        let error = TokenizerError.unsupported(file: "/m/tokenizer.json", field: "normalizer.type", value: "NFKC")
        #expect(error.description == "/m/tokenizer.json: normalizer.type: unsupported value NFKC")
    }
}
