import QwenKernels
import Testing

/// Float rows of a KV cache stored with ``Kernels/storeKVRow(_:headDim:format:into:)``, and the
/// value of every stored element decoded independently of the kernels.
struct StoredKVRows {
    let rowBytes: Int
    let bytes: [UInt8]
    /// `[rows][headDim]` values the stored bytes encode.
    let decoded: [Float]

    init(_ x: [Float], headDim: Int, format: WeightFormat) {
        let rowBytes = Kernels.kvRowByteCount(format: format, headDim: headDim)
        let rows = x.count / headDim
        var bytes = [UInt8](repeating: 0xA5, count: rows * rowBytes)
        bytes.withUnsafeMutableBytes { buffer in
            x.withUnsafeBufferPointer { x in
                for row in 0..<rows {
                    Kernels.storeKVRow(
                        x.baseAddress! + row * headDim, headDim: headDim, format: format,
                        into: buffer.baseAddress! + row * rowBytes)
                }
            }
        }
        self.rowBytes = rowBytes
        self.bytes = bytes
        decoded = (0..<rows).flatMap { row in
            let stored = Array(bytes[row * rowBytes..<(row + 1) * rowBytes])
            return (0..<headDim).map { Self.element(stored, $0, format: format) }
        }
    }

    /// Element `d` of one stored row: float32, float16, or Q8_0 (`d_block · q`).
    static func element(_ row: [UInt8], _ d: Int, format: WeightFormat) -> Float {
        func half(_ offset: Int) -> UInt16 { UInt16(row[offset]) | UInt16(row[offset + 1]) << 8 }
        switch format {
        case .f16: return decodeHalf(half(2 * d))
        case .q8_0:
            let block = d / 32 * 34
            return decodeHalf(half(block)) * Float(Int8(bitPattern: row[block + 2 + d % 32]))
        default:
            let bits = (0..<4).reduce(UInt32(0)) { $0 | UInt32(row[4 * d + $1]) << (8 * $1) }
            return Float(bitPattern: bits)
        }
    }
}

@Suite struct KVRowTests {
    @Test func rowBytesPadF16AndQ8ToWholeStrips() {
        #expect(Kernels.kvRowByteCount(format: .f32, headDim: 64) == 256)
        #expect(Kernels.kvRowByteCount(format: .f32, headDim: 20) == 80)
        #expect(Kernels.kvRowByteCount(format: .f16, headDim: 64) == 128)
        #expect(Kernels.kvRowByteCount(format: .f16, headDim: 128) == 256)
        #expect(Kernels.kvRowByteCount(format: .f16, headDim: 16) == 128)
        #expect(Kernels.kvRowByteCount(format: .q8_0, headDim: 64) == 68)
        #expect(Kernels.kvRowByteCount(format: .q8_0, headDim: 128) == 136)
        #expect(Kernels.kvRowByteCount(format: .q8_0, headDim: 80) == 136)
    }

    @Test(arguments: [16, 20, 64, 128])
    func storedRowsRoundTrip(headDim: Int) throws {
        var random = TestRandom(seed: 31)
        let x = random.floats(3 * headDim, in: -3...3) + [Float](repeating: 0, count: headDim)
        #expect(StoredKVRows(x, headDim: headDim, format: .f32).decoded == x)
        // float16 rounding to nearest: within half an ulp (2⁻¹¹ relative) for these magnitudes.
        let f16 = StoredKVRows(x, headDim: headDim, format: .f16)
        for (value, original) in zip(f16.decoded, x) {
            #expect(abs(value - original) <= abs(original) / 2048, "f16 \(value) vs \(original)")
        }
        // Q8_0: ggml's reference quantizer per block of 32, the tail of a partial block zero.
        let q8 = StoredKVRows(x, headDim: headDim, format: .q8_0)
        for row in 0..<4 {
            var padded = [Float](repeating: 0, count: q8.rowBytes / 34 * 32)
            padded.replaceSubrange(0..<headDim, with: x[row * headDim..<(row + 1) * headDim])
            let stored = Array(q8.bytes[row * q8.rowBytes..<(row + 1) * q8.rowBytes])
            let expected = try WeightFormat.q8_0.quantize(padded)
            #expect(stored == expected, "row \(row)")
        }
    }

    @Test(arguments: [WeightFormat.f16, .q8_0])
    func paddingIsZero(format: WeightFormat) {
        let rows = StoredKVRows([Float](repeating: 1.5, count: 16), headDim: 16, format: format)
        // float16: bytes after the 16 values; Q8_0: codes 16..<32 of the first block, then the second block.
        let padding: [UInt8] = format == .f16 ? Array(rows.bytes[32...]) : Array(rows.bytes[18..<34]) + Array(rows.bytes[34...])
        #expect(padding.allSatisfy { $0 == 0 })
    }
}
