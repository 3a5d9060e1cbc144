import Foundation
import QwenKit
import Testing

@Suite struct LogitsTests {
    static let model = Result { try Qwen2Model(directory: Fixtures.url("models/tiny-qwen2.5")) }
    static let tokens = [9707, 11, 1879, 0, 1096]

    @Test func reusedLogitsHoldTheLatestRows() throws {
        let model = try Self.model.get()
        let vocabularySize = model.configuration.vocabSize
        let all = try model.forward(Self.tokens, cache: model.makeCache(contextLength: 8), positions: .all)
        #expect(all.rowCount == Self.tokens.count)
        #expect(all.values.count == Self.tokens.count * vocabularySize)

        var reused = Logits(vocabularySize: vocabularySize)
        try model.forward(Self.tokens, cache: model.makeCache(contextLength: 8), positions: .all, into: &reused)
        #expect(reused.values.elementsEqual(all.values))
        try model.forward(Self.tokens, cache: model.makeCache(contextLength: 8), into: &reused)
        #expect(reused.rowCount == 1)
        // One lm_head row runs the matrix-vector kernel, five rows the matrix-matrix one: the
        // summation order differs, so the scores agree to rounding, not bit for bit.
        let difference = zip(reused.last, all.last).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference <= 1e-5)
        #expect(reused[0].startIndex == 0)
    }

    @Test func mutableRowIsIndexedByTokenID() throws {
        let model = try Self.model.get()
        var logits = try model.forward(Self.tokens, cache: model.makeCache(contextLength: 8), positions: .all)
        let before = logits[2][logits[2].startIndex + 7]
        logits.withMutableRow(2) { row in
            #expect(row.count == model.configuration.vocabSize)
            #expect(row[7] == before)
            row[7] = 1000
        }
        #expect(logits[2][logits[2].startIndex + 7] == 1000)
        #expect(logits[1][logits[1].startIndex + 7] != 1000)
    }
}
