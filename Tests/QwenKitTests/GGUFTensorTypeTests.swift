import QwenKit
import Testing

@Suite struct GGUFTensorTypeTests {
    /// (id, values per block, bytes per block) from gguf-py 0.19's `GGML_QUANT_SIZES`, which
    /// mirrors ggml's `type_traits` (checked against ggml.c of the same llama.cpp release).
    static let reference: [(UInt32, Int, Int)] = [
        (0, 1, 4), (1, 1, 2), (2, 32, 18), (3, 32, 20), (6, 32, 22), (7, 32, 24), (8, 32, 34), (9, 32, 36),
        (10, 256, 84), (11, 256, 110), (12, 256, 144), (13, 256, 176), (14, 256, 210), (15, 256, 292),
        (16, 256, 66), (17, 256, 74), (18, 256, 98), (19, 256, 50), (20, 32, 18), (21, 256, 110),
        (22, 256, 82), (23, 256, 136), (24, 1, 1), (25, 1, 2), (26, 1, 4), (27, 1, 8), (28, 1, 8),
        (29, 256, 56), (30, 1, 2), (34, 256, 54), (35, 256, 66), (39, 32, 17), (40, 64, 36),
        (41, 128, 18), (42, 64, 18),
    ]

    @Test func blockSizesMatchGGML() throws {
        #expect(GGUFTensorType.allCases.count == Self.reference.count)
        for (id, blockSize, blockBytes) in Self.reference {
            let type = try #require(GGUFTensorType(rawValue: id), "type \(id)")
            #expect(type.blockSize == blockSize, "\(type.name)")
            #expect(type.blockByteCount == blockBytes, "\(type.name)")
        }
    }

    @Test func retiredIDsAreNotTypes() {
        for id: UInt32 in [4, 5, 31, 32, 33, 36, 37, 38, 43, 1000] {
            #expect(GGUFTensorType(rawValue: id) == nil, "type \(id)")
        }
    }

    @Test func rowByteCounts() {
        #expect(GGUFTensorType.q8_0.byteCount(rowLength: 896) == 28 * 34)
        #expect(GGUFTensorType.q4_K.byteCount(rowLength: 896) == nil)
        #expect(GGUFTensorType.q6_K.byteCount(rowLength: 4864) == 19 * 210)
        #expect(GGUFTensorType.bf16.byteCount(rowLength: 3) == 6)
        #expect(GGUFTensorType.f32.byteCount(rowLength: -1) == nil)
        #expect(GGUFTensorType.q4_0.byteCount(rowLength: 0) == 0)
    }

    @Test func names() {
        #expect(GGUFTensorType.q4_K.name == "q4_K")
        #expect(GGUFTensorType.iq4_XS.name == "iq4_xs")
        #expect(GGUFTensorType.bf16.name == "bf16")
    }
}
