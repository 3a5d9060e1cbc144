import Foundation
import QwenKit
import Testing

@Suite struct Qwen2PreTokenizerTests {
    struct GoldenCase: Decodable, CustomTestStringConvertible {
        var name: String
        var text: String
        var pieces: [String]
        var testDescription: String { name }
    }

    static let goldenCases: [GoldenCase] = {
        struct File: Decodable { var cases: [GoldenCase] }
        let url = Fixtures.url("tokenizer/pretokenizer-golden.json")
        return (try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases) ?? []
    }()

    @Test func goldenFileIsPresent() {
        #expect(Self.goldenCases.count >= 15)
    }

    /// Pieces of Hugging Face's Split step with the Qwen2 pattern, compared scalar by scalar.
    @Test(arguments: goldenCases)
    func matchesReference(golden: GoldenCase) {
        let pieces = Qwen2PreTokenizer.pieces(of: golden.text)
        #expect(pieces.map { Array($0.unicodeScalars) } == golden.pieces.map { Array($0.unicodeScalars) })
    }

    @Test func contractionsAreCaseInsensitive() {
        #expect(Qwen2PreTokenizer.pieces(of: "I'M THEY'LL we'Ve") == ["I", "'M", " THEY", "'LL", " we", "'Ve"])
    }

    @Test func whitespaceRunBeforeWordLeavesOneSpace() {
        #expect(Qwen2PreTokenizer.pieces(of: "a    b") == ["a", "   ", " b"])
    }

    @Test func lineBreakRunKeepsTrailingSpacesApart() {
        #expect(Qwen2PreTokenizer.pieces(of: "a \n\n  b").map { Array($0.utf8) } == ["a", " \n\n", " ", " b"].map { Array($0.utf8) })
    }

    @Test func documentedExample() {
        #expect(Qwen2PreTokenizer.pieces(of: "I'll pay 42 $ now\n\n") == ["I", "'ll", " pay", " ", "4", "2", " $", " now", "\n\n"])
    }

    @Test func digitsAreSingle() {
        #expect(Qwen2PreTokenizer.pieces(of: "x2025") == ["x", "2", "0", "2", "5"])
    }

    @Test func piecesJoinBackToText() {
        let text = "Hello,  world!\r\n\t 'tis 3.14 你好 👋🏽  "
        #expect(Array(Qwen2PreTokenizer.pieces(of: text).joined().utf8) == Array(text.utf8))
    }

    @Test func patternIsTheOneQwenShips() throws {
        let json = try Data(contentsOf: Fixtures.url("tokenizer/qwen2.5/tokenizer.json"))
        let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        let preTokenizer = object?["pre_tokenizer"] as? [String: Any]
        let split = (preTokenizer?["pretokenizers"] as? [[String: Any]])?.first
        let pattern = (split?["pattern"] as? [String: Any])?["Regex"] as? String
        #expect(pattern == Qwen2PreTokenizer.pattern)
    }
}
