import QwenKernels

/// The element type of a tensor, spelled as in a safetensors header (`"BF16"`, `"F32"`, ...).
public enum TensorDType: String, Sendable, CaseIterable {
    /// IEEE 754 double precision.
    case f64 = "F64"
    /// IEEE 754 single precision.
    case f32 = "F32"
    /// IEEE 754 half precision.
    case f16 = "F16"
    /// bfloat16: the upper half of a float32.
    case bf16 = "BF16"
    /// Signed 64-bit integers.
    case i64 = "I64"
    /// Signed 32-bit integers.
    case i32 = "I32"
    /// Signed 16-bit integers.
    case i16 = "I16"
    /// Signed 8-bit integers.
    case i8 = "I8"
    /// Unsigned 64-bit integers.
    case u64 = "U64"
    /// Unsigned 32-bit integers.
    case u32 = "U32"
    /// Unsigned 16-bit integers.
    case u16 = "U16"
    /// Unsigned 8-bit integers.
    case u8 = "U8"
    /// Booleans, one byte each.
    case bool = "BOOL"
    /// 8-bit floats with 4 exponent and 3 mantissa bits.
    case f8e4m3 = "F8_E4M3"
    /// 8-bit floats with 5 exponent and 2 mantissa bits.
    case f8e5m2 = "F8_E5M2"
    /// 8-bit exponent-only scales (OCP microscaling E8M0).
    case f8e8m0 = "F8_E8M0"
    /// Complex numbers of two float32s.
    case c64 = "C64"

    /// Bytes taken by one element.
    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64, .c64: 8
        case .f32, .i32, .u32: 4
        case .f16, .bf16, .i16, .u16: 2
        case .i8, .u8, .bool, .f8e4m3, .f8e5m2, .f8e8m0: 1
        }
    }

    /// The kernel format that reads this dtype in place, or nil when the data must be converted.
    public var weightFormat: WeightFormat? {
        switch self {
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        default: nil
        }
    }
}
