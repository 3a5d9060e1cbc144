import Foundation
import QwenKit
import Testing

@Suite struct KVCacheTests {
    static let modelURL = Fixtures.url("models/tiny-qwen2.5")
    static let prompt = [9707, 11, 1879, 0, 1096, 374, 264, 1273]

    @Test func exceedingTheContextIsAnError() throws {
        let model = try Qwen2Model(directory: Self.modelURL)
        let cache = try model.makeCache(contextLength: 8)
        try model.forward(Array(Self.prompt.prefix(6)), cache: cache)
        #expect(throws: ModelError.contextLengthExceeded(requested: 9, capacity: 8)) {
            try model.forward([1, 2, 3], cache: cache)
        }
        #expect(cache.count == 6)
        try model.forward([1, 2], cache: cache)
        #expect(cache.count == 8)
        #expect(throws: ModelError.contextLengthExceeded(requested: 9, capacity: 8)) {
            try model.forward([3], cache: cache)
        }
    }

    @Test(arguments: KVCachePrecision.allCases)
    func resetAndReuseGiveIdenticalLogits(precision: KVCachePrecision) throws {
        let model = try Qwen2Model(directory: Self.modelURL)
        let cache = try model.makeCache(contextLength: 32, precision: precision)
        #expect(cache.precision == precision)
        let first = try model.forward(Self.prompt, cache: cache, positions: .all)
        cache.reset()
        #expect(cache.count == 0)
        try model.forward([5, 6, 7, 8, 9, 10], cache: cache)
        cache.reset()
        let second = try model.forward(Self.prompt, cache: cache, positions: .all)
        #expect(first.values.elementsEqual(second.values))
    }

    @Test(arguments: KVCachePrecision.allCases)
    func truncateKeepsThePrefix(precision: KVCachePrecision) throws {
        let model = try Qwen2Model(directory: Self.modelURL)
        let cache = try model.makeCache(contextLength: 32, precision: precision)
        let whole = try model.forward(Self.prompt, cache: cache)
        try cache.truncate(to: 5)
        #expect(cache.count == 5)
        let resumed = try model.forward(Array(Self.prompt.dropFirst(5)), cache: cache)
        // Three rows instead of eight, both within Kernels.batchInvariantRowLimit: the same result.
        #expect(resumed.last.elementsEqual(whole.last))
        #expect(throws: ModelError.invalidTruncation(to: 9, count: 8)) { try cache.truncate(to: 9) }
        #expect(throws: ModelError.invalidTruncation(to: -1, count: 8)) { try cache.truncate(to: -1) }
    }

    @Test func contextLengthDefaultsAndLimits() throws {
        let configuration = try Qwen2Configuration.load(from: Self.modelURL.appendingPathComponent("config.json"))
        // tiny-qwen2.5: 2 layers × 2 KV heads × head_dim 16 × keys and values × 4 bytes.
        #expect(KVCache.bytesPerToken(for: configuration) == 512)
        #expect(KVCache.defaultContextLength(for: configuration, memoryBudget: 1 << 40) == 32768)
        #expect(KVCache.defaultContextLength(for: configuration, memoryBudget: 512 * 1000) == 1000)
        #expect(try KVCache(configuration: configuration).capacity >= 1)
        #expect(throws: ModelError.invalidContextLength(0)) { try KVCache(configuration: configuration, contextLength: 0) }
    }

    /// Row bytes per precision: float32 `4·headDim`; float16 and Q8_0 rows padded to a multiple of
    /// 64 values, so Qwen2.5's head_dim 64 takes 128 and 68 (two 34-byte blocks) bytes, while the
    /// fixture's head_dim 16 takes a whole 64-value row (128 and 68 bytes).
    @Test func bytesPerTokenFollowsThePrecision() throws {
        let tiny = try Qwen2Configuration.load(from: Self.modelURL.appendingPathComponent("config.json"))
        #expect(KVCache.bytesPerToken(for: tiny, precision: .f32) == 2 * 2 * 2 * 64)
        #expect(KVCache.bytesPerToken(for: tiny, precision: .f16) == 2 * 2 * 2 * 128)
        #expect(KVCache.bytesPerToken(for: tiny, precision: .q8_0) == 2 * 2 * 2 * 68)
        // Qwen2.5-0.5B: 24 layers × 2 KV heads × head_dim 64.
        let json = """
            {"hidden_size": 896, "intermediate_size": 4864, "num_attention_heads": 14, "num_hidden_layers": 24,
             "num_key_value_heads": 2, "vocab_size": 151936, "max_position_embeddings": 32768}
            """
        let small = try JSONDecoder().decode(Qwen2Configuration.self, from: Data(json.utf8))
        #expect(KVCache.bytesPerToken(for: small, precision: .f32) == 24 * 2 * 2 * 256)
        #expect(KVCache.bytesPerToken(for: small, precision: .f16) == 24 * 2 * 2 * 128)
        #expect(KVCache.bytesPerToken(for: small, precision: .q8_0) == 24 * 2 * 2 * 68)
        #expect(KVCache.defaultContextLength(for: small, precision: .q8_0, memoryBudget: 6528 * 1000) == 1000)
        #expect(KVCache.defaultContextLength(for: small, precision: .f16, memoryBudget: 6528 * 1000) == 531)
    }

    @Test(arguments: KVCachePrecision.allCases)
    func copyPrefixContinuesLikeTheSource(precision: KVCachePrecision) throws {
        let model = try Qwen2Model(directory: Self.modelURL)
        let source = try model.makeCache(contextLength: 32, precision: precision)
        try model.forward(Self.prompt, cache: source)
        let target = try model.makeCache(contextLength: 16, precision: precision)
        try model.forward([5, 6, 7], cache: target)
        try target.copyPrefix(from: source, count: 6)
        #expect(target.count == 6)
        try source.truncate(to: 6)
        let fromSource = try model.forward(Array(Self.prompt.dropFirst(6)), cache: source)
        let fromCopy = try model.forward(Array(Self.prompt.dropFirst(6)), cache: target)
        #expect(fromCopy.values == fromSource.values)
        #expect(throws: ModelError.invalidPrefixCopy(count: 9, available: 8, capacity: 16)) {
            try target.copyPrefix(from: source, count: 9)
        }
        let small = try model.makeCache(contextLength: 4, precision: precision)
        #expect(throws: ModelError.invalidPrefixCopy(count: 6, available: 8, capacity: 4)) {
            try small.copyPrefix(from: source, count: 6)
        }
    }

    @Test func copyPrefixNeedsTheSamePrecision() throws {
        let model = try Qwen2Model(directory: Self.modelURL)
        let source = try model.makeCache(contextLength: 8, precision: .q8_0)
        try model.forward(Self.prompt, cache: source)
        let target = try model.makeCache(contextLength: 8, precision: .f16)
        #expect(throws: ModelError.cachePrecisionMismatch(source: .q8_0, target: .f16)) {
            try target.copyPrefix(from: source, count: 4)
        }
        #expect(target.count == 0)
    }
}
