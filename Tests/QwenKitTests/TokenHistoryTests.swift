import QwenKit
import Testing

@Suite struct TokenHistoryTests {
    @Test func countsOnlyGeneratedTokens() {
        var history = TokenHistory(prompt: [5, 5, 7])
        history.append(7)
        history.append(9)
        history.append(7)
        #expect(history.promptLength == 3)
        #expect(history.generatedLength == 3)
        #expect(history.generatedCount(of: 5) == 0)
        #expect(history.generatedCount(of: 7) == 2)
        #expect(history.generatedCount(of: 9) == 1)
        #expect(history.contains(5) && history.contains(7) && history.contains(9))
        #expect(!history.contains(6))
    }
}
