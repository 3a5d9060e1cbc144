import QwenKernels
import CQwenKernels
import Testing

@Suite struct QuantizerTests {
    /// Per-element bound of |dequantize(quantize(x)) - x| in one 32-value block, from each
    /// format's rounding rule; 2⁻¹⁰ terms cover the float16 rounding of the stored scales.
    static func elementBound(_ format: WeightFormat, block: ArraySlice<Float>) -> Float {
        let amax = block.map(abs).max() ?? 0
        let lo = block.min() ?? 0, hi = block.max() ?? 0
        let half: Float = 1.0 / 1024
        switch format {
        case .q8_0: return amax / 254 + amax * half
        // The value of largest magnitude maps to -8·d; its opposite can need +8·d, capped at 7·d.
        case .q4_0: return amax / 8 + amax * half
        case .q5_0: return amax / 16 + amax * half
        case .q4_1: return (hi - lo) / 30 + (abs(lo) + (hi - lo)) * half
        default: return .infinity
        }
    }

    @Test(arguments: [WeightFormat.q8_0, .q4_0, .q4_1, .q5_0])
    func roundTripWithinHalfAStep(format: WeightFormat) throws {
        var random = TestRandom(seed: 21)
        let x = random.floats(32 * 40, in: -3...3)
        let back = try format.dequantize(format.quantize(x), count: x.count)
        for start in stride(from: 0, to: x.count, by: 32) {
            let bound = Self.elementBound(format, block: x[start..<start + 32]) + 1e-6
            for i in start..<start + 32 {
                #expect(abs(back[i] - x[i]) <= bound, "\(format) element \(i): \(back[i]) vs \(x[i])")
            }
        }
    }

    /// The k-quants' scale search keeps the error small relative to the signal: uniform values
    /// quantized to 4 bits (Q4_K, 6-bit group scales) lose about 7% RMS, 6 bits (Q6_K) about 2%.
    @Test(arguments: [(WeightFormat.q4_K, Float(0.09)), (.q6_K, 0.025)])
    func kQuantErrorIsSmall(format: WeightFormat, relativeRMS: Float) throws {
        var random = TestRandom(seed: 22)
        let x = random.floats(256 * 16)
        let back = try format.dequantize(format.quantize(x), count: x.count)
        let error = zip(back, x).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        let signal = x.map { $0 * $0 }.reduce(0, +)
        #expect((error / signal).squareRoot() <= relativeRMS)
        #expect((error / signal).squareRoot() > relativeRMS / 10, "suspiciously exact")
    }

    @Test(arguments: WeightFormat.allCases.filter(\.isQuantized))
    func zerosStayZero(format: WeightFormat) throws {
        let x = [Float](repeating: 0, count: format.blockSize * 2)
        #expect(try format.dequantize(format.quantize(x), count: x.count) == x)
    }

    @Test func rejectsFloatFormatsAndPartialBlocks() {
        #expect(throws: QuantizationError.notQuantized(.f16)) { try WeightFormat.f16.quantize([1, 2]) }
        #expect(throws: QuantizationError.partialBlock(format: .q4_K, count: 32)) {
            try WeightFormat.q4_K.quantize([Float](repeating: 1, count: 32))
        }
        #expect(throws: QuantizationError.partialBlock(format: .q8_0, count: 32)) {
            try WeightFormat.q8_0.dequantize([0, 1, 2], count: 32)
        }
    }
}

/// The activation quantizers (8-bit blocks of 32 for the 32-value formats, Q8_K super-blocks of 256
/// for the k-quants) give the same bytes on every path: the vector ones round with the CPU's
/// ties-to-even conversion, the portable one with nearbyintf.
@Suite struct ActivationQuantizerTests {
    static func quantize(_ x: [Float], format: qk_format, path: KernelPath) -> [UInt8] {
        let columns = x.count
        let isa = switch path {
        case .portable: QK_ISA_PORTABLE
        case .avx2: QK_ISA_AVX2
        case .avx512: QK_ISA_AVX512
        }
        var bytes = [UInt8](repeating: 0xAA, count: qk_quant_activation_bytes(format, columns))
        x.withUnsafeBufferPointer { source in
            bytes.withUnsafeMutableBytes { qk_quantize_activation(isa, format, source.baseAddress, columns, $0.baseAddress) }
        }
        return bytes
    }

    @Test(arguments: [QK_FORMAT_Q8_0, QK_FORMAT_Q4_K])
    func pathsGiveTheSameBytes(format: qk_format) {
        var random = TestRandom(seed: 31)
        let columns = 256 * 3
        var rows = [random.floats(columns, in: -3...3), [Float](repeating: 0, count: columns)]
        // Ties: with max |x| = 127 the scale is 1, so these land exactly halfway between integers;
        // the largest magnitude negative, positive, and repeated with both signs.
        var ties = (0..<columns).map { Float($0 % 13) - 6.5 }
        for start in stride(from: 0, to: columns, by: 32) { ties[start + 5] = start % 64 == 0 ? -127 : 127 }
        ties[40] = 127
        rows.append(ties)
        var tiny = random.floats(columns, in: -1e-30...1e-30)
        tiny[7] = 0
        rows.append(tiny)
        for x in rows {
            let expected = Self.quantize(x, format: format, path: .portable)
            for path in KernelPath.supported.dropFirst() {
                #expect(Self.quantize(x, format: format, path: path) == expected, "\(path)")
            }
        }
    }
}
