import Foundation
import QwenKit
import Testing

/// transformers' warpers restated independently in Double: temperature, top-k (ties at the k-th
/// value kept), top-p (ascending sort, drop cumulative probability <= 1 − p, keep the top token),
/// min-p (drop probability < min_p · max probability). Test vectors avoid ties at a top-p boundary.
private func referenceDistribution(
    _ logits: [Float], temperature: Double, topK: Int = 0, topP: Double = 1, minP: Double = 0
) -> [Double] {
    var scores = logits.map { Double($0) / temperature }
    if topK > 0 && topK < scores.count {
        let kth = scores.sorted(by: >)[topK - 1]
        scores = scores.map { $0 < kth ? -.infinity : $0 }
    }
    if topP < 1 {
        let probabilities = softmax(scores)
        let ascending = probabilities.indices.sorted { probabilities[$0] < probabilities[$1] }
        var cumulative = 0.0
        for index in ascending.dropLast() {
            cumulative += probabilities[index]
            if cumulative <= 1 - topP { scores[index] = -.infinity }
        }
    }
    if minP > 0 {
        let probabilities = softmax(scores)
        let top = probabilities.max() ?? 0
        scores = scores.indices.map { probabilities[$0] < minP * top ? -.infinity : scores[$0] }
    }
    return softmax(scores)
}

private func softmax(_ scores: [Double]) -> [Double] {
    let maximum = scores.max() ?? 0
    let weights = scores.map { exp($0 - maximum) }
    let total = weights.reduce(0, +)
    return weights.map { $0 / total }
}

/// Counts of each id over `draws` samples.
private func histogram(_ logits: [Float], _ parameters: SamplingParameters, draws: Int) throws -> [Int] {
    var sampler = try Sampler(parameters: parameters)
    var logits = logits
    let history = TokenHistory(prompt: [])
    var counts = [Int](repeating: 0, count: logits.count)
    for _ in 0..<draws {
        counts[sampler.sample(logits: &logits, history: history).id] += 1
    }
    return counts
}

/// Reproducible logits in [low, high).
private func randomLogits(count: Int, seed: UInt64, in range: Range<Float> = -20..<20) -> [Float] {
    var generator = Xoshiro256StarStar(seed: seed)
    return (0..<count).map { _ in Float.random(in: range, using: &generator) }
}

@Suite struct SamplerTests {
    static let vocabularySize = 151_936
    static let logits: [Float] = [2.0, 1.5, 1.0, 0.5, 0.0, -0.5, -1.0, -3.0]

    // MARK: greedy

    @Test func temperatureZeroAndTopKOneAreArgmax() throws {
        let logits = randomLogits(count: Self.vocabularySize, seed: 1)
        let expected = logits.indices.reduce(0) { logits[$1] > logits[$0] ? $1 : $0 }
        for parameters in [SamplingParameters.greedy, SamplingParameters(temperature: 0.8, topK: 1, seed: 3)] {
            var sampler = try Sampler(parameters: parameters)
            var copy = logits
            #expect(sampler.sample(logits: &copy, history: TokenHistory(prompt: [])).id == expected)
        }
    }

    @Test func greedyTiesGoToTheLowestId() throws {
        var sampler = try Sampler(parameters: .greedy)
        var logits: [Float] = [1, 5, 5, 2]
        #expect(sampler.sample(logits: &logits, history: TokenHistory(prompt: [])).id == 1)
    }

    // MARK: seeding

    @Test func sameSeedSameTokensDifferentSeedDifferentTokens() throws {
        func draws(seed: UInt64) throws -> [Int] {
            var sampler = try Sampler(parameters: SamplingParameters(temperature: 1.3, seed: seed))
            var logits = Self.logits
            return (0..<200).map { _ in sampler.sample(logits: &logits, history: TokenHistory(prompt: [])).id }
        }
        #expect(try draws(seed: 12345) == draws(seed: 12345))
        #expect(try draws(seed: 12345) != draws(seed: 12346))
        #expect(Set(try draws(seed: 1)).count > 4)
    }

    // MARK: distributions

    /// 200k draws; each frequency must be within 5σ = 5·sqrt(p(1−p)/N) of its probability
    /// (a false alarm per token has probability < 6e-7), and removed tokens must never appear.
    @Test(arguments: [
        (1.0, 0, 1.0, 0.0),
        (0.7, 0, 1.0, 0.0),
        (1.5, 3, 1.0, 0.0),
        (1.0, 0, 0.8, 0.0),
        (1.0, 0, 1.0, 0.2),
        (0.7, 5, 0.9, 0.3),
    ] as [(Float, Int, Float, Float)])
    func empiricalFrequenciesMatchTransformers(temperature: Float, topK: Int, topP: Float, minP: Float) throws {
        let draws = 200_000
        let parameters = SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP, seed: 2024)
        let counts = try histogram(Self.logits, parameters, draws: draws)
        let expected = referenceDistribution(
            Self.logits, temperature: Double(temperature), topK: topK, topP: Double(topP), minP: Double(minP))
        for (count, probability) in zip(counts, expected) {
            let frequency = Double(count) / Double(draws)
            let sigma = (probability * (1 - probability) / Double(draws)).squareRoot()
            #expect(probability > 0 ? abs(frequency - probability) <= 5 * sigma : count == 0)
        }
    }

    @Test func topKKeepsTokensTiedWithTheKth() throws {
        let counts = try histogram([3, 2, 2, 1], SamplingParameters(topK: 2, seed: 5), draws: 20_000)
        #expect(counts[0] > 0 && counts[1] > 0 && counts[2] > 0 && counts[3] == 0)
    }

    /// Four equal logits have probabilities of exactly 0.25. With top-p 0.5 the two tokens
    /// already holding 0.5 suffice (transformers removes cumulative <= 1 − 0.5); just above 0.5
    /// a third is needed. Among equals the lower ids are kept.
    @Test func topPBoundaryIsInclusive() throws {
        let uniform: [Float] = [1, 1, 1, 1]
        let atBoundary = try histogram(uniform, SamplingParameters(topP: 0.5, seed: 9), draws: 4000)
        #expect(atBoundary[0] > 0 && atBoundary[1] > 0 && atBoundary[2] == 0 && atBoundary[3] == 0)
        let aboveBoundary = try histogram(uniform, SamplingParameters(topP: 0.500_001, seed: 9), draws: 4000)
        #expect(aboveBoundary[0] > 0 && aboveBoundary[1] > 0 && aboveBoundary[2] > 0 && aboveBoundary[3] == 0)
    }

    @Test func topPAlwaysKeepsTheMostLikelyToken() throws {
        let counts = try histogram(Self.logits, SamplingParameters(topP: 0.01, seed: 4), draws: 1000)
        #expect(counts[0] == 1000)
    }

    /// min-p removes probabilities strictly below min_p · max: with min_p 1 only the tokens tied
    /// with the maximum stay; a token at half the top probability stays at min_p just below 0.5.
    @Test func minPBoundaryKeepsEqualProbabilities() throws {
        let tied = try histogram([2, 2, 1.999, -1], SamplingParameters(minP: 1, seed: 6), draws: 4000)
        #expect(tied[0] > 0 && tied[1] > 0 && tied[2] == 0 && tied[3] == 0)
        let half = Float(log(0.5))
        let counts = try histogram([0, half + 1e-4, half - 1e-4], SamplingParameters(minP: 0.5, seed: 6), draws: 4000)
        #expect(counts[0] > 0 && counts[1] > 0 && counts[2] == 0)
    }

    /// A full-size vocabulary with a flat distribution, where top-p keeps tens of thousands of
    /// tokens: every draw must be in the kept set (computed with a full sort), and the share of
    /// draws outside the 1000 most likely tokens must match within 5σ.
    @Test(arguments: [Float(0.9), 0.9999])
    func topPOnAFullVocabulary(topP: Float) throws {
        let logits = randomLogits(count: Self.vocabularySize, seed: 77, in: -10..<0)
        let probabilities = softmax(logits.map(Double.init))
        let descending = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
        var kept = Set<Int>()
        var mass = 0.0
        for id in descending where mass < Double(topP) {
            kept.insert(id)
            mass += probabilities[id]
        }
        let head = Set(descending.prefix(1000))
        let tailShare = kept.subtracting(head).reduce(0) { $0 + probabilities[$1] } / mass

        let draws = 2000
        let counts = try histogram(logits, SamplingParameters(topP: topP, seed: 8), draws: draws)
        let drawn = Set(counts.indices.filter { counts[$0] > 0 })
        #expect(drawn.isSubset(of: kept))
        let tailFrequency = Double(drawn.subtracting(head).reduce(0) { $0 + counts[$1] }) / Double(draws)
        let sigma = (tailShare * (1 - tailShare) / Double(draws)).squareRoot()
        #expect(abs(tailFrequency - tailShare) <= 5 * sigma)
    }

    // MARK: penalties and bias

    @Test func repetitionPenaltyRunsBeforeLogitBias() throws {
        let parameters = SamplingParameters(temperature: 0, repetitionPenalty: 2, logitBias: [0: 2])
        var sampler = try Sampler(parameters: parameters)
        var logits: [Float] = [2, 0]
        _ = sampler.sample(logits: &logits, history: TokenHistory(prompt: [0]))
        #expect(logits == [3, 0])
    }

    @Test func biasOfMinus100BansAToken() throws {
        let parameters = SamplingParameters(logitBias: [0: -100], seed: 1)
        let counts = try histogram([5, 1, 1], parameters, draws: 5000)
        #expect(counts[0] == 0 && counts[1] > 0 && counts[2] > 0)
        var greedy = try Sampler(parameters: SamplingParameters(temperature: 0, logitBias: [0: -100]))
        var logits: [Float] = [5, 1, 2]
        #expect(greedy.sample(logits: &logits, history: TokenHistory(prompt: [])).id == 2)
    }

    @Test func frequencyPenaltyChangesTheGreedyChoice() throws {
        var sampler = try Sampler(parameters: SamplingParameters(temperature: 0, frequencyPenalty: 0.3))
        var history = TokenHistory(prompt: [])
        history.append(0)
        var logits: [Float] = [1.5, 1]
        #expect(sampler.sample(logits: &logits, history: history).id == 0)
        history.append(0)
        logits = [1.5, 1]
        #expect(sampler.sample(logits: &logits, history: history).id == 1)
    }

    // MARK: logprobs

    @Test func logprobsDescribeTheFullPenalizedDistribution() throws {
        let raw = randomLogits(count: 16, seed: 11, in: -5..<5)
        let parameters = SamplingParameters(
            temperature: 2, topK: 3, repetitionPenalty: 1.3, seed: 3, logprobs: true, topLogprobs: 16)
        var sampler = try Sampler(parameters: parameters)
        let history = TokenHistory(prompt: [0, 5, 9])
        var logits = raw
        let token = sampler.sample(logits: &logits, history: history)

        let penalized = raw.indices.map { id -> Double in
            let logit = Double(raw[id])
            guard history.contains(id) else { return logit }
            return logit < 0 ? logit * 1.3 : logit / 1.3
        }
        let reference = softmax(penalized).map(log)
        #expect(token.topLogprobs.count == 16)
        #expect(abs(token.topLogprobs.reduce(0.0) { $0 + exp(Double($1.logprob)) } - 1) < 1e-5)
        #expect(zip(token.topLogprobs, token.topLogprobs.dropFirst()).allSatisfy { $0.logprob >= $1.logprob })
        for entry in token.topLogprobs {
            #expect(abs(Double(entry.logprob) - reference[entry.id]) < 1e-5)
        }
        #expect(abs(Double(token.logprob ?? 0) - reference[token.id]) < 1e-5)
    }

    @Test func logprobsOverAFullVocabulary() throws {
        let raw = randomLogits(count: Self.vocabularySize, seed: 12)
        var sampler = try Sampler(parameters: SamplingParameters(topK: 40, seed: 1, logprobs: true, topLogprobs: 5))
        var logits = raw
        let token = sampler.sample(logits: &logits, history: TokenHistory(prompt: []))

        let maximum = Double(raw.max() ?? 0)
        let logNormalizer = maximum + log(raw.reduce(0.0) { $0 + exp(Double($1) - maximum) })
        let top5 = raw.indices.sorted { raw[$0] > raw[$1] }.prefix(5)
        #expect(token.topLogprobs.map(\.id) == Array(top5))
        for entry in token.topLogprobs {
            #expect(abs(Double(entry.logprob) - (Double(raw[entry.id]) - logNormalizer)) < 1e-4)
        }
        #expect(abs(Double(token.logprob ?? 0) - (Double(raw[token.id]) - logNormalizer)) < 1e-4)
    }

    @Test func noLogprobsUnlessAsked() throws {
        var sampler = try Sampler(parameters: SamplingParameters(seed: 1, topLogprobs: 3))
        var logits = Self.logits
        let token = sampler.sample(logits: &logits, history: TokenHistory(prompt: []))
        #expect(token.logprob == nil && token.topLogprobs.isEmpty)
    }

    @Test func invalidParametersAreRejected() {
        #expect(throws: SamplingParametersError.self) { try Sampler(parameters: SamplingParameters(topP: 0)) }
    }
}
