import Foundation
import QwenKit
import Testing

@Suite struct JSONObjectConstraintTests {
    static let tokenizer = try? Tokenizer(directory: Fixtures.url("models/tiny-qwen2.5"))

    /// The tokens allowed after `text`: every token with text whose bytes the validator accepts
    /// after `text`'s, found token by token (tokens whose bytes are not whole UTF-8 are skipped).
    static func bruteForce(after prefix: [UInt8], texts: [[UInt8]?]) -> Set<Int> {
        var start = JSONPrefixValidator()
        for byte in prefix { _ = start.consume(byte) }
        var allowed = Set<Int>()
        for (id, bytes) in texts.enumerated() {
            guard let bytes else { continue }
            var validator = start
            if bytes.allSatisfy({ validator.consume($0) }) { allowed.insert(id) }
        }
        return allowed
    }

    /// Along a JSON object's tokens (strings and numbers revisit their states, so masks come from
    /// the cache), each step's mask equals a fresh constraint's at the same point, allows the next
    /// token, and allows exactly the tokens a byte-by-byte check allows.
    @Test func masksMatchAFreshConstraintAndTheValidator() throws {
        let tokenizer = try #require(Self.tokenizer)
        let size = tokenizer.vocabularySize + 3
        let vocabulary = JSONObjectConstraint.Vocabulary(tokenizer: tokenizer, size: size)
        let texts: [[UInt8]?] = (0..<tokenizer.vocabularySize).map { id in
            guard !tokenizer.isSpecial(id) else { return nil }
            let text = tokenizer.decode([id])
            return text.isEmpty || text.contains("\u{FFFD}") ? nil : Array(text.utf8)
        }
        let object = #"{"name": "Qwen Qwen Qwen Qwen", "n": [1, 22, 333, -4.5e6], "ok": true, "x": {"y": null}}"#
        let tokens = tokenizer.encode(object)
        func mask(_ constraint: inout JSONObjectConstraint) -> [Float] {
            var logits = [Float](repeating: 0, count: size + 2)
            logits.withUnsafeMutableBufferPointer { constraint.mask($0, stopTokenIds: [0]) }
            return logits
        }
        var constraint = JSONObjectConstraint(vocabulary: vocabulary)
        var prefix: [UInt8] = []
        for (step, token) in tokens.enumerated() {
            let cached = mask(&constraint)
            var fresh = JSONObjectConstraint(vocabulary: vocabulary)
            for earlier in tokens[..<step] { fresh.accept(earlier) }
            #expect(cached == mask(&fresh), "step \(step)")
            #expect(cached[token] == 0, "step \(step): the object's own next token is masked")
            #expect(cached[size...].allSatisfy { $0 == -.infinity } && cached[tokenizer.vocabularySize..<size].allSatisfy { $0 == -.infinity })
            let allowed = Set(texts.indices.filter { texts[$0] != nil && cached[$0] == 0 })
            #expect(allowed == Self.bruteForce(after: prefix, texts: texts), "step \(step)")
            constraint.accept(token)
            prefix += Array(tokenizer.decode([token]).utf8)
        }
        #expect(constraint.isComplete)
        let done = mask(&constraint)
        #expect(done[0] == 0 && done.filter { $0 == 0 }.count == 1)
    }
}
