import QwenKit
import Testing

@Suite struct StopConditionTests {
    @Test func stopTokensIncludeEndOfSequenceAndRequestedIds() {
        let condition = StopCondition(parameters: SamplingParameters(stopTokenIds: [7]), endOfSequenceIds: [151645])
        #expect(condition.stopTokenIds == [7, 151645])
        #expect(condition.finishReason(after: 151645, generatedCount: 1) == .stop)
        #expect(condition.finishReason(after: 7, generatedCount: 1) == .stop)
        #expect(condition.finishReason(after: 8, generatedCount: 1_000_000) == nil)
    }

    @Test func budgetIsMaxTokensCappedByContextRoom() {
        let capped = StopCondition(parameters: SamplingParameters(maxTokens: 10), endOfSequenceIds: [], contextRoom: 4)
        #expect(capped.tokenLimit == 4)
        #expect(capped.finishReason(after: 1, generatedCount: 3) == nil)
        #expect(capped.finishReason(after: 1, generatedCount: 4) == .length)
        #expect(StopCondition(parameters: SamplingParameters(maxTokens: 10), endOfSequenceIds: []).tokenLimit == 10)
        #expect(StopCondition(parameters: SamplingParameters(), endOfSequenceIds: [], contextRoom: 5).tokenLimit == 5)
        #expect(StopCondition(parameters: SamplingParameters(), endOfSequenceIds: []).tokenLimit == nil)
    }

    @Test func stopTokenOnTheLastAllowedStepIsAStop() {
        let condition = StopCondition(parameters: SamplingParameters(maxTokens: 2), endOfSequenceIds: [0])
        #expect(condition.finishReason(after: 0, generatedCount: 2) == .stop)
    }
}
