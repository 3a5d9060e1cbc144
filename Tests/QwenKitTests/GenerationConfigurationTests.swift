import Foundation
import QwenKit
import Testing

@Suite struct GenerationConfigurationTests {
    @Test func fixtureGenerationConfiguration() throws {
        let config = try GenerationConfiguration.load(from: Fixtures.url("models/tiny-qwen2.5/generation_config.json"))
        #expect(config.doSample)
        #expect(config.temperature == 0.7)
        #expect(config.topP == 0.8)
        #expect(config.topK == 20)
        #expect(config.minP == nil)
        #expect(config.repetitionPenalty == 1.05)
        #expect(config.eosTokenIds == [151_645, 151_643])
        #expect(config.bosTokenId == 151_643)
        #expect(config.padTokenId == 151_643)
        #expect(config.maxNewTokens == nil)
    }
}
