import Foundation
import QwenKit
import Testing

@Suite struct StreamingDetokenizerTests {
    struct DecodeCase: Decodable {
        var ids: [Int]
        var decoded: String
        var decodedSkippingSpecial: String

        enum CodingKeys: String, CodingKey {
            case ids, decoded
            case decodedSkippingSpecial = "decoded_skipping_special"
        }
    }

    static func decodeCases() throws -> [DecodeCase] {
        struct File: Decodable { var cases: [DecodeCase] }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: Fixtures.url("tokenizer/decode-golden.json"))).cases
    }

    /// Streams `ids` one at a time; returns the pieces emitted.
    private func stream(_ ids: [Int], _ tokenizer: Tokenizer, skipSpecialTokens: Bool = false) -> [String] {
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: skipSpecialTokens)
        return ids.map { detokenizer.append($0) } + [detokenizer.finish()]
    }

    @Test(arguments: TokenizerGoldenTests.goldenFiles)
    func streamingEqualsFullDecode(file: String) throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        for golden in try TokenizerGoldenFile.load(file) {
            let pieces = stream(golden.ids, tokenizer)
            let full = tokenizer.decode(golden.ids)
            #expect(Array(pieces.joined().utf8) == Array(full.utf8), "\(golden.text.debugDescription)")
            let replacements = { (text: String) in text.unicodeScalars.filter { $0 == "\u{FFFD}" }.count }
            #expect(replacements(pieces.joined()) == replacements(full))
            // A piece ends on a character boundary, so no piece carries a U+FFFD that the full text lacks.
            #expect(pieces.allSatisfy { replacements($0) <= replacements(full) })
        }
    }

    @Test func splitCharacterIsHeldBack() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        // "😀" is four bytes; the vocabulary's byte tokens let us feed them one by one.
        let byteIDs = try "😀".utf8.map { try #require(tokenizer.id(forToken: byteLevelText($0))) }
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(byteIDs.dropLast().map { detokenizer.append($0) } == ["", "", ""])
        #expect(detokenizer.append(byteIDs[3]) == "😀")
        #expect(detokenizer.finish() == "")
    }

    @Test func unfinishedCharacterBecomesReplacementAtFinish() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        let firstByte = try #require(tokenizer.id(forToken: byteLevelText(0xF0)))
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(detokenizer.append(firstByte) == "")
        #expect(detokenizer.finish() == "\u{FFFD}")
    }

    @Test func decodeMatchesReferenceOnBrokenByteSequences() throws {
        let tokenizer = try SharedTokenizers.fromTokenizerJSON.get()
        let cases = try Self.decodeCases()
        #expect(cases.count > 100)
        for golden in cases {
            #expect(Array(tokenizer.decode(golden.ids).utf8) == Array(golden.decoded.utf8), "\(golden.ids)")
            #expect(
                Array(tokenizer.decode(golden.ids, skipSpecialTokens: true).utf8) == Array(golden.decodedSkippingSpecial.utf8),
                "\(golden.ids)")
            #expect(Array(stream(golden.ids, tokenizer).joined().utf8) == Array(golden.decoded.utf8), "\(golden.ids)")
            #expect(
                Array(stream(golden.ids, tokenizer, skipSpecialTokens: true).joined().utf8)
                    == Array(golden.decodedSkippingSpecial.utf8), "\(golden.ids)")
        }
    }

    /// The byte-level alphabet text of one byte (GPT-2's printable mapping).
    private func byteLevelText(_ byte: UInt8) -> String {
        let printable = Set(Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF))
        if printable.contains(Int(byte)) { return String(Unicode.Scalar(byte)) }
        let rank = (0..<Int(byte)).filter { !printable.contains($0) }.count
        return String(Unicode.Scalar(UInt32(256 + rank))!)
    }
}
