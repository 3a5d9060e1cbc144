/// Widening of stored floating-point elements to `Float`, independent of the platform's
/// `Float16` support (absent on Intel macOS).
enum FloatConversion {
    /// The IEEE half-precision value with bit pattern `bits`, exactly.
    static func float(fromHalf bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 == 0 ? 1 : -1
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            return sign * Float(mantissa) * 0x1p-24
        case 0x1F:
            return Float(bitPattern: UInt32(bits & 0x8000) << 16 | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: UInt32(bits & 0x8000) << 16 | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// The bfloat16 value with bit pattern `bits`, exactly.
    static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Widens the elements of `dtype` in `source` (any alignment) into `destination`, which
    /// holds exactly as many elements. Returns false, writing nothing, when `dtype` is not a
    /// floating-point type this can read.
    static func convert(
        _ source: UnsafeRawBufferPointer, dtype: TensorDType, into destination: UnsafeMutableBufferPointer<Float>
    ) -> Bool {
        let count = destination.count
        switch dtype {
        case .f32:
            for i in 0..<count {
                destination[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        case .f16:
            for i in 0..<count {
                destination[i] = float(fromHalf: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .bf16:
            for i in 0..<count {
                destination[i] = float(fromBFloat16: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .f64:
            for i in 0..<count {
                destination[i] = Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        default:
            return false
        }
        return true
    }
}
