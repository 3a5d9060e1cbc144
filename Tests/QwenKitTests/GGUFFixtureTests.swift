import Foundation
import QwenKit
import Testing

/// The GGUFs llama.cpp's `convert_hf_to_gguf.py` made from `models/tiny-qwen2.5` (see
/// `Fixtures/gguf/README.md`), read back and compared with the Hugging Face directory.
@Suite struct GGUFFixtureTests {
    static let files = ["tiny-qwen2.5-f16.gguf", "tiny-qwen2.5-q8_0.gguf"]
    static let modelDirectory = Fixtures.url("models/tiny-qwen2.5")

    /// GGUF tensor name → Hugging Face name for the tiny model (2 layers, tied embeddings).
    static let tensorNames: [String: String] = {
        var names = ["token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight"]
        let parts = [
            "attn_norm.weight": "input_layernorm.weight", "ffn_norm.weight": "post_attention_layernorm.weight",
            "attn_q.weight": "self_attn.q_proj.weight", "attn_q.bias": "self_attn.q_proj.bias",
            "attn_k.weight": "self_attn.k_proj.weight", "attn_k.bias": "self_attn.k_proj.bias",
            "attn_v.weight": "self_attn.v_proj.weight", "attn_v.bias": "self_attn.v_proj.bias",
            "attn_output.weight": "self_attn.o_proj.weight", "ffn_gate.weight": "mlp.gate_proj.weight",
            "ffn_up.weight": "mlp.up_proj.weight", "ffn_down.weight": "mlp.down_proj.weight",
        ]
        for layer in 0..<2 {
            for (gguf, hf) in parts { names["blk.\(layer).\(gguf)"] = "model.layers.\(layer).\(hf)" }
        }
        return names
    }()

    static func open(_ name: String) throws -> GGUFFile {
        try GGUFFile(url: Fixtures.url("gguf/\(name)"))
    }

    @Test(arguments: files)
    func tensorsMatchTheHFCheckpoint(name: String) throws {
        let file = try Self.open(name)
        let store = try WeightStore(directory: Self.modelDirectory)
        #expect(file.version == 3 && file.alignment == 32)
        #expect(Set(file.tensors.map(\.name)) == Set(Self.tensorNames.keys))
        let weightType: GGUFTensorType = name.contains("f16") ? .f16 : .q8_0
        for tensor in file.tensors {
            let hfName = try #require(Self.tensorNames[tensor.name])
            #expect(tensor.shape == (try store.info(hfName).shape), "\(tensor.name)")
            #expect(tensor.type == (tensor.dimensions.count == 1 ? .f32 : weightType), "\(tensor.name)")
            #expect(file.bytes(of: tensor).count == tensor.byteRange.count)
        }
    }

    /// F32 tensors hold the bf16 values exactly; F16 ones the nearest half (bf16's 8-bit mantissa
    /// fits, so only values below the half-precision normal range, 2⁻¹⁴, can move, by at most
    /// half a subnormal step, 2⁻²⁵).
    @Test func f16ValuesAreTheCheckpointValues() throws {
        let file = try Self.open("tiny-qwen2.5-f16.gguf")
        let store = try WeightStore(directory: Self.modelDirectory)
        var compared = 0
        for tensor in file.tensors {
            let hf = try store.bytes(of: try #require(Self.tensorNames[tensor.name]))
            let gguf = file.bytes(of: tensor)
            for index in 0..<tensor.elementCount {
                let expected = Float(bitPattern: UInt32(hf.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)) << 16)
                if tensor.type == .f32 {
                    let actual = Float(bitPattern: gguf.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
                    guard actual.bitPattern == expected.bitPattern else {
                        Issue.record("\(tensor.name)[\(index)]: \(actual) != \(expected)")
                        break
                    }
                } else {
                    let actual = Self.float(half: gguf.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
                    let bound: Float = abs(expected) >= 0x1p-14 ? 0 : 0x1p-25
                    guard abs(actual - expected) <= bound else {
                        Issue.record("\(tensor.name)[\(index)]: \(actual) != \(expected)")
                        break
                    }
                }
                compared += 1
            }
        }
        #expect(compared == file.tensors.reduce(0) { $0 + $1.elementCount })
    }

    @Test(arguments: files)
    func configurationMatchesTheHFDirectory(name: String) throws {
        let config = try Qwen2Configuration(gguf: Self.open(name))
        #expect(config == (try GGUFConfigurationTests.expected("tiny-qwen2.5")))
    }

    @Test func tokenizerAndChatTemplateMatchTheHFDirectory() throws {
        let file = try Self.open("tiny-qwen2.5-q8_0.gguf")
        let tokenizer = try Tokenizer(gguf: file)
        let reference = try Tokenizer(directory: Self.modelDirectory)
        for golden in try TokenizerGoldenFile.load("qwen2.5-golden.json") {
            #expect(tokenizer.encode(golden.text) == golden.ids, "encode \(golden.text.debugDescription)")
            #expect(tokenizer.decode(golden.ids) == golden.decoded, "decode \(golden.text.debugDescription)")
        }
        #expect(tokenizer.addedTokens.map(\.content) == reference.addedTokens.map(\.content))
        #expect(tokenizer.addedTokens.map(\.id) == reference.addedTokens.map(\.id))
        #expect(tokenizer.vocabularySize == reference.vocabularySize)
        #expect(tokenizer.specialTokenIDs == SpecialTokenIDs(beginOfSequence: 151643, endOfSequence: 151645, padding: 151643))

        let config = try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.modelDirectory.appendingPathComponent("tokenizer_config.json"))) as? [String: Any]
        let template = try #require(config?["chat_template"] as? String)
        #expect(try file.chatTemplate() == template)
    }

    /// GGUFWriter lays a file out exactly as llama.cpp's gguf-py writer does.
    @Test(arguments: files)
    func rewritingReproducesTheConverterBytes(name: String) throws {
        let file = try Self.open(name)
        var writer = GGUFWriter()
        for key in file.metadata.keys {
            writer.setValue(try #require(file.metadata[key]), forKey: key)
        }
        for tensor in file.tensors {
            writer.addTensor(name: tensor.name, type: tensor.type, dimensions: tensor.dimensions, data: Data(file.bytes(of: tensor)))
        }
        let copy = try GGUFTestFile.write(writer)
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        #expect(try Data(contentsOf: copy) == Data(contentsOf: file.url))
    }

    private static func float(half bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 == 0 ? 1 : -1
        let exponent = Int(bits >> 10 & 0x1F), mantissa = Float(bits & 0x3FF)
        return exponent == 0 ? sign * mantissa * 0x1p-24 : sign * (1 + mantissa * 0x1p-10) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}
