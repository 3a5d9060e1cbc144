/// A bounds-checked little-endian cursor over the header of a GGUF file. Every read names what
/// it reads, so that a short file gives an error saying where it ended.
struct GGUFByteReader {
    /// Arrays nested deeper than this are rejected (llama.cpp accepts none; gguf-py any).
    static let maximumArrayDepth = 8

    let bytes: UnsafeRawBufferPointer
    let file: String
    private(set) var position = 0

    init(bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    var remaining: Int { bytes.count - position }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        guard remaining >= MemoryLayout<T>.size else { throw GGUFError.truncated(file: file, what: what()) }
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
        position += MemoryLayout<T>.size
        return value
    }

    /// A count that must leave room for `count × minimumSize` more bytes.
    mutating func readCount(_ what: @autoclosure () -> String, minimumSize: Int) throws -> Int {
        let count = try read(UInt64.self, what())
        guard count <= UInt64(remaining / max(minimumSize, 1)) else {
            throw GGUFError.countTooLarge(file: file, what: what(), count: count)
        }
        return Int(count)
    }

    /// A length-prefixed UTF-8 string. `fault` builds the error for invalid UTF-8.
    mutating func readString(_ what: @autoclosure () -> String, invalid fault: (String) -> GGUFError) throws -> String {
        let length = try read(UInt64.self, what())
        guard length <= UInt64(remaining) else { throw GGUFError.truncated(file: file, what: what()) }
        let range = position..<(position + Int(length))
        position = range.upperBound
        let stored = UnsafeRawBufferPointer(rebasing: bytes[range])
        let text = String(decoding: stored, as: UTF8.self)
        // Decoding replaces invalid sequences with U+FFFD, so valid UTF-8 is exactly what round-trips.
        guard text.utf8.elementsEqual(stored) else { throw fault("\(what()) is not valid UTF-8") }
        return text
    }

    /// A value of type `type` of metadata entry `key`.
    mutating func readValue(of type: GGUFValueType, key: String, depth: Int = 0) throws -> GGUFMetadataValue {
        func what() -> String { "the value of \(key)" }
        switch type {
        case .uint8: return .uint8(try read(UInt8.self, what()))
        case .int8: return .int8(try read(Int8.self, what()))
        case .uint16: return .uint16(try read(UInt16.self, what()))
        case .int16: return .int16(try read(Int16.self, what()))
        case .uint32: return .uint32(try read(UInt32.self, what()))
        case .int32: return .int32(try read(Int32.self, what()))
        case .uint64: return .uint64(try read(UInt64.self, what()))
        case .int64: return .int64(try read(Int64.self, what()))
        case .float32: return .float32(Float(bitPattern: try read(UInt32.self, what())))
        case .float64: return .float64(Double(bitPattern: try read(UInt64.self, what())))
        case .bool:
            let byte = try read(UInt8.self, what())
            guard byte <= 1 else { throw invalidMetadata(key, "bool value \(byte) is neither 0 nor 1") }
            return .bool(byte == 1)
        case .string:
            let file = file
            return .string(try readString(what()) { GGUFError.invalidMetadata(file: file, key: key, reason: $0) })
        case .array:
            guard depth < Self.maximumArrayDepth else {
                throw invalidMetadata(key, "arrays nested deeper than \(Self.maximumArrayDepth) levels")
            }
            let elementType = try readValueType(key: key)
            let count = try readCount("the array \(key)", minimumSize: elementType.minimumByteCount)
            var elements: [GGUFMetadataValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count {
                elements.append(try readValue(of: elementType, key: key, depth: depth + 1))
            }
            return .array(elementType, elements)
        }
    }

    mutating func readValueType(key: String) throws -> GGUFValueType {
        let raw = try read(UInt32.self, "the value type of \(key)")
        guard let type = GGUFValueType(rawValue: raw) else { throw invalidMetadata(key, "unknown value type \(raw)") }
        return type
    }

    /// Moves to the next multiple of `alignment` (a power of two), or to the end of the bytes.
    mutating func align(to alignment: Int) {
        position = min((position + alignment - 1) & ~(alignment - 1), bytes.count)
    }

    func invalidMetadata(_ key: String, _ reason: String) -> GGUFError {
        .invalidMetadata(file: file, key: key, reason: reason)
    }
}
