/// The validated header of a GGUF file: version, metadata, tensor infos and data layout.
struct GGUFHeader {
    static let magic: [UInt8] = Array("GGUF".utf8)
    static let supportedVersions: ClosedRange<UInt32> = 2...3
    static let defaultAlignment = 32
    /// ggml's `GGML_MAX_DIMS`.
    static let maximumDimensionCount = 4
    /// Bytes of the smallest metadata entry: key length, type tag, a one-byte value.
    private static let minimumEntrySize = 8 + 4 + 1
    /// Bytes of the smallest tensor info: name length, dimension count, type, offset.
    private static let minimumTensorInfoSize = 8 + 4 + 4 + 8

    let version: UInt32
    let metadata: GGUFMetadata
    let tensors: [GGUFTensorInfo]
    let alignment: Int
    let dataOffset: Int

    /// Parses and validates the header of the file `bytes`, named `file` in errors.
    init(bytes: UnsafeRawBufferPointer, file: String) throws {
        var reader = GGUFByteReader(bytes: bytes, file: file)
        guard bytes.count >= 4, bytes.prefix(4).elementsEqual(Self.magic) else { throw GGUFError.notGGUF(file: file) }
        _ = try reader.read(UInt32.self, "the magic")
        version = try reader.read(UInt32.self, "the version")
        guard Self.supportedVersions.contains(version) else {
            throw GGUFError.unsupportedVersion(file: file, version: version)
        }
        let tensorCount = try reader.readCount("tensors", minimumSize: Self.minimumTensorInfoSize)
        let entryCount = try reader.readCount("metadata entries", minimumSize: Self.minimumEntrySize)
        metadata = try Self.readMetadata(&reader, count: entryCount)
        alignment = try Self.alignment(metadata[GGUFKey.alignment], file: file)
        let infos = try (0..<tensorCount).map { _ in try RawTensorInfo(&reader) }
        reader.align(to: alignment)
        let dataOffset = reader.position, alignment = alignment
        self.dataOffset = dataOffset
        var seen = Set<String>()
        tensors = try infos.map { info in
            guard seen.insert(info.name).inserted else {
                throw GGUFError.invalidTensor(file: file, tensor: info.name, reason: "duplicate tensor name")
            }
            return try info.validated(file: file, dataOffset: dataOffset, alignment: alignment, fileSize: bytes.count)
        }
        try Self.checkNoOverlap(tensors, file: file)
    }

    private static func readMetadata(_ reader: inout GGUFByteReader, count: Int) throws -> GGUFMetadata {
        var entries: [(key: String, value: GGUFMetadataValue)] = []
        var keys = Set<String>()
        for index in 0..<count {
            let file = reader.file
            let key = try reader.readString("the key of metadata entry \(index)") {
                GGUFError.invalidMetadata(file: file, key: "entry \(index)", reason: $0)
            }
            guard !key.isEmpty else { throw reader.invalidMetadata("entry \(index)", "empty key") }
            guard keys.insert(key).inserted else { throw reader.invalidMetadata(key, "duplicate key") }
            let type = try reader.readValueType(key: key)
            entries.append((key, try reader.readValue(of: type, key: key)))
        }
        return GGUFMetadata(file: reader.file, entries: entries)
    }

    /// The alignment a `general.alignment` value (or its absence) sets; it must be a power of two.
    static func alignment(_ value: GGUFMetadataValue?, file: String) throws -> Int {
        guard let value else { return defaultAlignment }
        guard case .uint32(let alignment) = value else {
            throw GGUFError.wrongType(file: file, key: GGUFKey.alignment, expected: "uint32", actual: value.type)
        }
        guard alignment > 0, alignment & (alignment - 1) == 0 else {
            throw GGUFError.invalidMetadata(file: file, key: GGUFKey.alignment, reason: "\(alignment) is not a power of two")
        }
        return Int(alignment)
    }

    private static func checkNoOverlap(_ tensors: [GGUFTensorInfo], file: String) throws {
        let nonEmpty = tensors.filter { !$0.byteRange.isEmpty }
            .sorted { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
        var furthest: GGUFTensorInfo?
        for tensor in nonEmpty {
            if let previous = furthest, tensor.byteRange.lowerBound < previous.byteRange.upperBound {
                throw GGUFError.overlap(file: file, tensor: tensor.name, other: previous.name)
            }
            if tensor.byteRange.upperBound > furthest?.byteRange.upperBound ?? 0 { furthest = tensor }
        }
    }
}

/// A tensor info as stored, before its size and offset are checked against the file.
private struct RawTensorInfo {
    let name: String
    let dimensions: [UInt64]
    let typeID: UInt32
    let offset: UInt64

    init(_ reader: inout GGUFByteReader) throws {
        let file = reader.file
        let name = try reader.readString("a tensor name") {
            GGUFError.invalidTensor(file: file, tensor: "(unnamed)", reason: $0)
        }
        let count = try reader.read(UInt32.self, "the dimension count of tensor \(name)")
        guard count <= GGUFHeader.maximumDimensionCount else {
            throw GGUFError.invalidTensor(
                file: file, tensor: name, reason: "\(count) dimensions (at most \(GGUFHeader.maximumDimensionCount))")
        }
        dimensions = try (0..<count).map { _ in try reader.read(UInt64.self, "the dimensions of tensor \(name)") }
        typeID = try reader.read(UInt32.self, "the type of tensor \(name)")
        offset = try reader.read(UInt64.self, "the offset of tensor \(name)")
        self.name = name
    }

    func validated(file: String, dataOffset: Int, alignment: Int, fileSize: Int) throws -> GGUFTensorInfo {
        func invalid(_ reason: String) -> GGUFError { .invalidTensor(file: file, tensor: name, reason: reason) }
        guard let type = GGUFTensorType(rawValue: typeID) else {
            throw GGUFError.unknownTensorType(file: file, tensor: name, typeID: typeID)
        }
        var sizes: [Int] = []
        var elementCount = 1
        for dimension in dimensions {
            guard let size = Int(exactly: dimension),
                  case let (product, overflow) = elementCount.multipliedReportingOverflow(by: size), !overflow
            else { throw invalid("dimensions \(dimensions) are too large") }
            sizes.append(size)
            elementCount = product
        }
        let rowLength = sizes.first ?? 1
        guard let rowBytes = type.byteCount(rowLength: rowLength) else {
            throw invalid("row length \(rowLength) is not a multiple of the \(type.name) block size \(type.blockSize)")
        }
        var byteCount = rowBytes
        for size in sizes.dropFirst() {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw invalid("dimensions \(dimensions) are too large") }
            byteCount = product
        }
        guard offset % UInt64(alignment) == 0 else {
            throw invalid("offset \(offset) is not a multiple of the alignment \(alignment)")
        }
        let available = UInt64(fileSize - dataOffset)
        guard offset <= available, UInt64(byteCount) <= available - offset else {
            throw GGUFError.tensorOutOfBounds(
                file: file, tensor: name, offset: offset, byteCount: byteCount, dataSize: fileSize - dataOffset)
        }
        let start = dataOffset + Int(offset)
        return GGUFTensorInfo(name: name, dimensions: sizes, type: type, offset: Int(offset), byteRange: start..<(start + byteCount))
    }
}
