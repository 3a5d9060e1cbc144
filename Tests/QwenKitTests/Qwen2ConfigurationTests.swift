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
}
