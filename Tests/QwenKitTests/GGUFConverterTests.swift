import Foundation
import QwenKernels
import QwenKit
import Testing

/// `GGUFConverter` on the tiny Qwen2.5 fixture: the files reload with metadata, tensor types and
/// logits that match the safetensors model.
@Suite struct GGUFConverterTests {
    static let tiny = Fixtures.url("models/tiny-qwen2.5")

    static func convert(_ directory: URL = tiny, to type: GGUFConversionType) throws -> (GGUFFile, URL) {
        let folder = try SafetensorsTestWriter.temporaryDirectory()
        let output = folder.appendingPathComponent("model-\(type.rawValue).gguf")
        try GGUFConverter(directory: directory).write(type, to: output)
        return (try GGUFFile(url: output), folder)
    }

    /// Logits of every position of the golden prompts, one row per position.
    static func logits(_ model: Qwen2Model) throws -> [[Float]] {
        let golden = try JSONDecoder().decode(
            Qwen2ModelGoldenTests.Golden.self, from: Data(contentsOf: tiny.appendingPathComponent("golden/golden.json")))
        return try golden.prompts.flatMap { prompt in
            let logits = try model.forward(prompt.input_ids, cache: model.makeCache(contextLength: 1024), positions: .all)
            return (0..<logits.rowCount).map { Array(logits[$0]) }
        }
    }

    static func argmax(_ row: [Float]) -> Int { row.indices.max { row[$0] < row[$1] }! }

    static let reference = Result { try logits(Qwen2Model(directory: tiny, threadCount: 2)) }

    @Test func metadataAsLlamaCppWritesIt() throws {
        let (file, folder) = try Self.convert(to: .q8_0)
        defer { try? FileManager.default.removeItem(at: folder) }
        let metadata = file.metadata
        #expect(try metadata.string("general.architecture") == "qwen2")
        #expect(try metadata.int("general.file_type") == 7 && metadata.int("general.quantization_version") == 2)
        #expect(try metadata.int("qwen2.block_count") == 2 && metadata.int("qwen2.embedding_length") == 64)
        #expect(try metadata.int("qwen2.feed_forward_length") == 160 && metadata.int("qwen2.context_length") == 32768)
        #expect(try metadata.int("qwen2.attention.head_count") == 4 && metadata.int("qwen2.attention.head_count_kv") == 2)
        #expect(try metadata.double("qwen2.rope.freq_base") == 1_000_000)
        #expect(try metadata.string("tokenizer.ggml.model") == "gpt2" && metadata.string("tokenizer.ggml.pre") == "qwen2")
        #expect(try metadata.strings("tokenizer.ggml.tokens").count == 151936)
        #expect(try metadata.int("tokenizer.ggml.eos_token_id") == 151645 && metadata.int("tokenizer.ggml.padding_token_id") == 151643)
        #expect(try metadata.int("tokenizer.ggml.bos_token_id") == 151643 && metadata.bool("tokenizer.ggml.add_bos_token") == false)
        // The same tokenizer, vocabulary and chat template as llama.cpp's own conversion of the fixture.
        let llama = try GGUFFile(url: Fixtures.url("gguf/tiny-qwen2.5-f16.gguf")).metadata
        for key in ["tokenizer.ggml.tokens", "tokenizer.ggml.merges", "tokenizer.chat_template"] {
            #expect(metadata[key] == llama[key], "\(key)")
        }
        #expect(try metadata.ints("tokenizer.ggml.token_type") == llama.ints("tokenizer.ggml.token_type"))
        #expect(try file.tensors.map(\.name).sorted() == GGUFFile(url: Fixtures.url("gguf/tiny-qwen2.5-f16.gguf")).tensors.map(\.name).sorted())
    }

    @Test(arguments: GGUFConversionType.allCases)
    func tensorTypesFollowTheMix(_ type: GGUFConversionType) throws {
        let (file, folder) = try Self.convert(to: type)
        defer { try? FileManager.default.removeItem(at: folder) }
        for tensor in file.tensors {
            #expect(tensor.type == type.tensorType(name: tensor.name, dimensions: tensor.dimensions, layerCount: 2, tiedEmbeddings: true))
        }
        let types = Set(file.tensors.map(\.type))
        let expected: Set<GGUFTensorType> = switch type {
        case .f16: [.f32, .f16]
        case .q8_0: [.f32, .q8_0]
        case .q4_0: [.f32, .q4_0, .q8_0]
        case .q4_K_M: [.f32, .q5_0, .q8_0]  // rows of 64 and 160 values: Q4_K → Q5_0, Q6_K → Q8_0
        }
        #expect(types == expected)
    }

    /// The fixture's bfloat16 weights have 8 significant bits: float16 (11 bits) holds every one of
    /// magnitude ≥ 2⁻¹⁴ exactly, and the smaller ones (float16 subnormals, spacing 2⁻²⁴) within
    /// 2⁻²⁵. The converted model is the same model up to those few ulps and the kernels'
    /// summation order, far below the 1e-3 the goldens allow.
    @Test func float16MatchesTheSafetensorsModel() throws {
        let (file, folder) = try Self.convert(to: .f16)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try WeightStore(directory: Self.tiny), weights = GGUFWeights(file: file)
        let name = "model.layers.0.mlp.down_proj.weight"
        let original = try store.matrix(name, rows: 64, columns: 160), converted = try weights.matrix(name, rows: 64, columns: 160)
        var a = [Float](repeating: 0, count: 160), b = a
        for row in 0..<64 {
            Kernels.row(row, of: original, into: &a)
            Kernels.row(row, of: converted, into: &b)
            for (x, y) in zip(a, b) {
                #expect(abs(x) >= 0x1p-14 ? x == y : abs(x - y) <= 0x1p-25)
            }
        }
        let logits = try Self.logits(Qwen2Model(gguf: file, threadCount: 2))
        let maxError = zip(logits, try Self.reference.get()).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }.max() ?? .infinity
        #expect(maxError <= 1e-3, "max abs error \(maxError)")
    }

    /// Quantized files stay near the safetensors model. The tiny model's random weights make it
    /// far more sensitive to rounding than a trained one (llama.cpp's own Q8_0 conversion of it is
    /// byte-identical to ours and errs as much), so the bounds are the measured top-1 agreement
    /// over the 339 golden positions (q8_0 90%, q4_k_m 57%, q4_0 32%) and the mean absolute logit
    /// error over them (q4_0 1.22; q8_0 about 0.06 and q4_k_m about 0.5 at the last positions),
    /// with some room; a wrong block layout or scale gives chance-level agreement and errors of
    /// several units.
    @Test(arguments: [(GGUFConversionType.q8_0, 0.85, Float(0.15)), (.q4_K_M, 0.45, 1.0), (.q4_0, 0.25, 1.5)])
    func quantizedStaysClose(_ type: GGUFConversionType, agreement: Double, meanError: Float) throws {
        let (file, folder) = try Self.convert(to: type)
        defer { try? FileManager.default.removeItem(at: folder) }
        let logits = try Self.logits(Qwen2Model(gguf: file, threadCount: 2)), reference = try Self.reference.get()
        let agreeing = zip(logits, reference).filter { Self.argmax($0) == Self.argmax($1) }.count
        let errors = zip(logits, reference).map { row, expected in zip(row, expected).map { abs($0 - $1) }.reduce(0, +) / Float(row.count) }
        let error = errors.reduce(0, +) / Float(errors.count)
        #expect(Double(agreeing) >= agreement * Double(reference.count), "\(type.rawValue): top-1 \(agreeing)/\(reference.count)")
        #expect(error <= meanError, "\(type.rawValue): mean abs error \(error)")
    }

    @Test func badInputIsATypedError() throws {
        let (_, folder) = try Self.convert(to: .f16)
        defer { try? FileManager.default.removeItem(at: folder) }
        let existing = folder.appendingPathComponent("model-f16.gguf")
        let converter = try GGUFConverter(directory: Self.tiny)
        #expect(throws: GGUFConversionError.outputExists(existing.path)) { try converter.write(.f16, to: existing) }
        try converter.write(.q8_0, to: existing, overwrite: true)
        #expect(try GGUFFile(url: existing).metadata.int("general.file_type") == 7)
        let nowhere = folder.appendingPathComponent("missing/model.gguf")
        #expect(throws: GGUFConversionError.cannotWrite(path: nowhere.path, reason: "no directory \(folder.appendingPathComponent("missing").path)")) {
            try converter.write(.f16, to: nowhere)
        }
        #expect(throws: ConfigurationError.self) { try GGUFConverter(directory: folder.appendingPathComponent("absent")) }
        let llama = Fixtures.url("models/tiny-llama")
        #expect(throws: GGUFConversionError.unsupportedArchitecture(
            file: llama.appendingPathComponent("config.json").path, architecture: "llama")) { try GGUFConverter(directory: llama) }
        // Overwriting replaces a file, never a directory (or device) at the output path.
        let directory = folder.appendingPathComponent("keep")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        try Data("kept".utf8).write(to: directory.appendingPathComponent("file"))
        #expect(throws: GGUFConversionError.cannotWrite(path: directory.path, reason: "it exists and is not a regular file")) {
            try converter.write(.f16, to: directory, overwrite: true)
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("file").path))
    }

    /// A configuration that does not match the tensors (more layers, another vocabulary size) is
    /// refused before anything is written, as loading the model would refuse it.
    @Test func configurationMustMatchTheTensors() throws {
        let folder = try SafetensorsTestWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.tiny.path) where name != "golden" {
            try FileManager.default.copyItem(at: Self.tiny.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let original = try Data(contentsOf: folder.appendingPathComponent("config.json"))
        let config = try #require(JSONSerialization.jsonObject(with: original) as? [String: Any])
        for (key, value) in [("num_hidden_layers", (config["num_hidden_layers"] as? Int ?? 0) + 1), ("vocab_size", 10_000_000)] {
            var changed = config
            changed[key] = value
            try JSONSerialization.data(withJSONObject: changed).write(to: folder.appendingPathComponent("config.json"))
            #expect(throws: WeightsError.self, "\(key)") { try GGUFConverter(directory: folder) }
        }
        try original.write(to: folder.appendingPathComponent("config.json"))
        #expect(throws: Never.self) { try GGUFConverter(directory: folder) }
    }
}
