import QwenKernels
import Testing

/// Batched decoding must return what decoding alone returns: every row of a `Kernels.linear` call
/// equals, bit for bit, the same row computed by itself, wherever it sits in the batch and however
/// the rows are split over threads.
@Suite struct BatchInvarianceTests {
    /// Row counts across every tile boundary of the float kernels (8 or 6 rows per register tile)
    /// and the quantized kernels (4 rows per call), up to the quantized limit.
    static let rowCounts = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 25, 31, Kernels.batchInvariantRowLimit]

    @Test(arguments: KernelPath.supported, WeightFormat.allCases.filter { !$0.isQuantized })
    func floatRowsMatchAlone(path: KernelPath, format: WeightFormat) {
        var random = TestRandom(seed: 19)
        for (rows, columns) in [(37, 300), (70, 896), (5, 17)] {
            let matrix = TestMatrix(format: format, rows: rows, columns: columns, random: &random)
            let bias = random.floats(rows)
            matrix.withMatrix { weight in
                for rowCount in Self.rowCounts {
                    expectRowsMatchAlone(random.floats(rowCount * columns), rowCount: rowCount, weight: weight, bias: bias, path: path)
                }
            }
        }
    }

    @Test(arguments: KernelPath.supported, WeightFormat.allCases.filter(\.isQuantized))
    func quantizedRowsMatchAlone(path: KernelPath, format: WeightFormat) {
        var random = TestRandom(seed: 23)
        let columns = format.blockSize == 256 ? 512 : 96
        let matrix = QuantizedTestMatrix(format: format, rows: 45, columns: columns, random: &random)
        let bias = random.floats(45)
        matrix.withMatrix { weight in
            for rowCount in Self.rowCounts {
                expectRowsMatchAlone(random.floats(rowCount * columns), rowCount: rowCount, weight: weight, bias: bias, path: path)
            }
        }
    }

    private func expectRowsMatchAlone(_ x: [Float], rowCount: Int, weight: WeightMatrix, bias: [Float], path: KernelPath) {
        let pool = ThreadPool(threadCount: 2)
        var batch = [Float](repeating: .nan, count: rowCount * weight.rows)
        Kernels.linear(x, rowCount: rowCount, weight: weight, bias: bias, into: &batch, pool: pool, path: path)
        for m in 0..<rowCount {
            var alone = [Float](repeating: .nan, count: weight.rows)
            Array(x[m * weight.columns..<(m + 1) * weight.columns]).withUnsafeBufferPointer { row in
                Kernels.linear(row.baseAddress!, rowCount: 1, weight: weight, bias: bias, into: &alone, pool: pool, path: path)
            }
            let inBatch = Array(batch[m * weight.rows..<(m + 1) * weight.rows])
            #expect(inBatch.map(\.bitPattern) == alone.map(\.bitPattern),
                    "\(weight.format) \(weight.rows)x\(weight.columns) path \(path): row \(m) of \(rowCount) differs from the row alone")
        }
    }
}
