import Foundation
import QwenKit
import Testing

/// Defaults resolved from `rope_scaling` / `rope_parameters`; expected values follow
/// transformers 5.24 `modeling_rope_utils.py` (the formulas evaluated in Python).
@Suite struct RopeScalingTests {
    static func scaling(_ rope: String, maxPositions: Int = 32768) throws -> RopeScaling? {
        try Qwen2ConfigurationTests.load(
            Qwen2ConfigurationTests.json("\"max_position_embeddings\": \(maxPositions), \"rope_scaling\": \(rope)")
        ).ropeScaling
    }

    @Test func defaultTypeMeansNoScaling() throws {
        #expect(try Self.scaling(#"{"rope_type": "default", "factor": 2}"#) == nil)
        #expect(try Self.scaling(#"{"factor": 2}"#) == nil)
    }

    @Test func yarnDefaults() throws {
        let yarn = try #require(try Self.scaling(#"{"type": "yarn", "factor": 4, "original_max_position_embeddings": 32768}"#))
        #expect(abs(yarn.attentionFactor - 1.138629436111989) < 1e-15)
        #expect(yarn.betaFast == 32)
        #expect(yarn.betaSlow == 1)
        #expect(yarn.truncate)
    }

    @Test func yarnExplicitFields() throws {
        let yarn = try #require(try Self.scaling(
            #"{"rope_type": "yarn", "factor": 4, "attention_factor": 0.5, "beta_fast": 16, "beta_slow": 2, "truncate": false}"#))
        #expect(yarn.attentionFactor == 0.5)
        #expect(yarn.betaFast == 16)
        #expect(yarn.betaSlow == 2)
        #expect(!yarn.truncate)
    }

    @Test func yarnZeroBetasTakeDefaults() throws {
        // transformers reads `beta_fast or 32`, so 0 means the default.
        let yarn = try #require(try Self.scaling(#"{"rope_type": "yarn", "factor": 4, "beta_fast": 0, "beta_slow": 0}"#))
        #expect(yarn.betaFast == 32)
        #expect(yarn.betaSlow == 1)
    }

    @Test func yarnAttentionFactorFromMscale() throws {
        let equal = try #require(try Self.scaling(#"{"rope_type": "yarn", "factor": 40, "mscale": 0.707, "mscale_all_dim": 0.707}"#))
        #expect(equal.attentionFactor == 1)
        let ratio = try #require(try Self.scaling(#"{"rope_type": "yarn", "factor": 40, "mscale": 1, "mscale_all_dim": 0.5}"#))
        #expect(abs(ratio.attentionFactor - 1.1557219901962608) < 1e-15)
        let onlyOne = try #require(try Self.scaling(#"{"rope_type": "yarn", "factor": 4, "mscale": 1, "mscale_all_dim": 0}"#))
        #expect(abs(onlyOne.attentionFactor - 1.138629436111989) < 1e-15)
    }

    @Test func yarnFactorAtMostOneKeepsAttentionUnscaled() throws {
        #expect(try Self.scaling(#"{"rope_type": "yarn", "factor": 1}"#)?.attentionFactor == 1)
    }

    @Test func yarnWithoutFactorUsesContextRatio() throws {
        let yarn = try #require(try Self.scaling(
            #"{"rope_type": "yarn", "original_max_position_embeddings": 2000}"#, maxPositions: 8000))
        #expect(yarn.factor == 4)
    }

    @Test func longRopeDefaults() throws {
        let longrope = try #require(try Self.scaling(
            #"{"rope_type": "longrope", "short_factor": [1, 1], "long_factor": [2, 3], "original_max_position_embeddings": 4096}"#,
            maxPositions: 131_072))
        #expect(longrope.factor == 32)
        #expect(abs(longrope.attentionFactor - 1.1902380714238083) < 1e-15)
        #expect(longrope.shortFactor == [1, 1])
        #expect(longrope.longFactor == [2, 3])
    }

    @Test func llama3AndDynamicFields() throws {
        let llama3 = try #require(try Self.scaling(
            #"{"rope_type": "llama3", "factor": 8, "low_freq_factor": 1, "high_freq_factor": 4, "original_max_position_embeddings": 8192}"#))
        #expect(llama3 == RopeScaling(ropeType: .llama3, factor: 8, originalMaxPositionEmbeddings: 8192, lowFreqFactor: 1, highFreqFactor: 4))
        let dynamic = try #require(try Self.scaling(#"{"type": "dynamic", "factor": 2}"#))
        #expect(dynamic == RopeScaling(ropeType: .dynamic, factor: 2))
    }
}
