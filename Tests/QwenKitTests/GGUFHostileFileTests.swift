import Foundation
import QwenKit
import Testing

/// Every validation rule of the GGUF reader, each with a file that breaks only that rule.
@Suite struct GGUFHostileFileTests {
    /// Checks that `bytes` is rejected with `expected(file)`.
    private func expectRejected(_ bytes: GGUFBytes, _ expected: (String) -> GGUFError) throws {
        let url = try GGUFTestFile.write(bytes)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        #expect(throws: expected(url.path)) { try GGUFFile(url: url) }
    }

    /// A file with one entry `key` of value type `type` whose value bytes are `value`.
    private func entry(_ key: String = "k", type: UInt32, _ value: (inout GGUFBytes) -> Void) -> GGUFBytes {
        var file = GGUFBytes.header(entryCount: 1)
        file.string(key)
        file.u32(type)
        value(&file)
        return file
    }

    /// A file with one tensor info and `dataBytes` zero bytes of data.
    private func tensor(
        _ name: String = "t", dimensions: [UInt64], type: UInt32, offset: UInt64 = 0, dataBytes: Int,
        alignment: UInt32? = nil
    ) -> GGUFBytes {
        var file = GGUFBytes.header(tensorCount: 1, entryCount: alignment == nil ? 0 : 1)
        if let alignment { file.entry("general.alignment", uint32: alignment) }
        file.tensorInfo(name, dimensions: dimensions, type: type, offset: offset)
        file.pad(to: max(Int(alignment ?? 32), 1))
        file.zeros(dataBytes)
        return file
    }

    @Test func acceptsMinimalFiles() throws {
        #expect(try GGUFTestFile.error(reading: .header()) == nil)
        #expect(try GGUFTestFile.error(reading: .header(version: 2)) == nil)
        #expect(try GGUFTestFile.error(reading: tensor(dimensions: [32, 2], type: 8, dataBytes: 68)) == nil)
        #expect(try GGUFTestFile.error(reading: tensor(dimensions: [], type: 0, dataBytes: 4)) == nil)
    }

    @Test func magicAndVersion() throws {
        try expectRejected(GGUFBytes()) { .notGGUF(file: $0) }
        var wrongMagic = GGUFBytes.header()
        wrongMagic.bytes[3] = UInt8(ascii: "L")
        try expectRejected(wrongMagic) { .notGGUF(file: $0) }
        try expectRejected(.header(version: 1)) { .unsupportedVersion(file: $0, version: 1) }
        try expectRejected(.header(version: 4)) { .unsupportedVersion(file: $0, version: 4) }
        try expectRejected(.header(version: 0x0300_0000)) { .unsupportedVersion(file: $0, version: 0x0300_0000) }
        var truncated = GGUFBytes.header()
        truncated.bytes.removeLast(9)
        try expectRejected(truncated) { .truncated(file: $0, what: "tensors") }
    }

    @Test func countsAreBoundedByTheFileSize() throws {
        try expectRejected(.header(tensorCount: .max)) { .countTooLarge(file: $0, what: "tensors", count: .max) }
        try expectRejected(.header(entryCount: 1 << 40)) { .countTooLarge(file: $0, what: "metadata entries", count: 1 << 40) }
        try expectRejected(entry(type: 9) { $0.u32(0); $0.u64(1 << 60) }) {
            .countTooLarge(file: $0, what: "the array k", count: 1 << 60)
        }
        // 8 string elements need at least 64 bytes; the file has 8 bytes of (empty) strings.
        try expectRejected(entry(type: 9) { $0.u32(8); $0.u64(8); $0.u64(0) }) {
            .countTooLarge(file: $0, what: "the array k", count: 8)
        }
        try expectRejected(entry(type: 8) { $0.u64(1000); $0.bytes += Array("short".utf8) }) {
            .truncated(file: $0, what: "the value of k")
        }
        var longKey = GGUFBytes.header(entryCount: 1)
        longKey.u64(.max)
        longKey.zeros(16)
        try expectRejected(longKey) { .truncated(file: $0, what: "the key of metadata entry 0") }
        try expectRejected(entry(type: 4) { $0.u8(1) }) { .truncated(file: $0, what: "the value of k") }
    }

    @Test func metadataEntries() throws {
        try expectRejected(entry(type: 13) { $0.u32(0) }) { .invalidMetadata(file: $0, key: "k", reason: "unknown value type 13") }
        try expectRejected(entry(type: 9) { $0.u32(42); $0.u64(0) }) {
            .invalidMetadata(file: $0, key: "k", reason: "unknown value type 42")
        }
        try expectRejected(entry(type: 7) { $0.u8(2) }) {
            .invalidMetadata(file: $0, key: "k", reason: "bool value 2 is neither 0 nor 1")
        }
        try expectRejected(entry(type: 8) { $0.string([0x61, 0xFF, 0x62]) }) {
            .invalidMetadata(file: $0, key: "k", reason: "the value of k is not valid UTF-8")
        }
        var badKey = GGUFBytes.header(entryCount: 1)
        badKey.string([0xC3, 0x28])
        badKey.u32(0)
        badKey.u8(0)
        try expectRejected(badKey) {
            .invalidMetadata(file: $0, key: "entry 0", reason: "the key of metadata entry 0 is not valid UTF-8")
        }
        var emptyKey = GGUFBytes.header(entryCount: 1)
        emptyKey.entry("", uint32: 1)
        try expectRejected(emptyKey) { .invalidMetadata(file: $0, key: "entry 0", reason: "empty key") }
        var duplicate = GGUFBytes.header(entryCount: 2)
        duplicate.entry("k", uint32: 1)
        duplicate.entry("k", uint32: 2)
        try expectRejected(duplicate) { .invalidMetadata(file: $0, key: "k", reason: "duplicate key") }
    }

    @Test func arraysNestAtMostEightLevels() throws {
        func nested(_ depth: Int) -> GGUFBytes {
            entry(type: 9) { file in
                for _ in 1..<depth { file.u32(9); file.u64(1) }
                file.u32(4)
                file.u64(1)
                file.u32(7)
            }
        }
        #expect(try GGUFTestFile.error(reading: nested(8)) == nil)
        try expectRejected(nested(9)) { .invalidMetadata(file: $0, key: "k", reason: "arrays nested deeper than 8 levels") }
    }

    @Test func alignment() throws {
        #expect(try GGUFTestFile.error(reading: tensor(dimensions: [4], type: 0, offset: 0, dataBytes: 16, alignment: 8)) == nil)
        try expectRejected(tensor(dimensions: [4], type: 0, dataBytes: 16, alignment: 48)) {
            .invalidMetadata(file: $0, key: "general.alignment", reason: "48 is not a power of two")
        }
        try expectRejected(tensor(dimensions: [4], type: 0, dataBytes: 16, alignment: 0)) {
            .invalidMetadata(file: $0, key: "general.alignment", reason: "0 is not a power of two")
        }
        var wrongType = GGUFBytes.header(entryCount: 1)
        wrongType.string("general.alignment")
        wrongType.u32(10)
        wrongType.u64(32)
        try expectRejected(wrongType) { .wrongType(file: $0, key: "general.alignment", expected: "uint32", actual: .uint64) }
    }

    @Test func tensorInfos() throws {
        try expectRejected(tensor(dimensions: [1, 1, 1, 1, 1], type: 0, dataBytes: 4)) {
            .invalidTensor(file: $0, tensor: "t", reason: "5 dimensions (at most 4)")
        }
        try expectRejected(tensor(dimensions: [32], type: 4, dataBytes: 64)) {
            .unknownTensorType(file: $0, tensor: "t", typeID: 4)
        }
        try expectRejected(tensor(dimensions: [48, 2], type: 8, dataBytes: 128)) {
            .invalidTensor(file: $0, tensor: "t", reason: "row length 48 is not a multiple of the q8_0 block size 32")
        }
        // A scalar (no dimensions) of a block format: one value, not a whole block.
        try expectRejected(tensor(dimensions: [], type: 8, dataBytes: 34)) {
            .invalidTensor(file: $0, tensor: "t", reason: "row length 1 is not a multiple of the q8_0 block size 32")
        }
        try expectRejected(tensor(dimensions: [1 << 62, 1 << 62], type: 24, dataBytes: 0)) {
            .invalidTensor(file: $0, tensor: "t", reason: "dimensions [4611686018427387904, 4611686018427387904] are too large")
        }
        try expectRejected(tensor(dimensions: [UInt64.max], type: 24, dataBytes: 0)) {
            .invalidTensor(file: $0, tensor: "t", reason: "dimensions [18446744073709551615] are too large")
        }
        try expectRejected(tensor(dimensions: [1 << 61, 8], type: 0, dataBytes: 0)) {
            .invalidTensor(file: $0, tensor: "t", reason: "dimensions [2305843009213693952, 8] are too large")
        }
        try expectRejected(tensor(dimensions: [4], type: 0, offset: 8, dataBytes: 64)) {
            .invalidTensor(file: $0, tensor: "t", reason: "offset 8 is not a multiple of the alignment 32")
        }
        var badName = GGUFBytes.header(tensorCount: 1)
        badName.string([0xE2, 0x82])
        badName.zeros(24)
        try expectRejected(badName) { .invalidTensor(file: $0, tensor: "(unnamed)", reason: "a tensor name is not valid UTF-8") }
        var truncated = GGUFBytes.header(tensorCount: 1)
        truncated.string("t")
        truncated.u32(2)
        truncated.u64(4)
        try expectRejected(truncated) { .truncated(file: $0, what: "the dimensions of tensor t") }
    }

    @Test func tensorDataMustLieInsideTheFile() throws {
        try expectRejected(tensor(dimensions: [4, 2], type: 0, dataBytes: 31)) {
            .tensorOutOfBounds(file: $0, tensor: "t", offset: 0, byteCount: 32, dataSize: 31)
        }
        try expectRejected(tensor(dimensions: [4], type: 0, offset: 64, dataBytes: 64)) {
            .tensorOutOfBounds(file: $0, tensor: "t", offset: 64, byteCount: 16, dataSize: 64)
        }
        try expectRejected(tensor(dimensions: [4], type: 0, offset: UInt64.max - 31, dataBytes: 64)) {
            .tensorOutOfBounds(file: $0, tensor: "t", offset: UInt64.max - 31, byteCount: 16, dataSize: 64)
        }
        try expectRejected(tensor(dimensions: [1 << 40], type: 0, dataBytes: 64)) {
            .tensorOutOfBounds(file: $0, tensor: "t", offset: 0, byteCount: 1 << 42, dataSize: 64)
        }
    }

    @Test func tensorsMustNotOverlapOrRepeat() throws {
        func twoTensors(second name: String, offset: UInt64) -> GGUFBytes {
            var file = GGUFBytes.header(tensorCount: 2)
            file.tensorInfo("a", dimensions: [16], type: 0, offset: 0)
            file.tensorInfo(name, dimensions: [8], type: 0, offset: offset)
            file.pad()
            file.zeros(128)
            return file
        }
        #expect(try GGUFTestFile.error(reading: twoTensors(second: "b", offset: 64)) == nil)
        try expectRejected(twoTensors(second: "b", offset: 32)) { .overlap(file: $0, tensor: "b", other: "a") }
        try expectRejected(twoTensors(second: "b", offset: 0)) { .overlap(file: $0, tensor: "b", other: "a") }
        try expectRejected(twoTensors(second: "a", offset: 64)) {
            .invalidTensor(file: $0, tensor: "a", reason: "duplicate tensor name")
        }
    }

    @Test func errorsAreOneLineNamingTheFile() throws {
        let url = try GGUFTestFile.write(tensor(dimensions: [32], type: 4, dataBytes: 64))
        #expect { try GGUFFile(url: url) } throws: { error in
            let text = "\(error)"
            return text == "\(url.path): tensor t: unknown ggml type 4" && !text.contains("\n")
        }
    }
}
