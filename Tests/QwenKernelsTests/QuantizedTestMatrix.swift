import QwenKernels

/// A block-quantized weight matrix of random blocks (random codes, float16 scales of sane
/// magnitude) and the float32 value of every element, decoded in Swift from ggml's block
/// layouts independently of the C kernels.
struct QuantizedTestMatrix {
    let format: WeightFormat
    let rows: Int
    let columns: Int
    let bytes: [UInt8]
    let values: [Float]
    /// Q4_1's per-block minimum m (the value of code 0), one per 32 values; empty for other formats.
    let minimums: [Float]

    /// `fill`, when given, replaces every byte but the float16 scales (codes, high bits, packed
    /// sub-block scales).
    init(format: WeightFormat, rows: Int, columns: Int, random: inout TestRandom, fill: UInt8? = nil) {
        self.format = format
        self.rows = rows
        self.columns = columns
        var bytes = (0..<rows * format.rowByteCount(columns: columns)).map { _ in UInt8(truncatingIfNeeded: fill ?? UInt8(truncatingIfNeeded: random.next())) }
        let blockCount = bytes.count / format.blockByteCount
        for block in 0..<blockCount {
            for offset in Self.scaleOffsets(format) {
                // Sign random, exponent 5...12 (2^-10 ... 2^-3), mantissa random.
                let bits = random.next()
                let half = UInt16(bits & 0x83FF) | UInt16(5 + (bits >> 20) % 8) << 10
                bytes[block * format.blockByteCount + offset] = UInt8(half & 0xFF)
                bytes[block * format.blockByteCount + offset + 1] = UInt8(half >> 8)
            }
        }
        self.bytes = bytes
        minimums = format != .q4_1 ? [] : (0..<blockCount).map { block in
            decodeHalf(UInt16(bytes[block * 20 + 2]) | UInt16(bytes[block * 20 + 3]) << 8)
        }
        values = (0..<blockCount).flatMap { Self.decode(format, Array(bytes[$0 * format.blockByteCount..<($0 + 1) * format.blockByteCount])) }
    }

    /// Byte offsets of a block's float16 scale fields.
    static func scaleOffsets(_ format: WeightFormat) -> [Int] {
        switch format {
        case .q8_0, .q4_0, .q5_0: [0]
        case .q4_1, .q4_K: [0, 2]
        case .q6_K: [208]
        case .f32, .f16, .bf16: []
        }
    }

    /// The values of one block, following ggml-common.h's layouts.
    static func decode(_ format: WeightFormat, _ b: [UInt8]) -> [Float] {
        func half(_ i: Int) -> Float { decodeHalf(UInt16(b[i]) | UInt16(b[i + 1]) << 8) }
        switch format {
        case .q8_0:
            return (0..<32).map { half(0) * Float(Int8(bitPattern: b[2 + $0])) }
        case .q4_0:
            return (0..<32).map { j in
                let code: UInt8 = j < 16 ? b[2 + j] & 0xF : b[2 + j - 16] >> 4
                return half(0) * Float(Int(code) - 8)
            }
        case .q4_1:
            return (0..<32).map { j in
                let code: UInt8 = j < 16 ? b[4 + j] & 0xF : b[4 + j - 16] >> 4
                return half(0) * Float(code) + half(2)
            }
        case .q5_0:
            let high = (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[2 + $1]) << (8 * $1) }
            return (0..<32).map { j in
                let low: UInt8 = j < 16 ? b[6 + j] & 0xF : b[6 + j - 16] >> 4
                let code = Int(low) | Int((high >> UInt32(j)) & 1) << 4
                return half(0) * Float(code - 16)
            }
        case .q4_K:
            let packed = Array(b[4..<16])
            func scaleMin(_ g: Int) -> (Float, Float) {
                if g < 4 { return (Float(packed[g] & 63), Float(packed[g + 4] & 63)) }
                let scale: UInt8 = packed[g + 4] & 0xF | (packed[g - 4] >> 6) << 4
                let min: UInt8 = packed[g + 4] >> 4 | (packed[g] >> 6) << 4
                return (Float(scale), Float(min))
            }
            return (0..<256).map { i in
                let (scale, min) = scaleMin(i / 32)
                let byte = b[16 + 32 * (i / 64) + i % 32]
                let code: UInt8 = (i / 32) % 2 == 0 ? byte & 0xF : byte >> 4
                return half(0) * scale * Float(code) - half(2) * min
            }
        case .q6_K:
            return (0..<256).map { i in
                let h = i / 128, l = i % 32, quarter = (i % 128) / 32
                let lowByte = b[64 * h + l + (quarter % 2) * 32]
                let low: UInt8 = quarter < 2 ? lowByte & 0xF : lowByte >> 4
                let highBits: UInt8 = (b[128 + 32 * h + l] >> UInt8(2 * quarter)) & 3
                let scale = Float(Int8(bitPattern: b[192 + i / 16]))
                let code = Int(low | highBits << 4)
                return half(208) * scale * Float(code - 32)
            }
        case .f32, .f16, .bf16:
            return []
        }
    }

    func withMatrix<R>(_ body: (WeightMatrix) -> R) -> R {
        bytes.withUnsafeBytes { body(WeightMatrix(base: $0.baseAddress!, format: format, rows: rows, columns: columns)) }
    }
}
