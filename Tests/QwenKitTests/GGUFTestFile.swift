import Foundation
import QwenKit

/// Builds GGUF files for tests: valid ones with ``GGUFWriter``, hostile ones byte by byte.
enum GGUFTestFile {
    /// Writes `writer` to a fresh temporary file.
    static func write(_ writer: GGUFWriter) throws -> URL {
        let url = try SafetensorsTestWriter.temporaryDirectory().appendingPathComponent("test.gguf")
        try writer.write(to: url)
        return url
    }

    /// Writes raw bytes to a fresh temporary file.
    static func write(_ bytes: GGUFBytes) throws -> URL {
        let url = try SafetensorsTestWriter.temporaryDirectory().appendingPathComponent("hostile.gguf")
        try Data(bytes.bytes).write(to: url)
        return url
    }

    /// The error `GGUFFile(url:)` throws for `bytes`, or nil when the file is accepted.
    static func error(reading bytes: GGUFBytes) throws -> GGUFError? {
        let url = try write(bytes)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do {
            _ = try GGUFFile(url: url)
            return nil
        } catch let error as GGUFError {
            return error
        }
    }
}

/// Little-endian bytes of a GGUF file, written field by field.
struct GGUFBytes {
    var bytes: [UInt8] = []

    /// Magic, version and the two counts.
    static func header(version: UInt32 = 3, tensorCount: UInt64 = 0, entryCount: UInt64 = 0) -> GGUFBytes {
        var file = GGUFBytes()
        file.bytes = Array("GGUF".utf8)
        file.u32(version)
        file.u64(tensorCount)
        file.u64(entryCount)
        return file
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }

    /// A length-prefixed string of raw bytes (possibly not UTF-8).
    mutating func string(_ raw: [UInt8]) {
        u64(UInt64(raw.count))
        bytes += raw
    }

    mutating func string(_ text: String) { string(Array(text.utf8)) }

    /// A metadata entry with a `uint32` value.
    mutating func entry(_ key: String, uint32 value: UInt32) {
        string(key)
        u32(4)
        u32(value)
    }

    mutating func tensorInfo(_ name: String, dimensions: [UInt64], type: UInt32, offset: UInt64) {
        string(name)
        u32(UInt32(dimensions.count))
        for dimension in dimensions { u64(dimension) }
        u32(type)
        u64(offset)
    }

    mutating func pad(to alignment: Int = 32) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    mutating func zeros(_ count: Int) { bytes += repeatElement(0, count: count) }
}
