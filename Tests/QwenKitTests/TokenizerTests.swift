import Foundation
import QwenKit
import Testing

@Suite struct TokenizerTests {
    @Test func vocabularyAndRoles() throws {
        for tokenizer in [try SharedTokenizers.fromTokenizerJSON.get(), try SharedTokenizers.fromVocabularyAndMerges.get()] {
            #expect(tokenizer.vocabularySize == 151665)
            #expect(tokenizer.specialTokenIDs == SpecialTokenIDs(endOfSequence: 151645, padding: 151643))
            #expect(tokenizer.addedTokens.count == 22)
            #expect(tokenizer.addedTokens.first == AddedToken(content: "<|endoftext|>", id: 151643, isSpecial: true))
            #expect(tokenizer.normalization == .nfc)
        }
    }

    @Test func tokenLookups() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        #expect(tokenizer.id(forToken: "Hello") == 9707)
        #expect(tokenizer.id(forToken: "Ġworld") == 1879)
        #expect(tokenizer.id(forToken: "<|im_end|>") == 151645)
        #expect(tokenizer.id(forToken: "not a token") == nil)
        #expect(tokenizer.id(forToken: "é") == 165)
        #expect(tokenizer.id(forToken: "e\u{301}") == nil, "no canonical-equivalence matching")
        #expect(tokenizer.token(forID: 1879) == "Ġworld")
        #expect(tokenizer.token(forID: 151657) == "<tool_call>")
        #expect(tokenizer.token(forID: 151665) == nil)
        #expect(tokenizer.token(forID: -1) == nil)
    }

    @Test func specialFlags() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        #expect(tokenizer.isSpecial(151645))
        #expect(!tokenizer.isSpecial(151657), "<tool_call> is an added token but not special")
        #expect(!tokenizer.isSpecial(9707))
    }

    @Test func addedTokensAreMatchedLongestFirst() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        #expect(tokenizer.encode("<|im_start|>user\nhi<|im_end|>") == [151644, 872, 198, 6023, 151645])
        #expect(tokenizer.encode("<tool_call></tool_call>") == [151657, 151658])
    }

    @Test func decodeSkipsOnlySpecialTokens() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        let ids = tokenizer.encode("<|im_start|>assistant\n<tool_call>x<|im_end|>")
        #expect(tokenizer.decode(ids, skipSpecialTokens: true) == "assistant\n<tool_call>x")
        #expect(tokenizer.decode(ids) == "<|im_start|>assistant\n<tool_call>x<|im_end|>")
    }

    @Test func unknownIDsAreIgnoredByDecode() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        #expect(tokenizer.decode([9707, 999_999, -5, 1879]) == "Hello world")
    }

    @Test func longWordWithoutMergeCacheIsEncodedExactly() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        let text = String(repeating: "abcdefghij", count: 2000)
        let ids = tokenizer.encode(text)
        #expect(tokenizer.decode(ids) == text)
        #expect(ids.count < text.utf8.count / 2)
    }

    @Test func concurrentEncodingGivesTheSameIDs() async throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        let cases = try TokenizerGoldenFile.load("qwen2.5-golden.json")
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask { cases.allSatisfy { tokenizer.encode($0.text) == $0.ids } }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == [true, true, true, true])
    }
}
