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

    static let fixture = Fixtures.url("models/tiny-qwen2.5")

    /// The fixture's tensors, as writer input, sorted by name.
    static func fixtureTensors() throws -> [Writer.Tensor] {
        let file = try SafetensorsFile(url: fixture.appendingPathComponent("model.safetensors"))
        return file.tensors.values.sorted { $0.name < $1.name }.map {
            Writer.Tensor(name: $0.name, dtype: $0.dtype.rawValue, shape: $0.shape, bytes: Array(file.bytes(of: $0)))
        }
    }

    static func writeIndex(_ weightMap: [String: String], to directory: URL) throws {
        let json = try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": weightMap])
        try json.write(to: directory.appendingPathComponent(WeightStore.indexFileName))
    }

    @Test func shardedCheckpointMatchesSingleFile() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tensors = try Self.fixtureTensors()
        let half = tensors.count / 2
        let shards = [(tensors[..<half], "model-00001-of-00002.safetensors"), (tensors[half...], "model-00002-of-00002.safetensors")]
        var weightMap: [String: String] = [:]
        for (part, name) in shards {
            try Writer.data(Array(part)).write(to: directory.appendingPathComponent(name))
            for tensor in part { weightMap[tensor.name] = name }
        }
        try Self.writeIndex(weightMap, to: directory)

        let sharded = try WeightStore(directory: directory)
        let single = try WeightStore(directory: Self.fixture)
        #expect(sharded.files.count == 2)
        #expect(sharded.tensorNames == single.tensorNames)
        for name in single.tensorNames {
            let (a, b) = (try sharded.info(name), try single.info(name))
            #expect(a.dtype == b.dtype && a.shape == b.shape, "\(name)")
            #expect(try sharded.bytes(of: name).elementsEqual(try single.bytes(of: name)), "\(name)")
        }
        let q = try sharded.matrix("model.layers.0.self_attn.q_proj.weight", rows: 64, columns: 64)
        #expect(abs(Self.bf16Sum(q) - -0.6324324607849121) < 1e-9)
    }

    @Test func missingShardIsAnError() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tensors = try Self.fixtureTensors()
        try Writer.data([tensors[0]]).write(to: directory.appendingPathComponent("model-00001-of-00002.safetensors"))
        try Self.writeIndex([tensors[0].name: "model-00001-of-00002.safetensors",
                             tensors[1].name: "model-00002-of-00002.safetensors"], to: directory)
        let index = directory.appendingPathComponent(WeightStore.indexFileName).path
        #expect(throws: WeightsError.missingShard(index: index, shard: "model-00002-of-00002.safetensors")) {
            try WeightStore(directory: directory)
        }
    }

    @Test func indexNamingATensorTheShardLacksIsAnError() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Writer.data([.init(name: "a", dtype: "F32", shape: [1], bytes: Writer.f32([1]))])
            .write(to: directory.appendingPathComponent("shard.safetensors"))
        try Self.writeIndex(["a": "shard.safetensors", "b": "shard.safetensors"], to: directory)
        let index = directory.appendingPathComponent(WeightStore.indexFileName).path
        #expect(throws: WeightsError.tensorNotInShard(index: index, tensor: "b", shard: "shard.safetensors")) {
            try WeightStore(directory: directory)
        }
    }

    @Test(arguments: [
        ("{\"weight_map\": {", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ("{\"metadata\": {}}", "missing \"weight_map\""),
        ("{\"weight_map\": null}", "weight_map must map tensor names to file names"),
        ("{\"weight_map\": {\"a\": 1}}", "weight_map must map tensor names to file names"),
        ("{\"weight_map\": {\"a\": \"../../etc/passwd\"}}", "tensor a names shard \"../../etc/passwd\", which is not a file beside the index"),
        ("{\"weight_map\": {\"a\": \"shards/../../x.safetensors\"}}", "tensor a names shard \"shards/../../x.safetensors\", which is not a file beside the index"),
        ("{\"weight_map\": {\"a\": \"/m/x.safetensors\"}}", "tensor a names shard \"/m/x.safetensors\", which is not a file beside the index"),
        ("{\"weight_map\": {\"a\": \"\"}}", "tensor a names shard \"\", which is not a file beside the index"),
    ])
    func badIndexIsAnError(json: String, reason: String) throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let index = directory.appendingPathComponent(WeightStore.indexFileName)
        try Data(json.utf8).write(to: index)
        #expect(throws: WeightsError.invalidIndex(file: index.path, reason: reason)) {
            try WeightStore(directory: directory)
        }
    }

    @Test func singleFileIsPreferredOverIndex() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Writer.data([.init(name: "a", dtype: "F32", shape: [1], bytes: Writer.f32([1]))])
            .write(to: directory.appendingPathComponent(WeightStore.singleFileName))
        try Data("not json".utf8).write(to: directory.appendingPathComponent(WeightStore.indexFileName))
        #expect(try WeightStore(directory: directory).tensorNames == ["a"])
    }

    @Test func looseFilesAreMergedAndDuplicatesRejected() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a.safetensors"), b = directory.appendingPathComponent("b.safetensors")
        try Writer.data([.init(name: "x", dtype: "F32", shape: [1], bytes: Writer.f32([1]))]).write(to: a)
        try Writer.data([.init(name: "y", dtype: "F32", shape: [1], bytes: Writer.f32([2]))]).write(to: b)
        let store = try WeightStore(directory: directory)
        #expect(store.tensorNames == ["x", "y"])
        #expect(try store.vector("y", count: 1) == [2])

        try Writer.data([.init(name: "x", dtype: "F32", shape: [1], bytes: Writer.f32([3]))]).write(to: b)
        #expect(throws: WeightsError.duplicateTensor(tensor: "x", file: a.path, other: b.path)) {
            try WeightStore(directory: directory)
        }
    }

    @Test func directoryWithoutWeightsIsAnError() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: WeightsError.noWeights(directory: directory.path)) { try WeightStore(directory: directory) }
    }

    @Test func float16TensorsAreReadInPlaceAndConvertedExactly() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // 1, -2, 0.5, 65504 (max), 2^-24 (smallest subnormal), 1023 * 2^-24 (largest subnormal), -0, +inf
        let patterns: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0x03FF, 0x8000, 0x7C00]
        let expected: [Float] = [1, -2, 0.5, 65504, 0x1p-24, 1023 * 0x1p-24, -0.0, .infinity]
        try Writer.data([
            .init(name: "w", dtype: "F16", shape: [2, 4], bytes: Writer.u16(patterns)),
            .init(name: "v", dtype: "F16", shape: [8], bytes: Writer.u16(patterns)),
        ]).write(to: directory.appendingPathComponent("model.safetensors"))
        let store = try WeightStore(directory: directory)
        let w = try store.matrix("w", rows: 2, columns: 4)
        #expect(w.format == .f16)
        #expect(w.base == UnsafeRawPointer(try store.bytes(of: "w").baseAddress))
        let v = try store.vector("v", count: 8)
        #expect(v.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    #if !(os(macOS) && arch(x86_64))  // Swift has no Float16 on Intel macOS
    @Test func everyFloat16PatternConvertsLikeTheHardware() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let patterns = (0...UInt16.max).map { $0 }
        try Writer.data([.init(name: "all", dtype: "F16", shape: [patterns.count], bytes: Writer.u16(patterns))])
            .write(to: directory.appendingPathComponent("model.safetensors"))
        let converted = try WeightStore(directory: directory).vector("all", count: patterns.count)
        let firstMismatch = zip(patterns, converted).first { pattern, value in
            let expected = Float(Float16(bitPattern: pattern))
            return expected.isNaN ? !value.isNaN : expected.bitPattern != value.bitPattern
        }
        #expect(firstMismatch == nil)
    }
    #endif

    @Test func otherFloatTypesAreConvertedAndIntegersRejected() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let doubles: [Double] = [1.5, -0.25, 3, 1e-3]
        let file = directory.appendingPathComponent("model.safetensors")
        try Writer.data([
            .init(name: "d", dtype: "F64", shape: [2, 2], bytes: doubles.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }),
            .init(name: "dv", dtype: "F64", shape: [4], bytes: doubles.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }),
            .init(name: "i", dtype: "I32", shape: [4], bytes: Writer.f32([0, 0, 0, 0])),
            .init(name: "im", dtype: "I32", shape: [2, 2], bytes: Writer.f32([0, 0, 0, 0])),
        ]).write(to: file)
        let store = try WeightStore(directory: directory)
        let d = try store.matrix("d", rows: 2, columns: 2)
        #expect(d.format == .f32)
        #expect((0..<4).map { d.base.load(fromByteOffset: 4 * $0, as: Float.self) } == doubles.map(Float.init))
        #expect(try store.vector("dv", count: 4) == doubles.map(Float.init))
        #expect(throws: WeightsError.unsupportedDType(file: file.path, tensor: "i", dtype: .i32)) {
            try store.vector("i", count: 4)
        }
        #expect(throws: WeightsError.unsupportedDType(file: file.path, tensor: "im", dtype: .i32)) {
            try store.matrix("im", rows: 2, columns: 2)
        }
    }

    @Test func misalignedTensorIsCopiedToAlignedMemory() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let values: [Float] = [1, 2, 3, 4]
        let header = #"{"pad":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[1,17]}}"#
        try Writer.data(header: header, payload: [0] + Writer.f32(values))
            .write(to: directory.appendingPathComponent("model.safetensors"))
        let store = try WeightStore(directory: directory)
        #expect(Int(bitPattern: try store.bytes(of: "w").baseAddress) % 4 != 0)
        let w = try store.matrix("w", rows: 2, columns: 2)
        #expect(Int(bitPattern: w.base) % 4 == 0)
        #expect((0..<4).map { w.base.load(fromByteOffset: 4 * $0, as: Float.self) } == values)
        #expect(try store.matrix("w", rows: 2, columns: 2).base == w.base)
    }
}
