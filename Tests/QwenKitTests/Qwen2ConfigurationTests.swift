import Foundation
import QwenKit
import Testing

@Suite struct Qwen2ConfigurationTests {
    @Test func tiedFixtureConfiguration() throws {
        let config = try Qwen2Configuration.load(from: Fixtures.url("models/tiny-qwen2.5/config.json"))
        #expect(config.hiddenSize == 64)
        #expect(config.intermediateSize == 160)
        #expect(config.numHiddenLayers == 2)
        #expect(config.numAttentionHeads == 4)
        #expect(config.numKeyValueHeads == 2)
        #expect(config.headDim == 16)
        #expect(config.vocabSize == 151_936)
        #expect(config.maxPositionEmbeddings == 32768)
        #expect(config.rmsNormEps == 1e-6)
        #expect(config.ropeTheta == 1_000_000)
        #expect(config.ropeScaling == nil)
        #expect(config.tieWordEmbeddings)
        #expect(config.slidingWindow == nil)
        #expect(config.layerTypes == ["full_attention", "full_attention"])
        #expect(config.slidingWindow(forLayer: 1) == nil)
        #expect(config.dtype == "bfloat16")
        #expect(config.bosTokenId == 151_643)
        #expect(config.eosTokenIds == [151_645])
    }

    @Test func yarnFixtureConfiguration() throws {
        let config = try Qwen2Configuration.load(from: Fixtures.url("models/tiny-qwen2.5-yarn/config.json"))
        #expect(config.numKeyValueHeads == 1)
        #expect(!config.tieWordEmbeddings)
        #expect(config.maxPositionEmbeddings == 131_072)
        let scaling = try #require(config.ropeScaling)
        #expect(scaling.ropeType == .yarn)
        #expect(scaling.factor == 4)
        #expect(scaling.originalMaxPositionEmbeddings == 32768)
        #expect(scaling.attentionFactor == 0.1 * log(4.0) + 1)
        #expect(scaling.betaFast == 32)
        #expect(scaling.betaSlow == 1)
        #expect(scaling.truncate)
    }

    /// The sizes every test config needs; `extra` is spliced into the JSON object.
    static func json(_ extra: String = "", layers: Int = 4) -> String {
        let sizes = """
            "model_type": "qwen2", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": \(layers),
            "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000
            """
        return extra.isEmpty ? "{\(sizes)}" : "{\(sizes), \(extra)}"
    }

    static func load(_ json: String) throws -> Qwen2Configuration {
        let file = try ConfigurationTestFile(json)
        defer { file.remove() }
        return try Qwen2Configuration.load(from: file.url)
    }

    // Expected values: transformers 5.24 `Qwen2Config.from_dict` on the same JSON.
    @Test func absentFieldsTakeTransformersDefaults() throws {
        let config = try Self.load(Self.json())
        #expect(config.maxPositionEmbeddings == 32768)
        #expect(config.rmsNormEps == 1e-6)
        #expect(config.ropeTheta == 10000)
        #expect(config.ropeScaling == nil)
        #expect(!config.tieWordEmbeddings)
        #expect(!config.useSlidingWindow)
        #expect(config.slidingWindow == nil)
        #expect(config.maxWindowLayers == 28)
        #expect(config.hiddenAct == "silu")
        #expect(config.dtype == nil)
        #expect(config.bosTokenId == nil)
        #expect(config.eosTokenIds == [])
    }

    @Test func releaseLayoutSlidingWindowStartsAtMaxWindowLayers() throws {
        let config = try Self.load(Self.json(#""use_sliding_window": true, "sliding_window": 16, "max_window_layers": 2"#))
        #expect(config.layerTypes == ["full_attention", "full_attention", "sliding_attention", "sliding_attention"])
        #expect((0..<4).map(config.slidingWindow(forLayer:)) == [nil, nil, 16, 16])
    }

    @Test func slidingWindowDefaultsTo4096WhenEnabled() throws {
        let config = try Self.load(Self.json(#""use_sliding_window": true, "max_window_layers": 1"#))
        #expect((0..<4).map(config.slidingWindow(forLayer:)) == [nil, 4096, 4096, 4096])
    }

    @Test func slidingWindowIsOffUnlessEnabled() throws {
        let config = try Self.load(Self.json(#""use_sliding_window": false, "sliding_window": 16, "max_window_layers": 0"#))
        #expect(config.slidingWindow == nil)
        #expect((0..<4).map(config.slidingWindow(forLayer:)) == [nil, nil, nil, nil])
    }

    @Test func transformers5LayoutIsRead() throws {
        let config = try Self.load(Self.json("""
            "use_sliding_window": true, "sliding_window": 8, "dtype": "float16", "head_dim": 128,
            "layer_types": ["sliding_attention", "full_attention", "sliding_attention", "attention"],
            "rope_parameters": {"rope_type": "yarn", "rope_theta": 1000000.0, "factor": 4.0,
                                "original_max_position_embeddings": 32768},
            "max_position_embeddings": 131072, "eos_token_id": [1, 2]
            """))
        #expect(config.layerTypes == ["sliding_attention", "full_attention", "sliding_attention", "full_attention"])
        #expect((0..<4).map(config.slidingWindow(forLayer:)) == [8, nil, 8, nil])
        #expect(config.dtype == "float16")
        #expect(config.headDim == 128)
        #expect(config.ropeTheta == 1_000_000)
        #expect(config.ropeScaling?.ropeType == .yarn)
        #expect(config.ropeScaling?.factor == 4)
        #expect(config.ropeScaling?.originalMaxPositionEmbeddings == 32768)
        #expect(config.eosTokenIds == [1, 2])
    }

    @Test func transformers5NullWindowWithFullLayers() throws {
        let config = try Self.load(Self.json(#""sliding_window": null, "layer_types": ["full_attention", "full_attention", "full_attention", "full_attention"], "rope_parameters": {"rope_type": "default", "rope_theta": 500000.0}"#))
        #expect(config.slidingWindow == nil)
        #expect(config.ropeTheta == 500_000)
        #expect(config.ropeScaling == nil)
    }

    @Test func ropeScalingWinsOverRopeParameters() throws {
        let config = try Self.load(Self.json(#""rope_scaling": {"type": "linear", "factor": 2.0}, "rope_parameters": {"rope_type": "default", "rope_theta": 7.0}, "rope_theta": 3.0"#))
        #expect(config.ropeTheta == 3)
        #expect(config.ropeScaling == RopeScaling(ropeType: .linear, factor: 2))
    }

    @Test func emptyRopeScalingFallsBackToRopeParameters() throws {
        let config = try Self.load(Self.json(#""rope_scaling": {}, "rope_parameters": {"rope_type": "linear", "factor": 3}, "rope_theta": 3.0"#))
        #expect(config.ropeTheta == 3)
        #expect(config.ropeScaling == RopeScaling(ropeType: .linear, factor: 3))
    }

    @Test func yarnOriginalLengthDefaultsToMaxPositionEmbeddings() throws {
        let config = try Self.load(Self.json(#""rope_scaling": {"type": "yarn", "factor": 2.0}, "max_position_embeddings": 65536"#))
        #expect(config.ropeScaling?.originalMaxPositionEmbeddings == 65536)
    }

    @Test func topLevelOriginalLengthOverridesRopeScaling() throws {
        // transformers re-standardizes when the rotary embedding is built and then prefers the
        // top-level field (as Phi-3 configs need).
        let config = try Self.load(Self.json(#""rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 1000}, "original_max_position_embeddings": 2000, "max_position_embeddings": 8000"#))
        #expect(config.ropeScaling?.originalMaxPositionEmbeddings == 2000)
    }

    @Test func numKeyValueHeadsNullMeansMultiHeadAttention() throws {
        let config = try Self.load(Self.json().replacingOccurrences(of: #""num_key_value_heads": 2"#, with: #""num_key_value_heads": null"#))
        #expect(config.numKeyValueHeads == 4)
    }

    @Test func explicitHeadDimNeedNotDivideHidden() throws {
        let config = try Self.load(Self.json(#""head_dim": 24"#).replacingOccurrences(of: #""num_attention_heads": 4"#, with: #""num_attention_heads": 6"#))
        #expect(config.headDim == 24)
    }

    @Test func eosTokenIdMayBeOneIdOrNull() throws {
        #expect(try Self.load(Self.json(#""eos_token_id": 7"#)).eosTokenIds == [7])
        #expect(try Self.load(Self.json(#""eos_token_id": null"#)).eosTokenIds == [])
    }

    @Test func encodingRoundTrips() throws {
        for json in [
            Self.json(#""use_sliding_window": true, "sliding_window": 16, "max_window_layers": 2, "eos_token_id": [1, 2], "torch_dtype": "bfloat16""#),
            Self.json(#""rope_scaling": {"type": "yarn", "factor": 4.0, "beta_fast": 16, "truncate": false}, "tie_word_embeddings": true, "eos_token_id": 5"#),
        ] {
            let config = try Self.load(json)
            let encoded = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
            #expect(try Self.load(encoded) == config)
        }
    }

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let json: String
        let error: @Sendable (String) -> ConfigurationError
    }

    static let invalidCases: [InvalidCase] = [
        InvalidCase(testDescription: "not JSON", json: "{\"hidden_size\": ") { .invalidJSON(file: $0) },
        InvalidCase(testDescription: "a JSON array", json: "[1]") { .invalidJSON(file: $0) },
        InvalidCase(testDescription: "missing hidden_size",
                    json: json().replacingOccurrences(of: #""hidden_size": 64,"#, with: "")) {
            .missingField(file: $0, field: "hidden_size")
        },
        InvalidCase(testDescription: "missing num_key_value_heads",
                    json: json().replacingOccurrences(of: #""num_key_value_heads": 2,"#, with: "")) {
            .missingField(file: $0, field: "num_key_value_heads")
        },
        InvalidCase(testDescription: "null vocab_size",
                    json: json().replacingOccurrences(of: #""vocab_size": 1000"#, with: #""vocab_size": null"#)) {
            .missingField(file: $0, field: "vocab_size")
        },
        InvalidCase(testDescription: "hidden_size a string",
                    json: json().replacingOccurrences(of: #""hidden_size": 64"#, with: #""hidden_size": "64""#)) {
            .wrongType(file: $0, field: "hidden_size")
        },
        InvalidCase(testDescription: "hidden_size fractional",
                    json: json().replacingOccurrences(of: #""hidden_size": 64"#, with: #""hidden_size": 64.5"#)) {
            .wrongType(file: $0, field: "hidden_size")
        },
        InvalidCase(testDescription: "zero layers", json: json(layers: 0)) {
            .invalidValue(file: $0, field: "num_hidden_layers", reason: "must be positive, got 0")
        },
        InvalidCase(testDescription: "heads do not divide hidden",
                    json: json().replacingOccurrences(of: #""num_attention_heads": 4, "num_key_value_heads": 2"#,
                                                      with: #""num_attention_heads": 6, "num_key_value_heads": 2"#)) {
            .invalidValue(file: $0, field: "num_attention_heads", reason: "6 does not divide hidden_size 64 and head_dim is not given")
        },
        InvalidCase(testDescription: "kv heads do not divide heads",
                    json: json().replacingOccurrences(of: #""num_key_value_heads": 2"#, with: #""num_key_value_heads": 3"#)) {
            .invalidValue(file: $0, field: "num_key_value_heads", reason: "3 does not divide num_attention_heads 4")
        },
        InvalidCase(testDescription: "negative head_dim", json: json(#""head_dim": -8"#)) {
            .invalidValue(file: $0, field: "head_dim", reason: "must be positive, got -8")
        },
        InvalidCase(testDescription: "odd head_dim", json: json(#""head_dim": 15"#)) {
            .invalidValue(file: $0, field: "head_dim", reason: "must be even for rotary embeddings, got 15")
        },
        InvalidCase(testDescription: "zero rms_norm_eps", json: json(#""rms_norm_eps": 0"#)) {
            .invalidValue(file: $0, field: "rms_norm_eps", reason: "must be positive")
        },
        InvalidCase(testDescription: "other model type", json: json().replacingOccurrences(of: #""qwen2""#, with: #""gemma""#)) {
            .invalidValue(file: $0, field: "model_type", reason: "unsupported model type \"gemma\" (expected \"qwen2\" or \"llama\")")
        },
        InvalidCase(testDescription: "other activation", json: json(#""hidden_act": "gelu""#)) {
            .invalidValue(file: $0, field: "hidden_act", reason: "unsupported activation \"gelu\"")
        },
        InvalidCase(testDescription: "layer_types too short", json: json(#""layer_types": ["full_attention"]"#)) {
            .invalidValue(file: $0, field: "layer_types", reason: "has 1 entries for 4 layers")
        },
        InvalidCase(testDescription: "unknown layer type",
                    json: json(#""layer_types": ["full_attention", "chunked_attention", "full_attention", "full_attention"]"#)) {
            .invalidValue(file: $0, field: "layer_types", reason: "unsupported layer type \"chunked_attention\"")
        },
        InvalidCase(testDescription: "sliding layers without a window",
                    json: json(#""layer_types": ["sliding_attention", "full_attention", "full_attention", "full_attention"]"#)) {
            .invalidValue(file: $0, field: "layer_types", reason: "sliding_attention layers need use_sliding_window and sliding_window")
        },
        InvalidCase(testDescription: "zero sliding window", json: json(#""use_sliding_window": true, "sliding_window": 0"#)) {
            .invalidValue(file: $0, field: "sliding_window", reason: "must be positive")
        },
        InvalidCase(testDescription: "rope factor a string", json: json(#""rope_scaling": {"type": "linear", "factor": "2"}"#)) {
            .wrongType(file: $0, field: "rope_scaling.factor")
        },
        InvalidCase(testDescription: "unknown rope type", json: json(#""rope_scaling": {"rope_type": "spiral", "factor": 2}"#)) {
            .invalidValue(file: $0, field: "rope_scaling.rope_type", reason: "unsupported rope type \"spiral\"")
        },
        InvalidCase(testDescription: "linear rope without factor", json: json(#""rope_parameters": {"rope_type": "linear"}"#)) {
            .missingField(file: $0, field: "rope_parameters.factor")
        },
        InvalidCase(testDescription: "llama3 rope without frequency factors",
                    json: json(#""rope_scaling": {"rope_type": "llama3", "factor": 8, "low_freq_factor": 1}"#)) {
            .missingField(file: $0, field: "rope_scaling.high_freq_factor")
        },
        InvalidCase(testDescription: "zero rope theta", json: json(#""rope_parameters": {"rope_type": "default", "rope_theta": 0}"#)) {
            .invalidValue(file: $0, field: "rope_parameters.rope_theta", reason: "must be positive")
        },
        InvalidCase(testDescription: "eos ids not integers", json: json(#""eos_token_id": ["a"]"#)) {
            .wrongType(file: $0, field: "eos_token_id[0]")
        },
        InvalidCase(testDescription: "absurd layer count", json: json(layers: 2_147_483_648)) {
            .invalidValue(file: $0, field: "num_hidden_layers", reason: "2147483648 layers is more than any model has (at most 65536)")
        },
    ]

    @Test(arguments: invalidCases)
    func invalidConfigurationIsRejected(_ invalid: InvalidCase) throws {
        let file = try ConfigurationTestFile(invalid.json)
        defer { file.remove() }
        #expect(throws: invalid.error(file.path)) { try Qwen2Configuration.load(from: file.url) }
    }

    @Test func unreadableFileIsAnError() {
        #expect(throws: ConfigurationError.cannotRead(file: "/no/such/config.json")) {
            try Qwen2Configuration.load(from: URL(fileURLWithPath: "/no/such/config.json"))
        }
    }
}
