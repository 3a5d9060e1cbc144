import QwenKernels
import Testing

@Suite struct LinearTests {
    /// Float64 reference with the bound |Σ xw - ref| <= 1e-5 · Σ|xw| (float32 rounding over
    /// up to a few hundred terms stays far below it; a wrong element or lane does not).
    static func reference(x: [Float], rowCount: Int, matrix: TestMatrix, bias: [Float]?) -> (values: [Float], bounds: [Float]) {
        var values = [Float](repeating: 0, count: rowCount * matrix.rows)
        var bounds = values
        for m in 0..<rowCount {
            for r in 0..<matrix.rows {
                var sum = 0.0, magnitude = 0.0
                for c in 0..<matrix.columns {
                    let product = Double(x[m * matrix.columns + c]) * Double(matrix.values[r * matrix.columns + c])
                    sum += product
                    magnitude += abs(product)
                }
                if let bias { sum += Double(bias[r]) }
                values[m * matrix.rows + r] = Float(sum)
                bounds[m * matrix.rows + r] = Float(1e-5 * magnitude) + 1e-6
            }
        }
        return (values, bounds)
    }

    static let shapes: [(rows: Int, columns: Int)] = [(1, 1), (5, 7), (33, 15), (31, 33), (70, 100), (67, 257), (40, 1000)]

    @Test(arguments: KernelPath.supported, WeightFormat.allCases.filter { !$0.isQuantized })
    func matchesReference(path: KernelPath, format: WeightFormat) {
        var random = TestRandom(seed: 42)
        let pools = [ThreadPool(threadCount: 1), ThreadPool(threadCount: 2)]
        for (rows, columns) in Self.shapes {
            let matrix = TestMatrix(format: format, rows: rows, columns: columns, random: &random)
            for rowCount in [1, 2, 3, 4, 5, 8, 17, 33, 41, 300] {
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

    /// Prefill packs 16-bit weights as they are and converts them in the micro-kernel: the same
    /// numbers in the same order as a float32 matrix of their values, bit for bit.
    @Test(arguments: KernelPath.supported, [WeightFormat.f16, .bf16])
    func prefillOf16BitWeightsEqualsTheirFloat32Values(path: KernelPath, format: WeightFormat) {
        var random = TestRandom(seed: 43)
        let pool = ThreadPool(threadCount: 2)
        for (rows, columns) in [(31, 33), (67, 257), (40, 1000)] {
            let matrix = TestMatrix(format: format, rows: rows, columns: columns, random: &random)
            let rowCount = 41, x = random.floats(rowCount * columns), bias = random.floats(rows)
            var y = [Float](repeating: .nan, count: rowCount * rows), expected = y
            matrix.withMatrix { Kernels.linear(x, rowCount: rowCount, weight: $0, bias: bias, into: &y, pool: pool, path: path) }
            matrix.values.withUnsafeBytes { values in
                let float32 = WeightMatrix(base: values.baseAddress!, format: .f32, rows: rows, columns: columns)
                Kernels.linear(x, rowCount: rowCount, weight: float32, bias: bias, into: &expected, pool: pool, path: path)
            }
            #expect(y == expected, "\(rows)x\(columns)")
        }
    }

    @Test(arguments: KernelPath.supported, WeightFormat.allCases.filter { !$0.isQuantized })
    func rowConvertsExactly(path: KernelPath, format: WeightFormat) {
        var random = TestRandom(seed: 7)
        let matrix = TestMatrix(format: format, rows: 4, columns: 37, random: &random)
        for row in 0..<4 {
            var y = [Float](repeating: .nan, count: 37)
            matrix.withMatrix { Kernels.row(row, of: $0, into: &y, path: path) }
            #expect(y == Array(matrix.values[row * 37..<(row + 1) * 37]))
        }
    }

    @Test(arguments: KernelPath.supported)
    func rowConvertsHalfSpecialValues(path: KernelPath) {
        let halves: [UInt16] = [0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0xC000, 0x7BFF, 0x7C00, 0xFC00, 0x8001, 0x3555,
                                0x1234, 0x0200, 0x83FF, 0x5640, 0x0010]
        var y = [Float](repeating: .nan, count: halves.count)
        halves.withUnsafeBytes {
            Kernels.row(0, of: WeightMatrix(base: $0.baseAddress!, format: .f16, rows: 1, columns: halves.count), into: &y, path: path)
        }
        #expect(y == halves.map(decodeHalf))
    }
}
