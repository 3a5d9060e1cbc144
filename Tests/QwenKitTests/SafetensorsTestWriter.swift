import Foundation

/// Writes safetensors files for tests: well-formed ones from tensors, or hostile ones from a
/// raw header and payload.
enum SafetensorsTestWriter {
    struct Tensor {
        var name: String
        var dtype: String
        var shape: [Int]
        var bytes: [UInt8]
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("qwenkit-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A valid file holding `tensors` back to back, in order, with the header padded to 8 bytes.
    static func data(_ tensors: [Tensor], metadata: [String: String]? = ["format": "pt"]) throws -> Data {
        var entries: [String: Any] = [:]
        var offset = 0
        for tensor in tensors {
            entries[tensor.name] = [
                "dtype": tensor.dtype, "shape": tensor.shape, "data_offsets": [offset, offset + tensor.bytes.count],
            ] as [String: Any]
            offset += tensor.bytes.count
        }
        if let metadata { entries["__metadata__"] = metadata }
        let header = String(decoding: try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys]), as: UTF8.self)
        return data(header: header, payload: tensors.flatMap(\.bytes))
    }

    /// A file with exactly this header text (padded with spaces to 8 bytes) and payload.
    static func data(header: String, payload: [UInt8]) -> Data {
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        return data(headerLength: UInt64(headerBytes.count), rest: headerBytes + payload)
    }

    /// A file whose length prefix is `headerLength`, followed by `rest`.
    static func data(headerLength: UInt64, rest: [UInt8]) -> Data {
        withUnsafeBytes(of: headerLength.littleEndian) { Data($0) } + Data(rest)
    }

    /// Little-endian bytes of Float values.
    static func f32(_ values: [Float]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    }

    /// Little-endian bytes of 16-bit patterns (F16 or BF16 values).
    static func u16(_ patterns: [UInt16]) -> [UInt8] {
        patterns.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
    }
}
