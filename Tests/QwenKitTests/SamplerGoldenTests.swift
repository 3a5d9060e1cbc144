import Foundation
import QwenKit
import Testing

/// The sampler on the real last-position logits of the tiny model (transformers, float32):
/// greedy picks transformers' first greedy token and the top-5 log-probabilities keep the
/// reference logits' order and gaps.
@Suite struct SamplerGoldenTests {
    private struct Golden: Decodable {
        struct Prompt: Decodable {
            let name: String
            let top5_ids: [[Int]]
            let top5_logits: [[Float]]
            let last_logits_file: String
            let greedy_new_ids: [Int]
        }
        let prompts: [Prompt]
    }

    private static let model = Fixtures.url("models/tiny-qwen2.5")

    private static func prompts() throws -> [Golden.Prompt] {
        let data = try Data(contentsOf: model.appendingPathComponent("golden/golden.json"))
        return try JSONDecoder().decode(Golden.self, from: data).prompts
    }

    @Test func greedyAndTopLogprobsMatchTransformers() throws {
        let prompts = try Self.prompts()
        #expect(prompts.count == 4)
        for prompt in prompts {
            let data = try Data(contentsOf: Self.model.appendingPathComponent(prompt.last_logits_file))
            var logits = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            #expect(logits.count == 151_936, "\(prompt.name)")

            let parameters = SamplingParameters(temperature: 0, logprobs: true, topLogprobs: 5)
            var sampler = try Sampler(parameters: parameters)
            let token = sampler.sample(logits: &logits, history: TokenHistory(prompt: []))

            #expect(token.id == prompt.greedy_new_ids.first, "\(prompt.name)")
            let referenceIds = try #require(prompt.top5_ids.last)
            let referenceLogits = try #require(prompt.top5_logits.last)
            #expect(token.topLogprobs.map(\.id) == referenceIds, "\(prompt.name)")
            for (entry, logit) in zip(token.topLogprobs, referenceLogits) {
                let gap = entry.logprob - (token.topLogprobs.first?.logprob ?? 0)
                #expect(abs(gap - (logit - referenceLogits[0])) < 1e-4, "\(prompt.name)")
            }
        }
    }
}
