import Foundation
import QwenKit
import Testing

/// `Qwen2Configuration(gguf:)`: the `qwen2.*` keys as llama.cpp's converter writes them.
@Suite struct GGUFConfigurationTests {
    /// The metadata `convert_hf_to_gguf.py` wrote for `tiny-qwen2.5-yarn` (keys, value types and
    /// values as in its output), without the vocabulary.
    static let yarnMetadata: [(String, GGUFMetadataValue)] = [
        ("general.architecture", .string("qwen2")),
        ("qwen2.block_count", .uint32(2)),
        ("qwen2.context_length", .uint32(131072)),
        ("qwen2.embedding_length", .uint32(64)),
        ("qwen2.feed_forward_length", .uint32(128)),
        ("qwen2.attention.head_count", .uint32(4)),
        ("qwen2.attention.head_count_kv", .uint32(1)),
        ("qwen2.rope.scaling.type", .string("yarn")),
        ("qwen2.rope.scaling.factor", .float32(4)),
        ("qwen2.rope.scaling.original_context_length", .uint32(32768)),
        ("qwen2.rope.freq_base", .float32(1_000_000)),
        ("qwen2.attention.layer_norm_rms_epsilon", .float32(1e-6)),
        ("tokenizer.ggml.eos_token_id", .uint32(151645)),
        ("tokenizer.ggml.bos_token_id", .uint32(151643)),
    ]

    /// A file with `metadata` and, like the converter's output, `token_embd.weight` (vocabulary
    /// 151936) and optionally `output.weight`, both with a one-value row to stay small.
    static func file(
        _ metadata: [(String, GGUFMetadataValue)], untied: Bool = true, changing changes: [(String, GGUFMetadataValue?)] = []
    ) throws -> GGUFFile {
        var entries = metadata
        for (key, value) in changes {
            entries.removeAll { $0.0 == key }
            if let value { entries.append((key, value)) }
        }
        var writer = GGUFWriter()
        for (key, value) in entries { writer.setValue(value, forKey: key) }
        writer.addTensor(name: "token_embd.weight", type: .i8, dimensions: [1, 151936], data: Data(count: 151936))
        if untied { writer.addTensor(name: "output.weight", type: .i8, dimensions: [1, 151936], data: Data(count: 151936)) }
        return try GGUFFile(url: GGUFTestFile.write(writer))
    }

    /// The configuration of a model directory with the fields a GGUF does not carry set as
    /// `Qwen2Configuration(gguf:)` leaves them.
    static func expected(_ model: String) throws -> Qwen2Configuration {
        var config = try Qwen2Configuration.load(from: Fixtures.url("models/\(model)/config.json"))
        config.dtype = nil
        config.maxWindowLayers = 28
        config.arithmetic = .llamaCpp
        return config
    }

    @Test func yarnMetadataGivesTheHFConfiguration() throws {
        let config = try Qwen2Configuration(gguf: Self.file(Self.yarnMetadata))
        #expect(config == (try Self.expected("tiny-qwen2.5-yarn")))
        let scaling = try #require(config.ropeScaling)
        #expect(scaling.ropeType == .yarn && scaling.factor == 4 && scaling.originalMaxPositionEmbeddings == 32768)
        #expect(scaling.attentionFactor == 0.1 * log(4.0) + 1)
        #expect(config.rmsNormEps == 1e-6)
    }

    @Test func optionalKeys() throws {
        let file = try Self.file(Self.yarnMetadata, untied: false, changing: [
            ("qwen2.attention.head_count_kv", nil), ("qwen2.rope.scaling.type", .string("none")),
            ("qwen2.attention.key_length", .uint32(32)), ("qwen2.attention.value_length", .uint32(32)),
            ("qwen2.rope.freq_base", nil), ("qwen2.context_length", nil), ("tokenizer.ggml.bos_token_id", nil),
        ])
        let config = try Qwen2Configuration(gguf: file)
        #expect(config.numKeyValueHeads == 4)
        #expect(config.headDim == 32)
        #expect(config.ropeScaling == nil)
        #expect(config.ropeTheta == 10000)
        #expect(config.maxPositionEmbeddings == 32768)
        #expect(config.tieWordEmbeddings)
        #expect(config.vocabSize == 151936)
        #expect(config.bosTokenId == nil && config.eosTokenIds == [151645])
    }

    @Test func yarnScalingParameters() throws {
        let file = try Self.file(Self.yarnMetadata, changing: [
            ("qwen2.rope.scaling.yarn_beta_fast", .float32(16)), ("qwen2.rope.scaling.yarn_beta_slow", .float32(2)),
            ("qwen2.rope.scaling.yarn_attn_factor", .float32(1.25)),
        ])
        let scaling = try #require(try Qwen2Configuration(gguf: file).ropeScaling)
        #expect(scaling.betaFast == 16 && scaling.betaSlow == 2 && scaling.attentionFactor == 1.25)
    }

    @Test func errorsNameTheKey() throws {
        func expectError(_ changes: [(String, GGUFMetadataValue?)], _ expected: (String) -> GGUFError) throws {
            let file = try Self.file(Self.yarnMetadata, changing: changes)
            #expect(throws: expected(file.url.path)) { try Qwen2Configuration(gguf: file) }
        }
        try expectError([("general.architecture", .string("gemma"))]) {
            .invalidValue(file: $0, key: "general.architecture", reason: "unsupported architecture \"gemma\" (expected \"qwen2\" or \"llama\")")
        }
        try expectError([("general.architecture", nil)]) { .missingKey(file: $0, key: "general.architecture") }
        try expectError([("qwen2.embedding_length", nil)]) { .missingKey(file: $0, key: "qwen2.embedding_length") }
        try expectError([("qwen2.block_count", .string("2"))]) {
            .wrongType(file: $0, key: "qwen2.block_count", expected: "an integer", actual: .string)
        }
        try expectError([("qwen2.attention.head_count", .uint32(0))]) {
            .invalidValue(file: $0, key: "qwen2.attention.head_count", reason: "must be positive, got 0")
        }
        try expectError([("qwen2.attention.head_count_kv", .uint32(3))]) {
            .invalidValue(file: $0, key: "qwen2.attention.head_count_kv", reason: "3 does not divide num_attention_heads 4")
        }
        try expectError([("qwen2.attention.layer_norm_rms_epsilon", .float32(-1))]) {
            .invalidValue(file: $0, key: "qwen2.attention.layer_norm_rms_epsilon", reason: "must be positive")
        }
        try expectError([("qwen2.rope.freq_base", .string("1e6"))]) {
            .wrongType(file: $0, key: "qwen2.rope.freq_base", expected: "a float", actual: .string)
        }
        try expectError([("qwen2.rope.scaling.type", .string("longrope"))]) {
            .invalidValue(
                file: $0, key: "qwen2.rope.scaling.type", reason: "unsupported RoPE scaling \"longrope\" (expected none, linear or yarn)")
        }
        try expectError([("qwen2.rope.scaling.factor", .float32(-2))]) {
            .invalidValue(file: $0, key: "qwen2.rope.scaling.factor", reason: "must be positive")
        }
        try expectError([("qwen2.rope.scaling.type", .string("linear")), ("qwen2.rope.scaling.factor", nil)]) {
            .missingKey(file: $0, key: "qwen2.rope.scaling.factor")
        }
        try expectError([("qwen2.attention.key_length", .uint32(16)), ("qwen2.attention.value_length", .uint32(32))]) {
            .invalidValue(file: $0, key: "qwen2.attention.value_length", reason: "32 differs from qwen2.attention.key_length")
        }
        try expectError([("qwen2.attention.key_length", .uint32(15))]) {
            .invalidValue(file: $0, key: "qwen2.attention.key_length", reason: "must be even for rotary embeddings, got 15")
        }
        try expectError([("qwen2.attention.layer_norm_rms_epsilon", .float32(.nan))]) {
            .invalidValue(file: $0, key: "qwen2.attention.layer_norm_rms_epsilon", reason: "nan is not a finite number")
        }
        try expectError([("qwen2.rope.freq_base", .float32(.infinity))]) {
            .invalidValue(file: $0, key: "qwen2.rope.freq_base", reason: "inf is not a finite number")
        }
        try expectError([("qwen2.block_count", .uint32(.max))]) {
            .invalidValue(file: $0, key: "qwen2.block_count", reason: "4294967295 layers is more than any model has (at most 65536)")
        }
    }

    @Test func vocabularySizeFromTokensWithoutEmbedding() throws {
        var writer = GGUFWriter()
        for (key, value) in Self.yarnMetadata { writer.setValue(value, forKey: key) }
        writer.setValue(.array(.string, (0..<10).map { .string("t\($0)") }), forKey: "tokenizer.ggml.tokens")
        let config = try Qwen2Configuration(gguf: GGUFFile(url: GGUFTestFile.write(writer)))
        #expect(config.vocabSize == 10)
        #expect(config.tieWordEmbeddings)
    }
}
