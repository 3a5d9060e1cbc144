import Foundation
import QwenKit
import Testing

@Suite struct GGUFFileTests {
    static let scalarValues: [(String, GGUFMetadataValue)] = [
        ("t.uint8", .uint8(250)), ("t.int8", .int8(-7)), ("t.uint16", .uint16(65000)), ("t.int16", .int16(-300)),
        ("t.uint32", .uint32(4_000_000_000)), ("t.int32", .int32(-2_000_000_000)), ("t.float32", .float32(1e-6)),
        ("t.bool", .bool(true)), ("t.string", .string("héllo <|im_end|> 你好")), ("t.uint64", .uint64(.max)),
        ("t.int64", .int64(.min)), ("t.float64", .float64(-0.1)),
    ]

    static let arrayValues: [(String, GGUFMetadataValue)] = [
        ("a.int32", .array(.int32, [.int32(1), .int32(-2), .int32(3)])),
        ("a.string", .array(.string, [.string(""), .string("Ġ t"), .string("<tool_call>")])),
        ("a.empty", .array(.float64, [])),
        ("a.bool", .array(.bool, [.bool(false), .bool(true)])),
        ("a.nested", .array(.array, [.array(.uint8, [.uint8(1)]), .array(.string, [.string("x")]), .array(.int64, [])])),
    ]

    @Test func metadataRoundTripsEveryValueType() throws {
        var writer = GGUFWriter()
        for (key, value) in Self.scalarValues + Self.arrayValues { writer.setValue(value, forKey: key) }
        writer.setValue(.uint8(1), forKey: "t.uint8")  // replacing keeps the position
        let file = try GGUFFile(url: GGUFTestFile.write(writer))
        #expect(file.version == 3)
        #expect(file.metadata.keys == (Self.scalarValues + Self.arrayValues).map(\.0))
        for (key, value) in Self.scalarValues + Self.arrayValues where key != "t.uint8" {
            #expect(file.metadata[key] == value, "\(key)")
        }
        #expect(file.metadata["t.uint8"] == .uint8(1))
        #expect(file.tensors.isEmpty)
    }

    @Test func tensorsAreAlignedAndReadBack() throws {
        var writer = GGUFWriter()
        let f32 = (0..<6).flatMap { withUnsafeBytes(of: Float($0).bitPattern.littleEndian, Array.init) }
        let q8 = (0..<68).map { UInt8($0) }
        let q4K = (0..<144).map { UInt8(255 - $0) }
        writer.addTensor(name: "a", type: .f32, dimensions: [3, 2], data: Data(f32))
        writer.addTensor(name: "b", type: .q8_0, dimensions: [32, 2], data: Data(q8))
        writer.addTensor(name: "c", type: .q4_K, dimensions: [256], data: Data(q4K))
        writer.addTensor(name: "empty", type: .f16, dimensions: [0, 4], data: Data())
        let file = try GGUFFile(url: GGUFTestFile.write(writer))
        #expect(file.alignment == 32)
        #expect(file.dataOffset % 32 == 0)
        #expect(file.tensors.map(\.name) == ["a", "b", "c", "empty"])
        #expect(file.tensors.map(\.offset) == [0, 32, 128, 288])
        let a = try #require(file.tensor(named: "a"))
        #expect(a.dimensions == [3, 2] && a.shape == [2, 3] && a.elementCount == 6 && a.type == .f32)
        #expect(Array(file.bytes(of: a)) == f32)
        #expect(Array(file.bytes(of: try #require(file.tensor(named: "b")))) == q8)
        #expect(Array(file.bytes(of: try #require(file.tensor(named: "c")))) == q4K)
        #expect(file.bytes(of: try #require(file.tensor(named: "empty"))).isEmpty)
        #expect(file.tensor(named: "missing") == nil)
    }

    @Test func customAlignmentPadsEveryTensor() throws {
        var writer = GGUFWriter()
        writer.setValue(.uint32(64), forKey: "general.alignment")
        writer.addTensor(name: "x", type: .i8, dimensions: [3], data: Data([1, 2, 3]))
        writer.addTensor(name: "y", type: .i8, dimensions: [1], data: Data([9]))
        let file = try GGUFFile(url: GGUFTestFile.write(writer))
        #expect(file.alignment == 64)
        #expect(file.dataOffset % 64 == 0)
        #expect(file.tensors.map(\.offset) == [0, 64])
        #expect(Array(file.bytes(of: file.tensors[1])) == [9])
    }

    @Test func typedGetters() throws {
        var writer = GGUFWriter()
        for (key, value) in Self.scalarValues + Self.arrayValues { writer.setValue(value, forKey: key) }
        let url = try GGUFTestFile.write(writer)
        let metadata = try GGUFFile(url: url).metadata
        let file = url.path
        #expect(try metadata.int("t.int8") == -7)
        #expect(try metadata.int("t.uint32") == 4_000_000_000)
        #expect(try metadata.int("t.int64") == Int(Int64.min))
        #expect(try metadata.double("t.float32") == Double(Float(1e-6)))
        #expect(try metadata.double("t.float64") == -0.1)
        #expect(try metadata.bool("t.bool"))
        #expect(try metadata.boolIfPresent("absent") == nil)
        #expect(try metadata.string("t.string") == "héllo <|im_end|> 你好")
        #expect(try metadata.strings("a.string") == ["", "Ġ t", "<tool_call>"])
        #expect(try metadata.ints("a.int32") == [1, -2, 3])
        #expect(try metadata.array("a.nested").count == 3)
        #expect(try metadata.intIfPresent("absent") == nil)
        #expect(try metadata.stringIfPresent("absent") == nil)
        #expect(throws: GGUFError.missingKey(file: file, key: "absent")) { try metadata.int("absent") }
        #expect(throws: GGUFError.missingKey(file: file, key: "absent")) { try metadata.strings("absent") }
        #expect(throws: GGUFError.missingKey(file: file, key: "absent")) { try metadata.bool("absent") }
        #expect(throws: GGUFError.missingKey(file: file, key: "absent")) { try metadata.double("absent") }
        #expect(throws: GGUFError.missingKey(file: file, key: "absent")) { try metadata.string("absent") }
        #expect(throws: GGUFError.missingKey(file: file, key: "absent")) { try metadata.array("absent") }
        #expect(throws: GGUFError.missingKey(file: file, key: "absent")) { try metadata.ints("absent") }
        #expect(throws: GGUFError.wrongType(file: file, key: "t.uint64", expected: "an integer", actual: .uint64)) {
            try metadata.int("t.uint64")  // UInt64.max does not fit an Int
        }
        #expect(throws: GGUFError.wrongType(file: file, key: "t.string", expected: "an integer", actual: .string)) {
            try metadata.int("t.string")
        }
        #expect(throws: GGUFError.wrongType(file: file, key: "t.int32", expected: "a float", actual: .int32)) {
            try metadata.double("t.int32")
        }
        #expect(throws: GGUFError.wrongType(file: file, key: "a.int32", expected: "an array of strings", actual: .array)) {
            try metadata.strings("a.int32")
        }
        #expect(throws: GGUFError.wrongType(file: file, key: "a.string", expected: "an array of integers", actual: .array)) {
            try metadata.ints("a.string")
        }
        #expect(throws: GGUFError.wrongType(file: file, key: "t.float32", expected: "a bool", actual: .float32)) {
            try metadata.boolIfPresent("t.float32")
        }
        #expect(throws: GGUFError.wrongType(file: file, key: "t.bool", expected: "an array", actual: .bool)) {
            try metadata.array("t.bool")
        }
    }

    @Test func writerRejectsInvalidInput() throws {
        let url = try SafetensorsTestWriter.temporaryDirectory().appendingPathComponent("bad.gguf")
        let file = url.path
        func expectError(_ expected: GGUFError, _ build: (inout GGUFWriter) -> Void) {
            var writer = GGUFWriter()
            build(&writer)
            #expect(throws: expected) { try writer.write(to: url) }
            #expect(!FileManager.default.fileExists(atPath: file))
        }
        expectError(.invalidMetadata(file: file, key: "k", reason: "array of int32 holds a string element")) {
            $0.setValue(.array(.int32, [.int32(1), .string("x")]), forKey: "k")
        }
        expectError(.invalidMetadata(file: file, key: "general.alignment", reason: "48 is not a power of two")) {
            $0.setValue(.uint32(48), forKey: "general.alignment")
        }
        expectError(.wrongType(file: file, key: "general.alignment", expected: "uint32", actual: .uint64)) {
            $0.setValue(.uint64(64), forKey: "general.alignment")
        }
        expectError(.invalidTensor(file: file, tensor: "t", reason: "row length is not a multiple of the q8_0 block size 32")) {
            $0.addTensor(name: "t", type: .q8_0, dimensions: [48], data: Data(count: 51))
        }
        expectError(.invalidTensor(file: file, tensor: "t", reason: "dimensions [1, 1, 1, 1, 1] are not 0 to 4 non-negative sizes")) {
            $0.addTensor(name: "t", type: .f32, dimensions: [1, 1, 1, 1, 1], data: Data(count: 4))
        }
        expectError(.invalidTensor(file: file, tensor: "t", reason: "dimensions [4, 4611686018427387904] are too large")) {
            $0.addTensor(name: "t", type: .f32, dimensions: [4, 1 << 62], data: Data())
        }
        expectError(.invalidTensor(file: file, tensor: "", reason: "empty tensor name")) {
            $0.addTensor(name: "", type: .i8, dimensions: [1], data: Data(count: 1))
        }
        expectError(.invalidTensor(file: file, tensor: "t", reason: "duplicate tensor name")) {
            $0.addTensor(name: "t", type: .i8, dimensions: [1], data: Data(count: 1))
            $0.addTensor(name: "t", type: .i8, dimensions: [1], data: Data(count: 1))
        }
        expectError(.invalidTensor(file: file, tensor: "t", reason: "has 3 bytes of data, its dimensions need 8")) {
            $0.addTensor(name: "t", type: .f32, dimensions: [2], data: Data(count: 3))
        }
    }

    @Test func cannotOpenMissingFileOrDirectory() throws {
        let directory = try SafetensorsTestWriter.temporaryDirectory()
        let missing = directory.appendingPathComponent("missing.gguf")
        #expect { try GGUFFile(url: missing) } throws: { error in
            guard case GGUFError.cannotOpen(missing.path, _)? = error as? GGUFError else { return false }
            return "\(error)".hasPrefix(missing.path)
        }
        #expect { try GGUFFile(url: directory) } throws: { error in
            if case GGUFError.cannotOpen(directory.path, "not a regular file")? = error as? GGUFError { true } else { false }
        }
    }
}
