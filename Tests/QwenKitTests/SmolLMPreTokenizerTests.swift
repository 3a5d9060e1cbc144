import Foundation
import QwenKit
import Testing

/// SmolLM2's pre-tokenizer, piece by piece, and its tokenizer against llama.cpp's ids
/// (Tests/Fixtures/tokenizer/smollm2, made by gguf/reference/llama_reference_llama.py).
@Suite struct SmolLMPreTokenizerTests {
    @Test func digitsAreSingleAndNeverJoinASpace() {
        #expect(SmolLMPreTokenizer.pieces(of: "I'll pay 42$  now") == ["I", "'ll", " pay", " ", "4", "2", "$", " ", " now"])
        #expect(SmolLMPreTokenizer.pieces(of: "x2025y") == ["x", "2", "0", "2", "5", "y"])
        #expect(SmolLMPreTokenizer.pieces(of: "a   1") == ["a", "   ", "1"])
    }

    @Test func contractionsAreCaseSensitive() {
        #expect(SmolLMPreTokenizer.pieces(of: "it's IT'S 'll 'Ll") == ["it", "'s", " IT", "'", "S", " '", "ll", " '", "Ll"])
    }

    @Test func whiteSpaceLeavesItsLastScalarToAWord() {
        #expect(SmolLMPreTokenizer.pieces(of: "a    b") == ["a", "   ", " b"])
        #expect(SmolLMPreTokenizer.pieces(of: "x \n\n  y").map { Array($0.utf8) } == ["x", " \n\n ", " y"].map { Array($0.utf8) })
        #expect(SmolLMPreTokenizer.pieces(of: "\ny") == ["\n", "y"])
        #expect(SmolLMPreTokenizer.pieces(of: "end  ") == ["end", "  "])
        #expect(SmolLMPreTokenizer.pieces(of: "x  !y") == ["x", " ", " !", "y"])
    }

    @Test func piecesConcatenateToTheText() {
        let text = "Ω 1½ 👋🏽\t\r\n  ok?? 中文 'd"
        #expect(Array(SmolLMPreTokenizer.pieces(of: text).joined().utf8) == Array(text.utf8))
    }

    struct Golden: Decodable {
        struct Case: Decodable {
            var text: String
            var ids: [Int]
        }
        var cases: [Case]
    }

    /// Every case of the golden file gives llama.cpp's ids; the Qwen2 pre-tokenizer would not
    /// (digits, spaces before digits and punctuation split differently), nor would NFC.
    @Test func smolLM2TokenizerMatchesLlamaCpp() throws {
        let tokenizer = try Tokenizer(gguf: GGUFFile(url: Fixtures.url("tokenizer/smollm2/smollm2-tokenizer.gguf")))
        let golden = try JSONDecoder().decode(
            Golden.self, from: Data(contentsOf: Fixtures.url("tokenizer/smollm2/smollm2-golden.json")))
        #expect(golden.cases.count >= 300)
        for golden in golden.cases {
            #expect(tokenizer.encode(golden.text) == golden.ids, "\(golden.text.debugDescription)")
        }
        #expect(tokenizer.preTokenizer == .smolLM && !tokenizer.addsBeginOfSequence)
        #expect(tokenizer.specialTokenIDs == SpecialTokenIDs(beginOfSequence: 1, endOfSequence: 2, padding: 2, unknown: 0))
    }
}
