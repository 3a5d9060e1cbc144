import Foundation
import QwenKernels
import QwenKit
import Testing

/// Qwen2 models loaded from GGUF files, against transformers (the float16 conversion of the tiny
/// fixture) and against llama.cpp running the same files (Tests/Fixtures/gguf/reference, made by
/// llama_reference.py with llama-cpp-python 0.3.36: float32 KV cache, Q4_0 repacked into 8-row
/// interleaved blocks as llama.cpp does by default on x86 and QwenKit does too, the other formats
/// in plain rows).
@Suite struct GGUFModelTests {
    /// The tokens llama_reference.py ran the `tiny-qwen2.5-256-*` models on.
    static let ids256 = [1, 17, 300, 5, 1000, 42, 42, 7, 999, 512, 3, 64, 128, 256, 700, 11]

    static func model(_ name: String) throws -> Qwen2Model {
        try Qwen2Model(gguf: GGUFFile(url: Fixtures.url("gguf/\(name).gguf")), threadCount: 2)
    }

    static func floats(_ path: String) throws -> [Float] {
        try Data(contentsOf: Fixtures.url(path)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// The logits after each of `ids` fed one token at a time: the decode path, whose products
    /// are llama.cpp's vec_dot arithmetic (prefill rounds activations the same way, but sums Q8_0
    /// and Q5_0 blocks whole, where llama.cpp's x86 prefill keeps vec_dot's lanes).
    static func decodeLogits(_ model: Qwen2Model, _ ids: [Int]) throws -> [[Float]] {
        let cache = try model.makeCache(contextLength: ids.count)
        var logits = Logits(vocabularySize: model.configuration.vocabSize)
        return try ids.map { id in
            try model.forward([id], cache: cache, into: &logits)
            return Array(logits.last)
        }
    }

    static func argmax(_ row: ArraySlice<Float>) -> Int {
        var best = row.startIndex
        for i in row.indices where row[i] > row[best] { best = i }
        return best - row.startIndex
    }

    /// The fixture's bfloat16 weights are all exactly representable in float16, so the float16
    /// GGUF is the same model: it must meet the transformers goldens as tightly as the
    /// safetensors directory does (measured max abs error 1.5e-5 on the last logits).
    @Test func float16ConversionMatchesTransformers() throws {
        let model = try Self.model("tiny-qwen2.5-f16")
        let golden = try JSONDecoder().decode(
            Qwen2ModelGoldenTests.Golden.self, from: Data(contentsOf: Fixtures.url("models/tiny-qwen2.5/golden/golden.json")))
        for prompt in golden.prompts {
            let cache = try model.makeCache(contextLength: 1024)
            let logits = try model.forward(prompt.input_ids, cache: cache, positions: .all)
            for position in 0..<logits.rowCount {
                let row = logits[position], ids = prompt.top5_ids[position], expected = prompt.top5_logits[position]
                for (id, value) in zip(ids, expected) {
                    #expect(abs(row[row.startIndex + id] - value) <= 1e-3, "\(prompt.name) position \(position) id \(id)")
                }
                if expected[0] - expected[1] >= 1e-3 {
                    #expect(Self.argmax(row) == ids[0], "\(prompt.name) position \(position): top-1")
                }
            }
            let last = try Self.floats("models/tiny-qwen2.5/\(prompt.last_logits_file)")
            let maxError = zip(logits.last, last).map { abs($0 - $1) }.max() ?? .infinity
            #expect(maxError <= 1e-3, "\(prompt.name): max abs error \(maxError)")
        }
    }

    /// Every format against llama.cpp on the same file, all positions, all 1024 logits (which
    /// reach ±190, top-1 margins ≥ 76), on the decode path. Float32 agrees to summation order
    /// (measured 2.1e-5, bound 1e-3). With quantized weights both sides round every activation
    /// to 8 bits, so a float32 difference of one ulp before a rounding boundary becomes a whole
    /// quantization step, and this random model amplifies it: the quantized formats agree to
    /// 1e-3 only where the per-block partial sums are added in llama.cpp's order and the
    /// activations are rounded like llama.cpp's x86 quantizer (127 / max, ties to even). Measured
    /// ≤ 1e-7 for Q4_1 and Q5_0, 0 for Q4_0 (interleaved, against llama.cpp's repacked Q4_0) and
    /// Q8_0 (interleaved), ≤ 4.6e-5 for Q4_K and Q6_K; Q4_0 in llama.cpp's plain layout (each
    /// block's sum kept in 8 partial lanes) is up to 0.39 away from its repacked layout (each block
    /// summed whole), and rounding Q8_0's activations with 1 / d and ties away from zero moves them by 0.51.
    @Test(arguments: [("f32", Float(1e-3)), ("q4_0", 1e-3), ("q4_1", 1e-3), ("q5_0", 1e-3), ("q4_K", 1e-3), ("q6_K", 1e-3), ("q8_0", 1e-3)])
    func matchesLlamaCpp(format: String, tolerance: Float) throws {
        let model = try Self.model("tiny-qwen2.5-256-\(format)")
        let expected = try Self.floats("gguf/reference/tiny-qwen2.5-256-\(format).logits.f32")
        let logits = try Self.decodeLogits(model, Self.ids256)
        let vocabularySize = model.configuration.vocabSize
        #expect(vocabularySize == 1024 && expected.count == Self.ids256.count * vocabularySize)
        for (position, row) in logits.enumerated() {
            let reference = expected[position * vocabularySize..<(position + 1) * vocabularySize]
            let maxError = zip(row, reference).map { abs($0 - $1) }.max() ?? .infinity
            #expect(maxError <= tolerance, "\(format) position \(position): max abs error \(maxError)")
            #expect(Self.argmax(row[...]) == Self.argmax(reference), "\(format) position \(position): top-1")
        }
    }

    /// Prefill and decoding both round the activations to 8 bits and multiply in integers; they differ
    /// only where prefill sums Q8_0 and Q5_0 blocks whole while decoding keeps eight lanes (and in
    /// attention's float32 order). llama.cpp's own difference between the Q8_0 and F32 files on
    /// these tokens (1.195) bounds it. Top-1 must agree (margins ≥ 76).
    @Test(arguments: ["q8_0", "q4_0", "q4_K", "q6_K"])
    func prefillAgreesWithDecode(format: String) throws {
        let model = try Self.model("tiny-qwen2.5-256-\(format)")
        let decoded = try Self.decodeLogits(model, Self.ids256)
        let prefilled = try model.forward(Self.ids256, cache: model.makeCache(contextLength: 64), positions: .all)
        for (position, row) in decoded.enumerated() {
            let maxError = zip(prefilled[position], row).map { abs($0 - $1) }.max() ?? .infinity
            #expect(maxError <= 1.2, "\(format) position \(position): max abs difference \(maxError)")
            #expect(Self.argmax(prefilled[position]) == Self.argmax(row[...]), "\(format) position \(position): top-1")
        }
    }

    struct LlamaTop: Decodable {
        struct Prompt: Decodable {
            let input_ids: [Int]
            let top10_ids: [[Int]]
            let top10_logits: [[Float]]
        }
        let prompts: [String: Prompt]
    }

    /// The converter's Q8_0 file of the tiny fixture on the golden prompts (decode path), against
    /// llama.cpp's 10 highest logits per position: within 1e-3, as every format above, and the same
    /// top-1 wherever llama.cpp's margin exceeds twice that bound.
    @Test func q8_0FixtureMatchesLlamaCpp() throws {
        let model = try Self.model("tiny-qwen2.5-q8_0")
        let reference = try JSONDecoder().decode(
            LlamaTop.self, from: Data(contentsOf: Fixtures.url("gguf/reference/tiny-qwen2.5-q8_0.top10.json")))
        let tolerance: Float = 1e-3
        #expect(reference.prompts.count == 4)
        for (name, prompt) in reference.prompts {
            let logits = try Self.decodeLogits(model, prompt.input_ids)
            for (position, row) in logits.enumerated() {
                let ids = prompt.top10_ids[position], values = prompt.top10_logits[position]
                for (id, value) in zip(ids, values) {
                    #expect(abs(row[id] - value) <= tolerance, "\(name) position \(position) id \(id)")
                }
                if values[0] - values[1] > 2 * tolerance {
                    #expect(Self.argmax(row[...]) == ids[0], "\(name) position \(position): top-1")
                }
            }
        }
        let last = try Self.floats("gguf/reference/tiny-qwen2.5-q8_0.plain.last_logits.f32")
        let plain = try #require(reference.prompts["plain"])
        let logits = try Self.decodeLogits(model, plain.input_ids)
        let maxError = zip(logits[logits.count - 1], last).map { abs($0 - $1) }.max() ?? .infinity
        #expect(maxError <= tolerance, "plain last position: max abs error \(maxError)")
    }

    /// QwenKit's reference quantizers against llama.cpp's (`llama_model_quantize`, no importance
    /// matrix) on the same float32 tensors: the same bytes, except where the k-quants' scale
    /// search compares candidates whose errors differ by float rounding (llama.cpp's build, GCC
    /// with -march=native, contracts its multiply-adds into FMAs; this one rounds each product),
    /// so one 32-value group can settle on another scale: there both rows must reconstruct the
    /// values about equally well (squared error within 1%), and at most 1 row in 256 may differ.
    /// Measured: 1 of 3072 Q4_K rows differs (token_embd row 491, squared error 1.2877 here vs
    /// 1.2959); every Q4_0, Q4_1, Q5_0, Q8_0 and Q6_K row is identical.
    @Test(arguments: [WeightFormat.q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K])
    func quantizersMatchLlamaCpp(format: WeightFormat) throws {
        let source = try GGUFFile(url: Fixtures.url("gguf/tiny-qwen2.5-256-f32.gguf"))
        let quantized = try GGUFFile(url: Fixtures.url("gguf/tiny-qwen2.5-256-\(format.rawValue).gguf"))
        var compared = 0, rowCount = 0, differingCount = 0
        for tensor in source.tensors where tensor.dimensions.count == 2 {
            let target = try #require(quantized.tensor(named: tensor.name))
            #expect(target.type.name == format.rawValue, "\(tensor.name)")
            let values = Array(source.bytes(of: tensor).bindMemory(to: Float.self))
            let expected = Array(quantized.bytes(of: target))
            let actual = try format.quantize(values)
            let columns = tensor.dimensions[0], rowBytes = format.rowByteCount(columns: columns)
            for row in 0..<tensor.dimensions[1] {
                let mine = Array(actual[row * rowBytes..<(row + 1) * rowBytes])
                let theirs = Array(expected[row * rowBytes..<(row + 1) * rowBytes])
                guard mine != theirs else { continue }
                differingCount += 1
                let x = values[row * columns..<(row + 1) * columns]
                let errors = try [mine, theirs].map { bytes in
                    zip(try format.dequantize(bytes, count: columns), x).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
                }
                #expect(abs(errors[0] - errors[1]) <= 1e-2 * errors[1], "\(tensor.name) row \(row): squared error \(errors[0]) vs llama.cpp \(errors[1])")
            }
            rowCount += tensor.dimensions[1]
            compared += 1
        }
        #expect(compared == 15)
        #expect(differingCount * 256 <= rowCount, "\(differingCount) of \(rowCount) rows differ")
    }

    @Test func tensorTypeWithoutKernelIsNamed() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qwenkit-q5_1-\(UUID().uuidString).gguf")
        defer { try? FileManager.default.removeItem(at: url) }
        var writer = GGUFWriter()
        writer.addTensor(name: "blk.0.attn_q.weight", type: .q5_1, dimensions: [32, 2], data: Data(count: 48))
        try writer.write(to: url)
        let weights = GGUFWeights(file: try GGUFFile(url: url))
        #expect(weights.contains("model.layers.0.self_attn.q_proj.weight"))
        #expect(!weights.contains("model.layers.0.self_attn.k_proj.weight"))
        do {
            _ = try weights.matrix("model.layers.0.self_attn.q_proj.weight", rows: 2, columns: 32)
            Issue.record("a q5_1 tensor loaded")
        } catch let error as GGUFError {
            #expect(error.description.contains("blk.0.attn_q.weight") && error.description.contains("q5_1"), "\(error)")
        }
        #expect(throws: GGUFError.self) { try weights.matrix("model.layers.0.self_attn.q_proj.weight", rows: 32, columns: 2) }
        #expect(throws: GGUFError.self) { try weights.vector("model.norm.weight", count: 32) }
    }

    @Test func huggingFaceNamesMapToGGUFNames() {
        #expect(GGUFWeights.ggufName(for: "model.embed_tokens.weight") == "token_embd.weight")
        #expect(GGUFWeights.ggufName(for: "model.layers.12.mlp.down_proj.weight") == "blk.12.ffn_down.weight")
        #expect(GGUFWeights.ggufName(for: "model.layers.0.self_attn.k_proj.bias") == "blk.0.attn_k.bias")
        #expect(GGUFWeights.ggufName(for: "model.layers.3.post_attention_layernorm.weight") == "blk.3.ffn_norm.weight")
        #expect(GGUFWeights.ggufName(for: "lm_head.weight") == "output.weight")
        #expect(GGUFWeights.ggufName(for: "model.layers.x.mlp.down_proj.weight") == nil)
        #expect(GGUFWeights.ggufName(for: "model.layers.1.mlp.unknown") == nil)
    }
}
