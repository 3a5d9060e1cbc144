import Foundation
import QwenKit
import Testing

@Suite struct SafetensorsFileTests {
    typealias Writer = SafetensorsTestWriter

    @Test func fixtureHeaderIsRead() throws {
        let file = try SafetensorsFile(url: Fixtures.url("models/tiny-qwen2.5/model.safetensors"))
        #expect(file.tensors.count == 26)
        #expect(file.metadata == ["format": "pt"])
        let q = try #require(file.tensors["model.layers.0.self_attn.q_proj.weight"])
        #expect(q.dtype == .bf16)
        #expect(q.shape == [64, 64])
        #expect(q.byteRange == 19_524_776..<(19_524_776 + 64 * 64 * 2))
        let row1 = file.bytes(of: q).loadUnaligned(fromByteOffset: 64 * 2, as: UInt16.self)
        #expect(Float(bitPattern: UInt32(row1) << 16) == -0.1943359375)
    }

    @Test func emptyScalarAndZeroSizedTensorsAreValid() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("edge.safetensors")
        try Writer.data([
            .init(name: "empty", dtype: "F32", shape: [0, 4], bytes: []),
            .init(name: "scalar", dtype: "F32", shape: [], bytes: Writer.f32([2.5])),
        ], metadata: nil).write(to: url)
        let file = try SafetensorsFile(url: url)
        #expect(file.tensors["empty"]?.byteRange.isEmpty == true)
        #expect(file.tensors["scalar"]?.elementCount == 1)
        #expect(file.metadata.isEmpty)

        try Writer.data(header: "{}", payload: []).write(to: url)
        #expect(try SafetensorsFile(url: url).tensors.isEmpty)

        try Writer.data(header: "{\"__metadata__\": null}", payload: []).write(to: url)
        #expect(try SafetensorsFile(url: url).metadata.isEmpty)
    }

    struct HostileCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let contents: Data
        let error: @Sendable (String) -> WeightsError
    }

    static let hostileCases: [HostileCase] = {
        func header(_ text: String, payload: Int = 16) -> Data {
            Writer.data(header: text, payload: [UInt8](repeating: 0, count: payload))
        }
        func tensor(_ body: String) -> String { "{\"t\":{\(body)}}" }
        return [
            HostileCase(testDescription: "shorter than the length prefix", contents: Data([1, 2, 3])) {
                .truncated(file: $0, size: 3, needed: 8)
            },
            HostileCase(testDescription: "empty file", contents: Data()) {
                .truncated(file: $0, size: 0, needed: 8)
            },
            HostileCase(testDescription: "header longer than the file",
                        contents: Writer.data(headerLength: 64, rest: Array("{}".utf8))) {
                .truncated(file: $0, size: 10, needed: 72)
            },
            HostileCase(testDescription: "header over 100 MB",
                        contents: Writer.data(headerLength: 100_000_001, rest: Array("{}".utf8))) {
                .headerTooLarge(file: $0, length: 100_000_001)
            },
            HostileCase(testDescription: "header not JSON", contents: header("{\"t\": [")) {
                .invalidHeader(file: $0, reason: "not valid JSON")
            },
            HostileCase(testDescription: "header a JSON array", contents: header("[1, 2]")) {
                .invalidHeader(file: $0, reason: "not a JSON object")
            },
            HostileCase(testDescription: "metadata not strings", contents: header("{\"__metadata__\":{\"a\":1}}")) {
                .invalidMetadata(file: $0)
            },
            HostileCase(testDescription: "unknown dtype",
                        contents: header(tensor("\"dtype\":\"F12\",\"shape\":[2],\"data_offsets\":[0,4]"))) {
                .unknownDType(file: $0, tensor: "t", dtype: "F12")
            },
            HostileCase(testDescription: "negative dimension",
                        contents: header(tensor("\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]"))) {
                .invalidTensor(file: $0, tensor: "t", reason: "negative dimension in shape [-1]")
            },
            HostileCase(testDescription: "fractional dimension",
                        contents: header(tensor("\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]"))) {
                .invalidTensor(file: $0, tensor: "t", reason: "shape and data_offsets must be lists of integers")
            },
            HostileCase(testDescription: "shape not a list",
                        contents: header(tensor("\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]"))) {
                .invalidTensor(file: $0, tensor: "t", reason: "\"shape\" has the wrong type")
            },
            HostileCase(testDescription: "missing data_offsets", contents: header(tensor("\"dtype\":\"F32\",\"shape\":[1]"))) {
                .invalidTensor(file: $0, tensor: "t", reason: "missing \"data_offsets\"")
            },
            HostileCase(testDescription: "entry not an object", contents: header("{\"t\":7}")) {
                .invalidTensor(file: $0, tensor: "t", reason: "entry must be an object with dtype, shape and data_offsets")
            },
            HostileCase(testDescription: "three offsets",
                        contents: header(tensor("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]"))) {
                .invalidTensor(file: $0, tensor: "t", reason: "data_offsets must be [begin, end]")
            },
            HostileCase(testDescription: "offsets descending",
                        contents: header(tensor("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]"))) {
                .invalidTensor(file: $0, tensor: "t", reason: "data_offsets [8, 4] are not an ascending pair")
            },
            HostileCase(testDescription: "negative offset",
                        contents: header(tensor("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]"))) {
                .invalidTensor(file: $0, tensor: "t", reason: "data_offsets [-4, 0] are not an ascending pair")
            },
            HostileCase(testDescription: "offsets past the end",
                        contents: header(tensor("\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]"))) {
                .outOfBounds(file: $0, tensor: "t", end: 32, dataSize: 16)
            },
            HostileCase(testDescription: "shape and size disagree",
                        contents: header(tensor("\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,16]"))) {
                .sizeMismatch(file: $0, tensor: "t", expected: 8, actual: 16)
            },
            HostileCase(testDescription: "shape overflows",
                        contents: header(tensor("\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,16]"))) {
                .invalidTensor(file: $0, tensor: "t", reason: "shape [4611686018427387904, 4] is too large")
            },
            HostileCase(testDescription: "overlapping tensors",
                        contents: header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                         + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}")) {
                .overlap(file: $0, tensor: "b", other: "a")
            },
            HostileCase(testDescription: "tensor inside another",
                        contents: header("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                                         + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}")) {
                .overlap(file: $0, tensor: "b", other: "a")
            },
        ]
    }()

    @Test(arguments: hostileCases)
    func hostileFileIsRejected(_ hostile: HostileCase) throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("hostile.safetensors")
        try hostile.contents.write(to: url)
        #expect(throws: hostile.error(url.path)) { try SafetensorsFile(url: url) }
    }

    @Test func unreadablePathsAreRejected() throws {
        let directory = try Writer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: WeightsError.cannotOpen(file: directory.path, reason: "not a regular file")) {
            try SafetensorsFile(url: directory)
        }
        let missing = directory.appendingPathComponent("missing.safetensors")
        #expect(throws: WeightsError.cannotOpen(file: missing.path, reason: "No such file or directory")) {
            try SafetensorsFile(url: missing)
        }
        // A FIFO is refused at once; opening it to read would wait for a writer forever.
        let fifo = directory.appendingPathComponent("model.safetensors")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        #expect(throws: WeightsError.cannotOpen(file: fifo.path, reason: "not a regular file")) {
            try SafetensorsFile(url: fifo)
        }
    }

    @Test func errorsNameFileAndTensor() {
        let error = WeightsError.sizeMismatch(file: "/m/model.safetensors", tensor: "model.norm.weight", expected: 8, actual: 16)
        #expect(error.description.contains("/m/model.safetensors"))
        #expect(error.description.contains("model.norm.weight"))
    }
}
