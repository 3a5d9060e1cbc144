import Foundation
import QwenKernels
import QwenKit
import Testing

@Suite struct WeightStoreTests {
    typealias Writer = SafetensorsTestWriter

    /// The value of element `index` of a BF16 matrix.
    static func bf16(_ matrix: WeightMatrix, _ index: Int) -> Float {
        Float(bitPattern: UInt32(matrix.base.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)) << 16)
    }

    /// The sum of all elements of a BF16 matrix, in Double.
    static func bf16Sum(_ matrix: WeightMatrix) -> Double {
        (0..<(matrix.rows * matrix.columns)).reduce(0) { $0 + Double(bf16(matrix, $1)) }
    }

    // Expected values read from the fixture files with numpy.
    @Test func tiedFixtureTensorsMatchReference() throws {
        let store = try WeightStore(directory: Fixtures.url("models/tiny-qwen2.5"))
        #expect(store.tensorNames.count == 26)
        #expect(!store.contains("lm_head.weight"))
        #expect(try store.vector("model.norm.weight", count: 64).prefix(4) == [0.97265625, 0.640625, 1.0859375, 1.03125])
        #expect(try store.vector("model.layers.1.self_attn.q_proj.bias", count: 64).prefix(3) == [0.1015625, -0.1875, 0.50390625])
        let q = try store.matrix("model.layers.0.self_attn.q_proj.weight", rows: 64, columns: 64)
        #expect(q.format == .bf16)
        #expect([64, 65, 66].map { Self.bf16(q, $0) } == [-0.1943359375, 0.416015625, 0.2734375])
        #expect(abs(Self.bf16Sum(q) - -0.6324324607849121) < 1e-9)
        let embedding = try store.matrix("model.embed_tokens.weight", rows: 151_936, columns: 64)
        #expect([0, 1].map { Self.bf16(embedding, 151_935 * 64 + $0) } == [-0.103515625, -0.11669921875])
    }

    @Test func untiedFixtureTensorsMatchReference() throws {
        let store = try WeightStore(directory: Fixtures.url("models/tiny-qwen2.5-yarn"))
        #expect(store.tensorNames.count == 27)
        #expect(store.contains("lm_head.weight"))
        #expect(try store.vector("model.norm.weight", count: 64).prefix(4) == [0.58203125, 1.3828125, 0.77734375, 1.140625])
        let q = try store.matrix("model.layers.0.self_attn.q_proj.weight", rows: 64, columns: 64)
        #expect(abs(Self.bf16Sum(q) - 7.711960554122925) < 1e-9)
        #expect(try store.info("lm_head.weight").shape == [151_936, 64])
    }

    @Test func missingTensorAndWrongShapeAreErrors() throws {
        let directory = Fixtures.url("models/tiny-qwen2.5")
        let store = try WeightStore(directory: directory)
        let file = directory.appendingPathComponent("model.safetensors").path
        #expect(throws: WeightsError.missingTensor(tensor: "lm_head.weight", directory: directory.path)) {
            try store.matrix("lm_head.weight", rows: 151_936, columns: 64)
        }
        #expect(throws: WeightsError.shapeMismatch(file: file, tensor: "model.norm.weight", expected: [32], actual: [64])) {
            try store.vector("model.norm.weight", count: 32)
        }
        #expect(throws: WeightsError.shapeMismatch(file: file, tensor: "model.layers.0.mlp.down_proj.weight", expected: [160, 64], actual: [64, 160])) {
            try store.matrix("model.layers.0.mlp.down_proj.weight", rows: 160, columns: 64)
        }
    }
}
