import Foundation
import QwenKit
import Testing

@Suite struct SamplingParametersTests {
    @Test func neutralParametersAreValid() throws {
        try SamplingParameters().validate(vocabularySize: 10)
        try SamplingParameters.greedy.validate()
        #expect(SamplingParameters.greedy.isGreedy)
        #expect(SamplingParameters(temperature: 0.5, topK: 1).isGreedy)
        #expect(!SamplingParameters().isGreedy)
    }

    @Test(arguments: [
        (SamplingParameters(temperature: -0.1), "temperature"),
        (SamplingParameters(temperature: .nan), "temperature"),
        (SamplingParameters(temperature: .infinity), "temperature"),
        (SamplingParameters(topK: -1), "top_k"),
        (SamplingParameters(topP: 0), "top_p"),
        (SamplingParameters(topP: 1.01), "top_p"),
        (SamplingParameters(minP: 1.5), "min_p"),
        (SamplingParameters(repetitionPenalty: 0), "repetition_penalty"),
        (SamplingParameters(presencePenalty: 2.5), "presence_penalty"),
        (SamplingParameters(frequencyPenalty: -3), "frequency_penalty"),
        (SamplingParameters(logitBias: [3: 101]), "logit_bias[3]"),
        (SamplingParameters(logitBias: [-1: 1]), "logit_bias token id"),
        (SamplingParameters(logitBias: [10: 1]), "logit_bias token id"),
        (SamplingParameters(maxTokens: 0), "max_tokens"),
        (SamplingParameters(stopTokenIds: [-5]), "stop_token_ids"),
        (SamplingParameters(stopStrings: [""]), "stop"),
        (SamplingParameters(topLogprobs: 21), "top_logprobs"),
    ])
    func outOfRangeParameterIsNamed(parameters: SamplingParameters, field: String) {
        do throws(SamplingParametersError) {
            try parameters.validate(vocabularySize: 10)
            Issue.record("expected \(field) to be rejected")
        } catch {
            switch error {
            case .outOfRange(let reported, _, _): #expect(reported == field)
            }
        }
    }

    @Test func errorMessageNamesFieldValueAndRange() {
        let error = SamplingParametersError.outOfRange(field: "top_p", value: "1.5", allowed: "in (0, 1]")
        #expect(error.description == "sampling parameter top_p is 1.5; it must be in (0, 1]")
    }

    @Test func decodesOpenAIKeysWithNeutralDefaults() throws {
        let json = """
            {"temperature": 0.5, "top_p": 0.9, "logit_bias": {"42": -100}, "seed": 7,
             "stop": "END", "max_tokens": 16, "logprobs": true, "top_logprobs": 3}
            """
        let parameters = try JSONDecoder().decode(SamplingParameters.self, from: Data(json.utf8))
        #expect(
            parameters
                == SamplingParameters(
                    temperature: 0.5, topP: 0.9, logitBias: [42: -100], seed: 7, maxTokens: 16,
                    stopStrings: ["END"], logprobs: true, topLogprobs: 3))
    }

    @Test func roundTripsThroughJSON() throws {
        let parameters = SamplingParameters(
            temperature: 0.7, topK: 20, topP: 0.8, minP: 0.05, repetitionPenalty: 1.05,
            presencePenalty: 0.5, frequencyPenalty: -0.5, logitBias: [1: 2, 3: -4], seed: 99,
            maxTokens: 8, stopTokenIds: [151645, 151643], stopStrings: ["a", "b"], logprobs: true, topLogprobs: 5)
        let data = try JSONEncoder().encode(parameters)
        #expect(try JSONDecoder().decode(SamplingParameters.self, from: data) == parameters)
    }

    @Test func generationDefaultsFollowTransformers() {
        let qwen = SamplingParameters.generationDefaults(
            doSample: true, temperature: 0.7, topK: 20, topP: 0.8, repetitionPenalty: 1.05,
            eosTokenIds: [151645, 151643])
        #expect(
            qwen
                == SamplingParameters(
                    temperature: 0.7, topK: 20, topP: 0.8, repetitionPenalty: 1.05, stopTokenIds: [151645, 151643]))

        let unset = SamplingParameters.generationDefaults(
            doSample: true, temperature: nil, topK: nil, topP: nil, repetitionPenalty: nil, eosTokenIds: [])
        #expect(unset == SamplingParameters(temperature: 1, topK: 50, topP: 1))

        let greedy = SamplingParameters.generationDefaults(
            doSample: nil, temperature: 0.7, topK: 20, topP: 0.8, repetitionPenalty: 1.1, eosTokenIds: [2])
        #expect(greedy == SamplingParameters(temperature: 0, repetitionPenalty: 1.1, stopTokenIds: [2]))
    }
}
