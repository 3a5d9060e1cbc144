import QwenKit
import Testing

/// The per-token decode state on hand-made logits: sampling, stop tokens and strings, the token
/// budget and the context room, and its summary.
@Suite struct SequenceDecoderTests {
    static let tokenizer = try? Tokenizer(directory: Fixtures.url("models/tiny-qwen2.5"))
    static let vocabularySize = 151_936

    static func decoder(
        prompt: [Int] = [9707], parameters: SamplingParameters, contextLength: Int = 64
    ) throws -> SequenceDecoder {
        try SequenceDecoder(
            prompt: prompt, parameters: parameters, tokenizer: #require(tokenizer), vocabularySize: vocabularySize,
            contextLength: contextLength)
    }

    /// Feeds logits that make `id` the greedy choice.
    static func decode(_ id: Int, with decoder: inout SequenceDecoder) -> GeneratedToken {
        var logits = [Float](repeating: 0, count: vocabularySize)
        logits[id] = 10
        return logits.withUnsafeMutableBufferPointer { decoder.decode(logits: $0) }
    }

    @Test func greedyTokensUntilTheBudget() throws {
        var decoder = try Self.decoder(parameters: SamplingParameters(temperature: 0, maxTokens: 2))
        let hello = Self.decode(9707, with: &decoder)
        #expect(hello.id == 9707 && hello.text == "Hello" && !decoder.isFinished)
        _ = Self.decode(11, with: &decoder)
        #expect(decoder.finishReason == .length)
        let summary = decoder.summary(prefilledTokens: 1, prefillSeconds: 0, decodeSeconds: 0)
        #expect(summary.completionTokens == 2 && summary.promptTokens == 1 && summary.finishReason == .length)
    }

    @Test func stopTokenAndStopStringEndTheSequence() throws {
        var stopping = try Self.decoder(parameters: SamplingParameters(temperature: 0, stopTokenIds: [151645]))
        let end = Self.decode(151645, with: &stopping)
        #expect(end.text == "" && stopping.finishReason == .stop)
        var parameters = SamplingParameters(temperature: 0)
        parameters.stopStrings = ["llo"]
        var matching = try Self.decoder(parameters: parameters)
        #expect(Self.decode(9707, with: &matching).text == "He")
        #expect(matching.finishReason == .stop && matching.stopString == "llo")
    }

    @Test func aFullContextAllowsOneMoreToken() throws {
        var decoder = try Self.decoder(prompt: [1, 2, 3], parameters: SamplingParameters(temperature: 0), contextLength: 4)
        _ = Self.decode(5, with: &decoder)
        #expect(!decoder.isFinished)
        _ = Self.decode(5, with: &decoder)
        #expect(decoder.finishReason == .length)
        #expect(decoder.summary(prefilledTokens: 3, prefillSeconds: 0, decodeSeconds: 0).completionTokens == 2)
    }

    @Test func badInputIsATypedError() throws {
        #expect(throws: ModelError.emptyInput) { try Self.decoder(prompt: [], parameters: .greedy) }
        #expect(throws: ModelError.contextLengthExceeded(requested: 3, capacity: 2)) {
            try Self.decoder(prompt: [1, 2, 3], parameters: .greedy, contextLength: 2)
        }
        #expect(throws: SamplingParametersError.self) {
            try Self.decoder(parameters: SamplingParameters(temperature: -1))
        }
        let unfinished = try Self.decoder(parameters: .greedy)
        #expect(unfinished.summary(prefilledTokens: 1, prefillSeconds: 0, decodeSeconds: 0).finishReason == .cancelled)
    }
}
