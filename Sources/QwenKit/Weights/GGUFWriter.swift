import Foundation

/// Writes a GGUF version 3 file: metadata of every value type, then tensor infos and data, each
/// tensor's data starting at a multiple of the alignment (`general.alignment` if set, else 32),
/// as llama.cpp's `gguf_write_to_file` lays it out.
///
/// Tensor data is produced by a closure when the file is written, so a converter can stream one
/// tensor at a time.
///
/// ```swift
/// var writer = GGUFWriter()
/// writer.setValue(.string("qwen2"), forKey: "general.architecture")
/// writer.setValue(.uint32(24), forKey: "qwen2.block_count")
/// writer.addTensor(name: "output_norm.weight", type: .f32, dimensions: [896], data: normBytes)
/// try writer.write(to: URL(fileURLWithPath: "model.gguf"))
/// ```
public struct GGUFWriter {
    private struct PendingTensor {
        var name: String
        var type: GGUFTensorType
        var dimensions: [Int]
        var data: () throws -> Data
    }

    private var entries: [(key: String, value: GGUFMetadataValue)] = []
    private var pendingTensors: [PendingTensor] = []

    /// An empty file: no metadata, no tensors.
    public init() {}

    /// Sets the metadata `key` to `value`, keeping the position of an existing key.
    public mutating func setValue(_ value: GGUFMetadataValue, forKey key: String) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].value = value
        } else {
            entries.append((key, value))
        }
    }

    /// Adds a tensor whose bytes `data` returns when the file is written. `dimensions` are in
    /// ggml order (row length first).
    public mutating func addTensor(
        name: String, type: GGUFTensorType, dimensions: [Int], data: @escaping () throws -> Data
    ) {
        pendingTensors.append(PendingTensor(name: name, type: type, dimensions: dimensions, data: data))
    }

    /// Adds a tensor with the given bytes. `dimensions` are in ggml order (row length first).
    public mutating func addTensor(name: String, type: GGUFTensorType, dimensions: [Int], data: Data) {
        addTensor(name: name, type: type, dimensions: dimensions) { data }
    }

    /// Validates the metadata and tensors, then writes the file (removed again on failure).
    /// Throws ``GGUFError`` naming `url` and the key or tensor at fault.
    public func write(to url: URL) throws {
        let file = url.path
        let alignment = try GGUFHeader.alignment(entries.first { $0.key == GGUFKey.alignment }?.value, file: file)
        var header = GGUFByteBuffer()
        header.append(Array(GGUFHeader.magic))
        header.append(UInt32(3))
        header.append(UInt64(pendingTensors.count))
        header.append(UInt64(entries.count))
        for (key, value) in entries {
            try Self.check(value, key: key, file: file)
            header.append(key)
            header.append(value.type.rawValue)
            header.append(value)
        }
        var byteCounts: [Int] = []
        var offset = 0
        var names = Set<String>()
        for tensor in pendingTensors {
            let byteCount = try Self.byteCount(of: tensor, file: file)
            guard names.insert(tensor.name).inserted else {
                throw GGUFError.invalidTensor(file: file, tensor: tensor.name, reason: "duplicate tensor name")
            }
            header.append(tensor.name)
            header.append(UInt32(tensor.dimensions.count))
            for dimension in tensor.dimensions { header.append(UInt64(dimension)) }
            header.append(tensor.type.rawValue)
            header.append(UInt64(offset))
            byteCounts.append(byteCount)
            offset += Self.padded(byteCount, to: alignment)
        }
        header.pad(to: alignment)

        guard FileManager.default.createFile(atPath: file, contents: nil),
              let handle = FileHandle(forWritingAtPath: file)
        else { throw GGUFError.cannotOpen(file: file, reason: "cannot create the file") }
        do {
            defer { try? handle.close() }
            try handle.write(contentsOf: header.bytes)
            for (tensor, byteCount) in zip(pendingTensors, byteCounts) {
                let data = try tensor.data()
                guard data.count == byteCount else {
                    throw GGUFError.invalidTensor(
                        file: file, tensor: tensor.name, reason: "has \(data.count) bytes of data, its dimensions need \(byteCount)")
                }
                try handle.write(contentsOf: data)
                try handle.write(contentsOf: Data(count: Self.padded(byteCount, to: alignment) - byteCount))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: file)
            if let error = error as? GGUFError { throw error }
            throw GGUFError.cannotOpen(file: file, reason: "\(error)")
        }
    }

    /// Throws unless every array's elements have its element type (recursively).
    private static func check(_ value: GGUFMetadataValue, key: String, file: String) throws {
        guard case .array(let elementType, let elements) = value else { return }
        for element in elements {
            guard element.type == elementType else {
                throw GGUFError.invalidMetadata(
                    file: file, key: key, reason: "array of \(elementType) holds a \(element.type) element")
            }
            try check(element, key: key, file: file)
        }
    }

    private static func byteCount(of tensor: PendingTensor, file: String) throws -> Int {
        func invalid(_ reason: String) -> GGUFError { .invalidTensor(file: file, tensor: tensor.name, reason: reason) }
        guard !tensor.name.isEmpty else { throw invalid("empty tensor name") }
        guard tensor.dimensions.count <= GGUFHeader.maximumDimensionCount, tensor.dimensions.allSatisfy({ $0 >= 0 }) else {
            throw invalid("dimensions \(tensor.dimensions) are not 0 to 4 non-negative sizes")
        }
        guard let rowBytes = tensor.type.byteCount(rowLength: tensor.dimensions.first ?? 1) else {
            throw invalid("row length is not a multiple of the \(tensor.type.name) block size \(tensor.type.blockSize)")
        }
        var byteCount = rowBytes
        for size in tensor.dimensions.dropFirst() {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw invalid("dimensions \(tensor.dimensions) are too large") }
            byteCount = product
        }
        return byteCount
    }

    private static func padded(_ count: Int, to alignment: Int) -> Int {
        (count + alignment - 1) & ~(alignment - 1)
    }
}

/// The little-endian bytes of a GGUF header under construction.
private struct GGUFByteBuffer {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ text: String) {
        append(UInt64(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    mutating func append(_ value: GGUFMetadataValue) {
        switch value {
        case .uint8(let v): append(v)
        case .int8(let v): append(v)
        case .uint16(let v): append(v)
        case .int16(let v): append(v)
        case .uint32(let v): append(v)
        case .int32(let v): append(v)
        case .uint64(let v): append(v)
        case .int64(let v): append(v)
        case .float32(let v): append(v.bitPattern)
        case .float64(let v): append(v.bitPattern)
        case .bool(let v): append(UInt8(v ? 1 : 0))
        case .string(let v): append(v)
        case .array(let elementType, let elements):
            append(elementType.rawValue)
            append(UInt64(elements.count))
            for element in elements { append(element) }
        }
    }

    mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }
}
