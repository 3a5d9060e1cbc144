import Foundation
import QwenKit
import Testing

/// A random model of a shape the fixtures do not have (float16, head_dim 32 with 8 query and
/// 2 KV heads, hidden size ≠ heads × head_dim, untied lm_head, two shards, transformers-5
/// config) against a naive reference forward, and prefill against token-by-token decoding.
@Suite struct Qwen2ModelShapeTests {
    static let shape = RandomQwen2Model.Shape()

    static func makeModel(shape: RandomQwen2Model.Shape = shape, shardCount: Int = 2) throws -> (RandomQwen2Model, Qwen2Model, URL) {
        let reference = RandomQwen2Model(shape: shape, seed: 42)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("qwen-random-model-\(UUID().uuidString)")
        try reference.write(to: directory, shardCount: shardCount)
        return (reference, try Qwen2Model(directory: directory, threadCount: 2), directory)
    }

    static func randomTokens(_ count: Int, seed: UInt64) -> [Int] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in random.index(below: shape.vocabularySize) }
    }

    static func maxDifference(_ a: ArraySlice<Float>, _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test func matchesNaiveReferenceAtEveryPosition() throws {
        let (reference, model, directory) = try Self.makeModel()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(model.configuration.headDim == 32)
        let tokens = Self.randomTokens(40, seed: 7)
        let expected = reference.referenceLogits(tokens)
        let logits = try model.forward(tokens, cache: model.makeCache(contextLength: 64), positions: .all)
        for position in tokens.indices {
            let error = Self.maxDifference(logits[position], expected[position])
            #expect(error <= 1e-4, "position \(position): max abs error \(error)")
        }
    }

    /// The second layer attends only to the last 12 positions, in prefill and in decoding.
    @Test func slidingWindowLayersMatchNaiveReference() throws {
        var shape = Self.shape
        shape.slidingWindow = 12
        let (reference, model, directory) = try Self.makeModel(shape: shape, shardCount: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(model.configuration.slidingWindow(forLayer: 1) == 12)
        let tokens = Self.randomTokens(40, seed: 5)
        let expected = reference.referenceLogits(tokens)
        let prefilled = try model.forward(tokens, cache: model.makeCache(contextLength: 40), positions: .all)
        let cache = try model.makeCache(contextLength: 40)
        var step = Logits(vocabularySize: model.configuration.vocabSize)
        for (position, token) in tokens.enumerated() {
            try model.forward([token], cache: cache, into: &step)
            #expect(Self.maxDifference(prefilled[position], expected[position]) <= 1e-4, "prefill \(position)")
            #expect(Self.maxDifference(step.last, expected[position]) <= 1e-4, "decode \(position)")
        }
        let fullAttention = RandomQwen2Model(shape: Self.shape, seed: 42).referenceLogits(tokens)
        #expect(Self.maxDifference(prefilled[39], fullAttention[39]) > 1e-2)
    }

    @Test func longPromptIsProcessedInChunks() throws {
        let (reference, model, directory) = try Self.makeModel(shardCount: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokens = Self.randomTokens(Qwen2Model.maxChunkRows + 37, seed: 11)
        let expected = reference.referenceLogits(tokens)
        let logits = try model.forward(tokens, cache: model.makeCache(contextLength: tokens.count), positions: .all)
        for position in [0, Qwen2Model.maxChunkRows - 1, Qwen2Model.maxChunkRows, tokens.count - 1] {
            let error = Self.maxDifference(logits[position], expected[position])
            #expect(error <= 1e-4, "position \(position): max abs error \(error)")
        }
        // Only the last position: the first chunk ends no input, so its last layer keeps no rows.
        let last = try model.forward(tokens, cache: model.makeCache(contextLength: tokens.count))
        #expect(last.rowCount == 1)
        let error = Self.maxDifference(last[0], expected[tokens.count - 1])
        #expect(error <= 1e-4, "last position: max abs error \(error)")
    }

    @Test func prefillInOnePassEqualsTokenByToken() throws {
        let (_, model, directory) = try Self.makeModel()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokens = Self.randomTokens(33, seed: 3)
        let prefilled = try model.forward(tokens, cache: model.makeCache(contextLength: 64), positions: .all)
        let cache = try model.makeCache(contextLength: 64)
        var step = Logits(vocabularySize: model.configuration.vocabSize)
        for (position, token) in tokens.enumerated() {
            try model.forward([token], cache: cache, into: &step)
            let error = Self.maxDifference(prefilled[position], Array(step.last))
            #expect(error <= 1e-4, "position \(position): max abs error \(error)")
        }
        #expect(cache.count == tokens.count)
    }

    /// Several sequences in one pass (prompts of different lengths, then one decode token each)
    /// give the logits each sequence gets alone, also when the batch spans several chunks.
    @Test func batchedSequencesMatchSeparateRuns() throws {
        let (reference, model, directory) = try Self.makeModel(shardCount: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let lengths = [5, 1, Qwen2Model.maxChunkRows - 3, 9]
        let prompts = lengths.enumerated().map { Self.randomTokens($1, seed: 100 + UInt64($0)) }
        let next = [17, 42, 99, 3]
        let caches = try prompts.map { try model.makeCache(contextLength: $0.count + 1) }
        var logits = Logits(vocabularySize: model.configuration.vocabSize)
        try model.forward(zip(prompts, caches).map { SequenceInput(tokens: $0, cache: $1) }, into: &logits)
        #expect(logits.rowCount == prompts.count)
        for (i, prompt) in prompts.enumerated() {
            let expected = reference.referenceLogits(prompt + [next[i]])
            #expect(Self.maxDifference(logits[i], expected[prompt.count - 1]) <= 1e-4, "prompt \(i)")
        }
        try model.forward(zip(next, caches).map { SequenceInput(tokens: [$0], cache: $1) }, positions: .all, into: &logits)
        #expect(logits.rowCount == prompts.count)
        for (i, prompt) in prompts.enumerated() {
            let expected = reference.referenceLogits(prompt + [next[i]])
            #expect(Self.maxDifference(logits[i], expected[prompt.count]) <= 1e-4, "decode \(i)")
            #expect(caches[i].count == prompt.count + 1)
        }
    }

    @Test func batchWithAllPositionsConcatenatesTheInputs() throws {
        let (_, model, directory) = try Self.makeModel(shardCount: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = Self.randomTokens(6, seed: 1), b = Self.randomTokens(4, seed: 2)
        let alone = try [a, b].map { try model.forward($0, cache: model.makeCache(contextLength: 8), positions: .all) }
        var batched = Logits(vocabularySize: model.configuration.vocabSize)
        let inputs = try [a, b].map { SequenceInput(tokens: $0, cache: try model.makeCache(contextLength: 8)) }
        try model.forward(inputs, positions: .all, into: &batched)
        #expect(batched.rowCount == 10)
        for row in 0..<10 {
            let expected = row < 6 ? alone[0][row] : alone[1][row - 6]
            // Up to Kernels.batchInvariantRowLimit rows, a row's result does not depend on the others.
            #expect(batched[row].elementsEqual(expected), "row \(row)")
        }
    }

    @Test func batchRejectsASharedCacheAndChangesNothing() throws {
        let (_, model, directory) = try Self.makeModel(shardCount: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let shared = try model.makeCache(contextLength: 8), other = try model.makeCache(contextLength: 8)
        var logits = Logits(vocabularySize: model.configuration.vocabSize)
        let inputs = [SequenceInput(tokens: [1], cache: shared), SequenceInput(tokens: [2], cache: other),
                      SequenceInput(tokens: [3], cache: shared)]
        #expect(throws: ModelError.duplicateCache(first: 0, second: 2)) { try model.forward(inputs, into: &logits) }
        let tooLong = [SequenceInput(tokens: [1], cache: shared), SequenceInput(tokens: Array(repeating: 1, count: 9), cache: other)]
        #expect(throws: ModelError.contextLengthExceeded(requested: 9, capacity: 8)) { try model.forward(tooLong, into: &logits) }
        #expect(shared.count == 0 && other.count == 0)
    }

    @Test func tokenOutsideTheVocabularyIsAnError() throws {
        let (_, model, directory) = try Self.makeModel(shardCount: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = try model.makeCache(contextLength: 8)
        #expect(throws: ModelError.tokenOutOfRange(id: 256, vocabularySize: 256)) {
            try model.forward([1, 256], cache: cache)
        }
        #expect(throws: ModelError.emptyInput) { try model.forward([], cache: cache) }
        #expect(cache.count == 0)
    }
}
