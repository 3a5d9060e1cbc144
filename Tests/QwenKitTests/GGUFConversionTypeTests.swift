import QwenKit
import Testing

/// The tensor types llama.cpp's `llama-quantize` picks (src/llama-quant.cpp), on Qwen2.5-0.5B's
/// shapes (hidden 896, FFN 4864, 24 layers, tied embeddings) and on 256-multiple rows.
@Suite struct GGUFConversionTypeTests {
    static func type(_ file: GGUFConversionType, _ name: String, _ dimensions: [Int], layers: Int = 24, tied: Bool = true) -> GGUFTensorType {
        file.tensorType(name: name, dimensions: dimensions, layerCount: layers, tiedEmbeddings: tied)
    }

    @Test func vectorsAndNormsStayFloat32() {
        for file in GGUFConversionType.allCases {
            #expect(Self.type(file, "blk.0.attn_q.bias", [896]) == .f32)
            #expect(Self.type(file, "output_norm.weight", [896]) == .f32)
        }
    }

    @Test func float16AndQ8_0AreUniform() {
        #expect(Self.type(.f16, "token_embd.weight", [896, 151936]) == .f16)
        #expect(Self.type(.q8_0, "token_embd.weight", [896, 151936]) == .q8_0)
        #expect(Self.type(.q8_0, "blk.3.ffn_down.weight", [4864, 896]) == .q8_0)
    }

    @Test func q4_0PutsTheOutputInQ6_KWhenRowsAllow() {
        #expect(Self.type(.q4_0, "blk.0.attn_q.weight", [896, 896]) == .q4_0)
        #expect(Self.type(.q4_0, "token_embd.weight", [896, 151936]) == .q8_0)
        #expect(Self.type(.q4_0, "token_embd.weight", [1536, 151936]) == .q6_K)
        #expect(Self.type(.q4_0, "token_embd.weight", [1536, 151936], tied: false) == .q4_0)
        #expect(Self.type(.q4_0, "output.weight", [1536, 151936], tied: false) == .q6_K)
    }

    @Test func q4_K_MMixAndFallbacks() {
        // 896 is not a multiple of 256: Q4_K falls back to Q5_0, Q6_K to Q8_0.
        #expect(Self.type(.q4_K_M, "blk.5.attn_q.weight", [896, 896]) == .q5_0)
        #expect(Self.type(.q4_K_M, "blk.0.attn_v.weight", [896, 128]) == .q8_0)
        #expect(Self.type(.q4_K_M, "blk.4.attn_v.weight", [896, 128]) == .q5_0)
        #expect(Self.type(.q4_K_M, "token_embd.weight", [896, 151936]) == .q8_0)
        // ffn_down rows are 4864 = 19 × 256: Q6_K in layers 0–2, 5, 8, …, 20 and 21–23, else Q4_K.
        let bumped = (0..<24).filter { Self.type(.q4_K_M, "blk.\($0).ffn_down.weight", [4864, 896]) == .q6_K }
        #expect(bumped == [0, 1, 2, 5, 8, 11, 14, 17, 20, 21, 22, 23])
        #expect(Self.type(.q4_K_M, "blk.3.ffn_down.weight", [4864, 896]) == .q4_K)
        #expect(Self.type(.q4_K_M, "blk.3.ffn_up.weight", [1536, 8960]) == .q4_K)
        #expect(Self.type(.q4_K_M, "token_embd.weight", [1536, 151936]) == .q6_K)
        // Rows that fit no block at all become F16.
        #expect(Self.type(.q4_K_M, "blk.3.ffn_up.weight", [100, 8]) == .f16)
    }
}
