import Foundation
import QwenKernels
import QwenKit
import Testing

/// The Llama architecture: the tiny random-weight Llama of Tests/Fixtures (gguf/reference/
/// make_tiny_llama.py) from its Hugging Face directory against transformers, and from the GGUF
/// llama.cpp's converter layout gives it (q/k rows permuted for interleaved RoPE) against
/// llama.cpp running that file (llama_reference_llama.py, float32 KV cache).
@Suite struct LlamaModelTests {
    struct Golden: Decodable {
        struct Prompt: Decodable {
            var ids: [Int]
            var top10_ids: [[Int]]
            var top10_logits: [[Float]]
            var greedy_new_ids: [Int]
        }
        var prompts: [String: Prompt]

        static func load(_ path: String) throws -> Golden {
            try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.url(path)))
        }
    }

    static let ggufURL = Fixtures.url("gguf/tiny-llama-f32.gguf")

    /// The largest difference from the golden top-10 logits over every position of every prompt.
    static func maxError(_ model: Qwen2Model, _ golden: Golden) throws -> Float {
        var worst: Float = 0
        for prompt in golden.prompts.values {
            let logits = try model.forward(prompt.ids, cache: model.makeCache(contextLength: 64), positions: .all)
            for position in 0..<logits.rowCount {
                let row = logits[position]
                for (id, value) in zip(prompt.top10_ids[position], prompt.top10_logits[position]) {
                    worst = max(worst, abs(row[row.startIndex + id] - value))
                }
            }
        }
        return worst
    }

    /// `count` tokens of pure greedy decoding after `prompt`.
    static func greedy(_ model: Qwen2Model, prompt: [Int], count: Int) throws -> [Int] {
        let cache = try model.makeCache(contextLength: 64)
        var logits = try model.forward(prompt, cache: cache)
        var generated: [Int] = []
        for _ in 0..<count {
            let row = logits.last
            let next = row.indices.max { row[$0] < row[$1] }! - row.startIndex
            generated.append(next)
            try model.forward([next], cache: cache, into: &logits)
        }
        return generated
    }

    @Test func ggufConfiguration() throws {
        let config = try Qwen2Configuration(gguf: GGUFFile(url: Self.ggufURL))
        #expect(config.architecture == .llama && config.ropeStyle == .interleaved && !config.attentionBias)
        #expect(config.hiddenSize == 64 && config.numHiddenLayers == 2 && config.headDim == 16)
        #expect(config.numAttentionHeads == 4 && config.numKeyValueHeads == 2 && config.vocabSize == 1024)
        #expect(config.tieWordEmbeddings && config.ropeTheta == 100000 && config.rmsNormEps == 1e-5)
        #expect(config.eosTokenIds == [2] && config.bosTokenId == 1)
    }

    @Test func directoryConfiguration() throws {
        let config = try Qwen2Configuration.load(from: Fixtures.url("models/tiny-llama/config.json"))
        #expect(config.architecture == .llama && config.ropeStyle == .halves && !config.attentionBias)
        let decoded = try JSONDecoder().decode(Qwen2Configuration.self, from: JSONEncoder().encode(config))
        #expect(decoded == config)
    }

    @Test func ggufMatchesLlamaCpp() throws {
        let model = try Qwen2Model(gguf: GGUFFile(url: Self.ggufURL), threadCount: 2)
        let golden = try Golden.load("gguf/reference/tiny-llama-f32.llamacpp.json")
        let error = try Self.maxError(model, golden)
        #expect(error <= 1e-3, "max abs error \(error)")
        for (name, prompt) in golden.prompts {
            #expect(try Self.greedy(model, prompt: prompt.ids, count: prompt.greedy_new_ids.count) == prompt.greedy_new_ids, "\(name)")
        }
    }

    @Test func directoryMatchesTransformers() throws {
        let model = try Qwen2Model(directory: Fixtures.url("models/tiny-llama"), threadCount: 2)
        let golden = try Golden.load("models/tiny-llama/golden/golden.json")
        let error = try Self.maxError(model, golden)
        #expect(error <= 1e-3, "max abs error \(error)")
        for (name, prompt) in golden.prompts {
            #expect(try Self.greedy(model, prompt: prompt.ids, count: prompt.greedy_new_ids.count) == prompt.greedy_new_ids, "\(name)")
        }
    }

    /// The goldens pin the RoPE pairing: the converted file run with transformers' pairing, or the
    /// Hugging Face weights with llama.cpp's, miss them by far.
    @Test func theOtherRopeStyleMissesTheGoldens() throws {
        let file = try GGUFFile(url: Self.ggufURL)
        var halves = try Qwen2Configuration(gguf: file)
        halves.ropeStyle = .halves
        let converted = try Qwen2Model(configuration: halves, weights: GGUFWeights(file: file), threadCount: 2)
        #expect(try Self.maxError(converted, Golden.load("gguf/reference/tiny-llama-f32.llamacpp.json")) > 0.1)

        let directory = Fixtures.url("models/tiny-llama")
        var interleaved = try Qwen2Configuration.load(from: directory.appendingPathComponent("config.json"))
        interleaved.ropeStyle = .interleaved
        let original = try Qwen2Model(configuration: interleaved, weights: WeightStore(directory: directory), threadCount: 2)
        #expect(try Self.maxError(original, Golden.load("models/tiny-llama/golden/golden.json")) > 0.1)
    }

    @Test func mlpBiasesAreATypedError() throws {
        let file = try ConfigurationTestFile(#"""
            {"model_type": "llama", "hidden_size": 8, "intermediate_size": 8, "num_hidden_layers": 1,
             "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 4, "mlp_bias": true}
            """#)
        defer { file.remove() }
        #expect(throws: ConfigurationError.invalidValue(file: file.path, field: "mlp_bias", reason: "MLP biases are not supported")) {
            try Qwen2Configuration.load(from: file.url)
        }
    }
}
