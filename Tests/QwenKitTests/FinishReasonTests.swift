import QwenKit
import Testing

@Suite struct FinishReasonTests {
    @Test func rawValuesAreOpenAIs() {
        #expect(FinishReason.allCases.map(\.rawValue) == ["stop", "length", "tool_calls", "cancelled"])
    }
}
