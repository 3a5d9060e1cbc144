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

    static func load(_ json: String) throws -> GenerationConfiguration {
        let file = try ConfigurationTestFile(json, name: "generation_config.json")
        defer { file.remove() }
        return try GenerationConfiguration.load(from: file.url)
    }

    // transformers' `GenerationConfig._get_default_generation_params()`.
    @Test func absentFieldsTakeTransformersDefaults() throws {
        let config = try Self.load("{}")
        #expect(config == GenerationConfiguration())
        #expect(!config.doSample)
        #expect(config.temperature == 1)
        #expect(config.topP == 1)
        #expect(config.topK == 50)
        #expect(config.repetitionPenalty == 1)
        #expect(config.eosTokenIds == [])
    }

    @Test func singleEosIdAndExtraFields() throws {
        let config = try Self.load(#"{"eos_token_id": 151645, "min_p": 0.05, "max_new_tokens": 512, "transformers_version": "4.37.0"}"#)
        #expect(config.eosTokenIds == [151_645])
        #expect(config.minP == 0.05)
        #expect(config.maxNewTokens == 512)
    }

    @Test func encodingRoundTrips() throws {
        let config = try Self.load(#"{"do_sample": true, "temperature": 0.7, "top_k": 20, "eos_token_id": [1, 2], "pad_token_id": 3}"#)
        let encoded = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        #expect(try Self.load(encoded) == config)
    }

    @Test(arguments: [
        (#"{"temperature": -0.5}"#, "temperature", "must not be negative"),
        (#"{"top_p": 1.5}"#, "top_p", "must be in 0...1"),
        (#"{"top_k": -1}"#, "top_k", "must not be negative"),
        (#"{"min_p": 2}"#, "min_p", "must be in 0...1"),
        (#"{"repetition_penalty": 0}"#, "repetition_penalty", "must be positive"),
        (#"{"max_new_tokens": -3}"#, "max_new_tokens", "must not be negative"),
        (#"{"eos_token_id": [151645, -1]}"#, "eos_token_id", "holds -1, which is not a token id"),
    ])
    func invalidValueIsRejected(json: String, field: String, reason: String) throws {
        let file = try ConfigurationTestFile(json, name: "generation_config.json")
        defer { file.remove() }
        #expect(throws: ConfigurationError.invalidValue(file: file.path, field: field, reason: reason)) {
            try GenerationConfiguration.load(from: file.url)
        }
    }

    @Test func wrongTypeNamesTheField() throws {
        let file = try ConfigurationTestFile(#"{"temperature": "hot"}"#, name: "generation_config.json")
        defer { file.remove() }
        #expect(throws: ConfigurationError.wrongType(file: file.path, field: "temperature")) {
            try GenerationConfiguration.load(from: file.url)
        }
    }
}
