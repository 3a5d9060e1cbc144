import QwenKernels
import Testing

@Suite struct QuantizedLinearTests {
    static let formats = WeightFormat.allCases.filter(\.isQuantized)

    /// Float64 `x · Wᵀ (+ bias)` over the decoded weights, with the error bound llama.cpp's
    /// scheme allows: each activation is rounded to 8 bits per block (Q8_0: step d = max|x|/127
    /// with d stored as float16, so |x̂ - x| <= d·(1/2 + 127·2⁻¹¹); Q8_K: d = max|x|/127, error
    /// <= d/2), which moves the result by at most Σ|w|·error, plus float32 rounding. Q4_1 adds
    /// m·s per block with s = d·Σq stored as float16 (ggml's Q8_1): |s - d̂·Σq| <= 2⁻¹⁰·d·Σ|q|.
    static func reference(x: [Float], rowCount: Int, matrix: QuantizedTestMatrix, bias: [Float]?) -> (values: [Float], bounds: [Float]) {
        let columns = matrix.columns, block = matrix.format.blockSize == 256 ? 256 : 32
        let perStep: Double = block == 256 ? 0.5 : 0.5 + 127.0 / 2048
        var values = [Float](repeating: 0, count: rowCount * matrix.rows)
        var bounds = values
        for m in 0..<rowCount {
            let row = x[m * columns..<(m + 1) * columns]
            let steps = stride(from: 0, to: columns, by: block).map { start in
                Double(row[(m * columns + start)..<(m * columns + start + block)].map(abs).max() ?? 0) / 127
            }
            for r in 0..<matrix.rows {
                var sum = 0.0, magnitude = 0.0, quantization = 0.0
                for c in 0..<columns {
                    let w = Double(matrix.values[r * columns + c])
                    sum += w * Double(x[m * columns + c])
                    magnitude += abs(w * Double(x[m * columns + c]))
                    quantization += abs(w) * steps[c / block] * perStep
                }
                for b in 0..<(matrix.minimums.isEmpty ? 0 : columns / 32) {
                    let minimum = matrix.minimums[r * columns / 32 + b]
                    let absSum = row[(m * columns + 32 * b)..<(m * columns + 32 * b + 32)].reduce(0.0) { $0 + Double(abs($1)) }
                    quantization += Double(abs(minimum)) * (absSum + 16 * steps[b]) / 1024
                }
                if let bias { sum += Double(bias[r]) }
                values[m * matrix.rows + r] = Float(sum)
                bounds[m * matrix.rows + r] = Float(quantization + 1e-5 * magnitude) + 1e-6
            }
        }
        return (values, bounds)
    }

    @Test(arguments: KernelPath.supported, formats)
    func matchesReference(path: KernelPath, format: WeightFormat) {
        var random = TestRandom(seed: 11)
        let pools = [ThreadPool(threadCount: 1), ThreadPool(threadCount: 2)]
        let widths = format.blockSize == 256 ? [256, 768] : [32, 96, 320]
        for columns in widths {
            for rows in [1, 7, 33, 67] {
                let matrix = QuantizedTestMatrix(format: format, rows: rows, columns: columns, random: &random)
                for rowCount in [1, 3, 17, 40] {
                    let x = random.floats(rowCount * columns)
                    for bias in [nil, random.floats(rows)] {
                        let expected = Self.reference(x: x, rowCount: rowCount, matrix: matrix, bias: bias)
                        for pool in pools {
                            var y = [Float](repeating: .nan, count: rowCount * rows)
                            matrix.withMatrix { weight in
                                Kernels.linear(x, rowCount: rowCount, weight: weight, bias: bias, into: &y, pool: pool, path: path)
                            }
                            let mismatch = firstMismatch(y, expected.values) { expected.bounds[$0] }
                            #expect(mismatch == nil, "\(rows)x\(columns) rowCount \(rowCount) bias \(bias != nil) threads \(pool.threadCount): \(mismatch ?? "")")
                        }
                    }
                }
            }
        }
    }

    /// The integer dot products are exact, so every path computes the same per-block sums;
    /// only the float32 order of the scaled block sums differs.
    @Test(arguments: formats)
    func pathsAgree(format: WeightFormat) {
        var random = TestRandom(seed: 5)
        let columns = format.blockSize * 4
        let matrix = QuantizedTestMatrix(format: format, rows: 9, columns: columns, random: &random)
        let x = random.floats(2 * columns)
        let pool = ThreadPool(threadCount: 1)
        let results = KernelPath.supported.map { path in
            var y = [Float](repeating: .nan, count: 2 * 9)
            matrix.withMatrix { Kernels.linear(x, rowCount: 2, weight: $0, bias: nil, into: &y, pool: pool, path: path) }
            return y
        }
        for result in results.dropFirst() {
            let mismatch = firstMismatch(result, results[0]) { 1e-5 * max(1, abs(results[0][$0])) }
            #expect(mismatch == nil, "\(mismatch ?? "")")
        }
    }

    /// Row-major matrices (every format as stored; Q4_1 is never interleaved) keep decoding's integer
    /// arithmetic in prefill, as llama.cpp's vec_dot does for every row: each row's outputs are bit
    /// for bit what that row alone gives.
    @Test(arguments: KernelPath.supported, formats)
    func prefillKeepsDecodingArithmetic(path: KernelPath, format: WeightFormat) {
        var random = TestRandom(seed: 29)
        let columns = format.blockSize * 5, rows = 13, rowCount = Kernels.batchInvariantRowLimit + 7
        let matrix = QuantizedTestMatrix(format: format, rows: rows, columns: columns, random: &random)
        let x = random.floats(rowCount * columns)
        let pool = ThreadPool(threadCount: 2)
        var prefill = [Float](repeating: .nan, count: rowCount * rows)
        matrix.withMatrix { Kernels.linear(x, rowCount: rowCount, weight: $0, bias: nil, into: &prefill, pool: pool, path: path) }
        for m in 0..<rowCount {
            var alone = [Float](repeating: .nan, count: rows)
            matrix.withMatrix {
                Kernels.linear(Array(x[m * columns..<(m + 1) * columns]), rowCount: 1, weight: $0, bias: nil, into: &alone,
                               pool: pool, path: path)
            }
            #expect(Array(prefill[m * rows..<(m + 1) * rows]) == alone, "\(format) row \(m)")
        }
    }

    @Test(arguments: formats)
    func rowDequantizesLikeTheLayout(format: WeightFormat) {
        var random = TestRandom(seed: 3)
        let columns = format.blockSize * 3
        let matrix = QuantizedTestMatrix(format: format, rows: 5, columns: columns, random: &random)
        for row in 0..<5 {
            var y = [Float](repeating: .nan, count: columns)
            matrix.withMatrix { Kernels.row(row, of: $0, into: &y) }
            let expected = Array(matrix.values[row * columns..<(row + 1) * columns])
            let mismatch = firstMismatch(y, expected) { 1e-6 * max(1, abs(expected[$0])) }
            #expect(mismatch == nil, "row \(row): \(mismatch ?? "")")
        }
    }

    @Test func rowStrideCountsBlocks() {
        let base = UnsafeRawPointer(bitPattern: 64)!
        #expect(WeightMatrix(base: base, format: .q8_0, rows: 2, columns: 896).rowStride == 28 * 34)
        #expect(WeightMatrix(base: base, format: .q4_K, rows: 2, columns: 4864).rowStride == 19 * 144)
        #expect(WeightMatrix(base: base, format: .q6_K, rows: 2, columns: 256).rowStride == 210)
        #expect(WeightMatrix(base: base, format: .f16, rows: 2, columns: 3).rowStride == 6)
    }
}
