/// The type tag of a GGUF metadata value, as stored in the file.
/// The cases mirror ``GGUFMetadataValue``'s, with the ids of the GGUF specification.
public enum GGUFValueType: UInt32, CaseIterable, Sendable {
    /// An unsigned 8-bit integer.
    case uint8 = 0
    /// A signed 8-bit integer.
    case int8 = 1
    /// An unsigned 16-bit integer.
    case uint16 = 2
    /// A signed 16-bit integer.
    case int16 = 3
    /// An unsigned 32-bit integer.
    case uint32 = 4
    /// A signed 32-bit integer.
    case int32 = 5
    /// An IEEE 754 single-precision float.
    case float32 = 6
    /// One byte, 0 or 1.
    case bool = 7
    /// A UTF-8 string after its 64-bit byte count.
    case string = 8
    /// An element type and a 64-bit count, then the elements.
    case array = 9
    /// An unsigned 64-bit integer.
    case uint64 = 10
    /// A signed 64-bit integer.
    case int64 = 11
    /// An IEEE 754 double-precision float.
    case float64 = 12

    /// The fewest bytes a value of this type takes in a file (a string's or an array's length
    /// prefix alone); bounds element counts by the bytes left in the file.
    var minimumByteCount: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64, .string: 8
        case .array: 12
        }
    }
}
