import QwenKit
import Testing

@Suite struct LogitProcessorTests {
    private func processed(_ logits: [Float], _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
        var copy = logits
        copy.withUnsafeMutableBufferPointer { body($0) }
        return copy
    }

    @Test func repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        var history = TokenHistory(prompt: [0, 1])
        history.append(4)
        let result = processed([2, -2, 3, -1, 0.5, 6]) {
            LogitProcessor.applyRepetitionPenalty(2, to: $0, history: history)
        }
        #expect(result == [1, -4, 3, -1, 0.25, 6])
    }

    @Test func repetitionPenaltyIgnoresIdsOutsideTheRow() {
        let history = TokenHistory(prompt: [1, 99])
        let result = processed([2, 2]) { LogitProcessor.applyRepetitionPenalty(2, to: $0, history: history) }
        #expect(result == [2, 1])
    }

    @Test func presenceAndFrequencyPenaltiesCountGeneratedTokensOnly() {
        var history = TokenHistory(prompt: [0, 1, 1])
        for id in [2, 2, 3] { history.append(id) }
        let parameters = SamplingParameters(presencePenalty: 0.25, frequencyPenalty: 0.5)
        let result = processed([1, 1, 1, 1, 1]) {
            LogitProcessor.applyAdditiveAdjustments(parameters, to: $0, history: history)
        }
        let expected: [Float] = [1, 1, -0.25, 0.25, 1]  // 1 − (0.5·2 + 0.25), 1 − (0.5·1 + 0.25)
        #expect(result == expected)
    }

    @Test func logitBiasIsAdded() {
        let parameters = SamplingParameters(logitBias: [0: -100, 2: 2.5, 7: 1])
        let result = processed([1, 1, 1]) {
            LogitProcessor.applyAdditiveAdjustments(parameters, to: $0, history: TokenHistory(prompt: []))
        }
        #expect(result == [-99, 1, 3.5])
    }
}
