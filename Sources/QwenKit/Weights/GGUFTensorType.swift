/// The storage type of a GGUF tensor: ggml's type id, with the number of values per block and
/// the bytes per block (as in ggml's `type_traits` and gguf-py's `GGML_QUANT_SIZES`).
///
/// Ids ggml has retired (4, 5, 31–33, 36–38) are not cases, so files using them are rejected.
///
/// ```swift
/// let type = GGUFTensorType.q4_K
/// type.blockSize                      // 256 values per block
/// type.blockByteCount                 // 144 bytes per block
/// type.byteCount(rowLength: 896)      // nil: 896 is not a multiple of 256
/// ```
public enum GGUFTensorType: UInt32, CaseIterable, Sendable {
    /// IEEE binary32.
    case f32 = 0
    /// IEEE binary16.
    case f16 = 1
    /// 4-bit, one f16 scale per 32 values.
    case q4_0 = 2
    /// 4-bit, f16 scale and minimum per 32 values.
    case q4_1 = 3
    /// 5-bit, one f16 scale per 32 values.
    case q5_0 = 6
    /// 5-bit, f16 scale and minimum per 32 values.
    case q5_1 = 7
    /// 8-bit, one f16 scale per 32 values.
    case q8_0 = 8
    /// 8-bit with a precomputed sum per 32 values (an activation format).
    case q8_1 = 9
    /// 2-bit k-quant: 256-value super-blocks of 16-value blocks.
    case q2_K = 10
    /// 3-bit k-quant: 256-value super-blocks of 16-value blocks.
    case q3_K = 11
    /// 4-bit k-quant: 256-value super-blocks of 32-value blocks with 6-bit scales and minimums.
    case q4_K = 12
    /// 5-bit k-quant: 256-value super-blocks of 32-value blocks with 6-bit scales and minimums.
    case q5_K = 13
    /// 6-bit k-quant: 256-value super-blocks of 16-value blocks with 8-bit scales.
    case q6_K = 14
    /// 8-bit k-quant with block sums (an activation format).
    case q8_K = 15
    /// 2.06-bit importance quantization.
    case iq2_XXS = 16
    /// 2.31-bit importance quantization.
    case iq2_XS = 17
    /// 3.06-bit importance quantization.
    case iq3_XXS = 18
    /// 1.56-bit importance quantization.
    case iq1_S = 19
    /// 4-bit non-linear quantization, 32-value blocks.
    case iq4_NL = 20
    /// 3.44-bit importance quantization.
    case iq3_S = 21
    /// 2.56-bit importance quantization.
    case iq2_S = 22
    /// 4.25-bit non-linear quantization, 256-value super-blocks.
    case iq4_XS = 23
    /// 8-bit integers.
    case i8 = 24
    /// 16-bit integers.
    case i16 = 25
    /// 32-bit integers.
    case i32 = 26
    /// 64-bit integers.
    case i64 = 27
    /// IEEE binary64.
    case f64 = 28
    /// 1.75-bit importance quantization.
    case iq1_M = 29
    /// bfloat16.
    case bf16 = 30
    /// Ternary, 1.69 bits per value.
    case tq1_0 = 34
    /// Ternary, 2.06 bits per value.
    case tq2_0 = 35
    /// OCP microscaling FP4: E2M1 values with a shared E8M0 scale per 32.
    case mxfp4 = 39
    /// NVIDIA FP4: E2M1 values with scales per 16, 64-value blocks.
    case nvfp4 = 40
    /// 1-bit, one f16 scale per 128 values.
    case q1_0 = 41
    /// 2-bit, one f16 scale per 64 values.
    case q2_0 = 42

    /// Values per block along a row (`ne[0]` must be a multiple of it).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_NL, .mxfp4: 32
        case .nvfp4, .q2_0: 64
        case .q1_0: 128
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K, .iq2_XXS, .iq2_XS, .iq3_XXS, .iq1_S,
             .iq3_S, .iq2_S, .iq4_XS, .iq1_M, .tq1_0, .tq2_0: 256
        }
    }

    /// Bytes of one block.
    public var blockByteCount: Int {
        switch self {
        case .i8: 1
        case .f16, .bf16, .i16: 2
        case .f32, .i32: 4
        case .f64, .i64: 8
        case .q4_0, .iq4_NL, .q1_0, .q2_0: 18
        case .q4_1: 20
        case .q5_0: 22
        case .q5_1: 24
        case .q8_0: 34
        case .q8_1: 36
        case .mxfp4: 17
        case .nvfp4: 36
        case .q2_K: 84
        case .q3_K: 110
        case .q4_K: 144
        case .q5_K: 176
        case .q6_K: 210
        case .q8_K: 292
        case .iq2_XXS: 66
        case .iq2_XS: 74
        case .iq3_XXS: 98
        case .iq1_S: 50
        case .iq3_S: 110
        case .iq2_S: 82
        case .iq4_XS: 136
        case .iq1_M: 56
        case .tq1_0: 54
        case .tq2_0: 66
        }
    }

    /// ggml's name for the type (`"q4_K"`, `"bf16"`), as llama.cpp prints it.
    public var name: String {
        switch self {
        case .iq2_XXS: "iq2_xxs"
        case .iq2_XS: "iq2_xs"
        case .iq3_XXS: "iq3_xxs"
        case .iq1_S: "iq1_s"
        case .iq4_NL: "iq4_nl"
        case .iq3_S: "iq3_s"
        case .iq2_S: "iq2_s"
        case .iq4_XS: "iq4_xs"
        case .iq1_M: "iq1_m"
        default: "\(self)"
        }
    }

    /// The bytes of a row of `rowLength` values, or nil when `rowLength` is negative or not a
    /// multiple of ``blockSize``.
    public func byteCount(rowLength: Int) -> Int? {
        guard rowLength >= 0, rowLength % blockSize == 0 else { return nil }
        return rowLength / blockSize * blockByteCount
    }
}
