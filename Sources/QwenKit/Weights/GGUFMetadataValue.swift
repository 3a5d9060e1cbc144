/// One value of a GGUF file's key–value metadata.
///
/// ```swift
/// let value = GGUFMetadataValue.array(.string, [.string("<|endoftext|>"), .string("<|im_start|>")])
/// value.type            // .array
/// value.integer         // nil
/// ```
public enum GGUFMetadataValue: Sendable, Equatable {
    /// Type 0.
    case uint8(UInt8)
    /// Type 1.
    case int8(Int8)
    /// Type 2.
    case uint16(UInt16)
    /// Type 3.
    case int16(Int16)
    /// Type 4.
    case uint32(UInt32)
    /// Type 5.
    case int32(Int32)
    /// Type 6.
    case float32(Float)
    /// Type 7, stored as one byte, 0 or 1.
    case bool(Bool)
    /// Type 8: UTF-8, stored with a 64-bit length.
    case string(String)
    /// Type 9: a homogeneous array, every element of type `elementType` (arrays may nest).
    case array(_ elementType: GGUFValueType, _ elements: [GGUFMetadataValue])
    /// Type 10.
    case uint64(UInt64)
    /// Type 11.
    case int64(Int64)
    /// Type 12.
    case float64(Double)

    /// The type tag this value is stored with.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .float32: .float32
        case .bool: .bool
        case .string: .string
        case .array: .array
        case .uint64: .uint64
        case .int64: .int64
        case .float64: .float64
        }
    }

    /// The value of an integer of any width, or nil for other types and for a `uint64` that
    /// does not fit an `Int`.
    public var integer: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(v)
        default: nil
        }
    }

    /// The value of a `float32` or `float64`, or nil for other types.
    public var floatingPoint: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        default: nil
        }
    }

    /// The text of a `string`, or nil for other types.
    public var text: String? {
        if case .string(let text) = self { text } else { nil }
    }

    /// The elements of an `array`, or nil for other types.
    public var elements: [GGUFMetadataValue]? {
        if case .array(_, let elements) = self { elements } else { nil }
    }
}
