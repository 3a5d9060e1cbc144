import Foundation
import QwenKernels
import Testing

/// Quantized matrices (every format but Q4_1) with each 8 rows interleaved (`WeightMatrix.interleaved(into:)`).
@Suite struct InterleavedLinearTests {
    static let formats: [WeightFormat] = [.q8_0, .q4_0, .q5_0, .q4_K, .q6_K]

    /// `body` gets `matrix` interleaved (in memory alive for the call).
    static func withInterleaved<R>(_ matrix: QuantizedTestMatrix, _ body: (WeightMatrix) -> R) -> R {
        matrix.withMatrix { rowMajor in
            let memory = UnsafeMutableRawPointer.allocate(byteCount: rowMajor.byteCount, alignment: 64)
            defer { memory.deallocate() }
            let interleaved = rowMajor.interleaved(into: memory)
            #expect(interleaved.isInterleaved && !interleaved.canInterleave)
            return body(interleaved)
        }
    }

    static func linear(_ x: [Float], rowCount: Int, _ weight: WeightMatrix, bias: [Float]? = nil,
                       pool: ThreadPool, path: KernelPath) -> [Float] {
        var y = [Float](repeating: .nan, count: rowCount * weight.rows)
        Kernels.linear(x, rowCount: rowCount, weight: weight, bias: bias, into: &y, pool: pool, path: path)
        return y
    }

    @Test(arguments: KernelPath.supported, formats)
    func matchesReference(path: KernelPath, format: WeightFormat) {
        var random = TestRandom(seed: 21)
        let pools = [ThreadPool(threadCount: 1), ThreadPool(threadCount: 2)]
        for columns in format.blockSize == 256 ? [256, 768] : [32, 96, 320] {
            for rows in [8, 40, 72] {
                let matrix = QuantizedTestMatrix(format: format, rows: rows, columns: columns, random: &random)
                for rowCount in [1, 3, 17, 40] {
                    let x = random.floats(rowCount * columns)
                    for bias in [nil, random.floats(rows)] {
                        let expected = QuantizedLinearTests.reference(x: x, rowCount: rowCount, matrix: matrix, bias: bias)
                        for pool in pools {
                            let y = Self.withInterleaved(matrix) {
                                Self.linear(x, rowCount: rowCount, $0, bias: bias, pool: pool, path: path)
                            }
                            let mismatch = firstMismatch(y, expected.values) { expected.bounds[$0] }
                            #expect(mismatch == nil, "\(rows)x\(columns) rowCount \(rowCount) bias \(bias != nil) threads \(pool.threadCount): \(mismatch ?? "")")
                        }
                    }
                }
            }
        }
    }

    /// The copy split over threads (each prefaulting its own pages first) writes the same bytes as
    /// one thread, for every format and a row count that does not split evenly.
    @Test(arguments: formats)
    func copiesAlikeOnSeveralThreads(format: WeightFormat) {
        var random = TestRandom(seed: 23)
        let matrix = QuantizedTestMatrix(format: format, rows: 8 * 1000, columns: format.blockSize * 2, random: &random)
        matrix.withMatrix { rowMajor in
            let byteCount = rowMajor.byteCount
            let one = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
            let several = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
            defer { one.deallocate(); several.deallocate() }
            _ = rowMajor.interleaved(into: one)
            _ = rowMajor.interleaved(into: several, threadCount: 3)
            #expect(memcmp(one, several, byteCount) == 0)
        }
    }

    /// Each block's integer sum is exact and is scaled and added with one fused multiply-add on
    /// every path, so all paths agree bit for bit, decoding and prefill.
    @Test(arguments: formats)
    func pathsAgreeExactly(format: WeightFormat) {
        var random = TestRandom(seed: 22)
        let columns = format.blockSize * 7
        let matrix = QuantizedTestMatrix(format: format, rows: 24, columns: columns, random: &random)
        let bias = random.floats(24)
        let pool = ThreadPool(threadCount: 1)
        for rowCount in [5, Kernels.batchInvariantRowLimit + 3] {
            let x = random.floats(rowCount * columns)
            let results = KernelPath.supported.map { path in
                Self.withInterleaved(matrix) { Self.linear(x, rowCount: rowCount, $0, bias: bias, pool: pool, path: path) }
            }
            for (path, result) in zip(KernelPath.supported, results).dropFirst() {
                #expect(result == results[0], "\(path) differs from \(KernelPath.supported[0]), rowCount \(rowCount)")
            }
        }
    }

    /// Prefill stays in integers for every interleaved format. Q4_0, Q4_K and Q6_K keep decoding's
    /// arithmetic bit for bit; Q8_0 and Q5_0 sum each block whole before scaling (faster; llama.cpp's
    /// x86 prefill keeps the lanes) where decoding keeps eight lanes per block (llama.cpp's vec_dot): the same
    /// products up to float32 rounding of 7 block terms (bound 1e-5 of the larger of 1 and the value).
    /// Either way a row's prefill result does not depend on the other rows.
    @Test(arguments: KernelPath.supported, formats)
    func prefillKeepsDecodingArithmetic(path: KernelPath, format: WeightFormat) {
        var random = TestRandom(seed: 26)
        let columns = format.blockSize * 7, rows = 16, rowCount = Kernels.batchInvariantRowLimit + 5
        let matrix = QuantizedTestMatrix(format: format, rows: rows, columns: columns, random: &random)
        let x = random.floats(rowCount * columns)
        let pool = ThreadPool(threadCount: 2)
        Self.withInterleaved(matrix) { weight in
            let prefill = Self.linear(x, rowCount: rowCount, weight, pool: pool, path: path)
            let decoded = (0..<rowCount).flatMap { m in
                Self.linear(Array(x[m * columns..<(m + 1) * columns]), rowCount: 1, weight, pool: pool, path: path)
            }
            if format == .q8_0 || format == .q5_0 {
                let mismatch = firstMismatch(prefill, decoded) { 1e-5 * max(1, abs(decoded[$0])) }
                #expect(mismatch == nil, "\(mismatch ?? "")")
                #expect(prefill != decoded, "\(format)'s prefill should sum whole blocks, not decoding's lanes")
            } else {
                #expect(prefill == decoded)
            }
            let shifted = Self.linear(Array(x[columns...]), rowCount: rowCount - 1, weight, pool: pool, path: path)
            #expect(Array(prefill[rows...]) == shifted)
        }
    }

    /// Every code byte 0xFF (Q4_0 codes 15, Q5_0 31) times activations all at +127 or -127 drives the
    /// AVX2 kernels' 16-bit running sums to their bounds (Q4_0: 8 pairs of 15 · 127 = 30480; Q5_0:
    /// 4 pairs of 31 · 127 = 31496 per half): every path must still give the portable path's exact
    /// sums, decoding (a row alone and a tile of 8) and prefill, within the reference bound.
    @Test(arguments: formats)
    func largestCodesDoNotOverflow(format: WeightFormat) {
        var random = TestRandom(seed: 27)
        let columns = format.blockSize * 4, rows = 16
        let matrix = QuantizedTestMatrix(format: format, rows: rows, columns: columns, random: &random, fill: 0xFF)
        let pool = ThreadPool(threadCount: 1)
        for sign: Float in [1, -1] {
            for rowCount in [1, 8, Kernels.batchInvariantRowLimit + 3] {
                let x = [Float](repeating: sign, count: rowCount * columns)
                let results = KernelPath.supported.map { path in
                    Self.withInterleaved(matrix) { Self.linear(x, rowCount: rowCount, $0, pool: pool, path: path) }
                }
                for (path, result) in zip(KernelPath.supported, results).dropFirst() {
                    #expect(result == results[0], "\(path) differs from \(KernelPath.supported[0]), sign \(sign), rowCount \(rowCount)")
                }
                let expected = QuantizedLinearTests.reference(x: x, rowCount: rowCount, matrix: matrix, bias: nil)
                let mismatch = firstMismatch(results[results.count - 1], expected.values) { expected.bounds[$0] }
                #expect(mismatch == nil, "sign \(sign), rowCount \(rowCount): \(mismatch ?? "")")
            }
        }
    }

    /// Decoding a batch returns, bit for bit, what decoding each row alone returns: every split of
    /// the batch into tiles (Q8_0 and Q5_0: tiles of 3 to 8 rows and rows alone) and, with 37 blocks,
    /// the tiles' passes over 16 blocks at a time with a partial last one.
    @Test(arguments: KernelPath.supported, formats)
    func rowsDoNotDependOnTheBatch(path: KernelPath, format: WeightFormat) {
        var random = TestRandom(seed: 23)
        let columns = format.blockSize * 37, rows = 48
        let matrix = QuantizedTestMatrix(format: format, rows: rows, columns: columns, random: &random)
        let pool = ThreadPool(threadCount: 2)
        for rowCount in [2, 3, 5, 8, 9, 13, Kernels.batchInvariantRowLimit] {
            let x = random.floats(rowCount * columns)
            Self.withInterleaved(matrix) { weight in
                let batch = Self.linear(x, rowCount: rowCount, weight, pool: pool, path: path)
                for m in 0..<rowCount {
                    let alone = Self.linear(Array(x[m * columns..<(m + 1) * columns]), rowCount: 1, weight, pool: pool, path: path)
                    #expect(Array(batch[m * rows..<(m + 1) * rows]) == alone, "row \(m) of \(rowCount)")
                }
            }
        }
    }

    /// The same products as the row-major matrix. Q8_0, Q5_0, Q4_K and Q6_K keep the vector paths' row-major
    /// arithmetic (llama.cpp's dot products) bit for bit; Q4_0 sums each block before scaling
    /// (llama.cpp's repacked Q4_0), and the portable row-major kernel rounds without fused
    /// multiply-adds, so those differ only in float32 rounding (of 28 block terms, up to ~1e-5 of
    /// the result measured; bound 1e-4).
    @Test(arguments: formats)
    func agreesWithRowMajor(format: WeightFormat) {
        var random = TestRandom(seed: 24)
        let columns = format.blockSize == 256 ? 256 * 4 : 32 * 28
        let matrix = QuantizedTestMatrix(format: format, rows: 16, columns: columns, random: &random)
        let pool = ThreadPool(threadCount: 1)
        for rowCount in [1, 3, Kernels.batchInvariantRowLimit] {
            let x = random.floats(rowCount * columns)
            for path in KernelPath.supported {
                let rowMajor = matrix.withMatrix { Self.linear(x, rowCount: rowCount, $0, pool: pool, path: path) }
                let interleaved = Self.withInterleaved(matrix) { Self.linear(x, rowCount: rowCount, $0, pool: pool, path: path) }
                if format != .q4_0 && path != .portable {
                    #expect(interleaved == rowMajor, "\(path) rowCount \(rowCount)")
                } else {
                    let mismatch = firstMismatch(interleaved, rowMajor) { 1e-4 * max(1, abs(rowMajor[$0])) }
                    #expect(mismatch == nil, "\(path) rowCount \(rowCount): \(mismatch ?? "")")
                }
            }
        }
    }

    @Test(arguments: formats)
    func rowsDequantizeAsBefore(format: WeightFormat) {
        var random = TestRandom(seed: 25)
        let columns = format.blockSize * 3
        let matrix = QuantizedTestMatrix(format: format, rows: 16, columns: columns, random: &random)
        Self.withInterleaved(matrix) { weight in
            for row in 0..<16 {
                var y = [Float](repeating: .nan, count: columns), expected = y
                Kernels.row(row, of: weight, into: &y)
                matrix.withMatrix { Kernels.row(row, of: $0, into: &expected) }
                #expect(y == expected, "row \(row)")
            }
        }
    }

    @Test func onlyWholeGroupsOfQuantizedRowsButQ4_1Interleave() {
        let base = UnsafeRawPointer(bitPattern: 64)!
        #expect(WeightMatrix(base: base, format: .q8_0, rows: 16, columns: 32).canInterleave)
        #expect(WeightMatrix(base: base, format: .q4_0, rows: 8, columns: 64).canInterleave)
        #expect(!WeightMatrix(base: base, format: .q4_0, rows: 12, columns: 64).canInterleave)
        #expect(WeightMatrix(base: base, format: .q5_0, rows: 24, columns: 32).canInterleave)
        #expect(!WeightMatrix(base: base, format: .q4_1, rows: 16, columns: 32).canInterleave)
        #expect(WeightMatrix(base: base, format: .q4_K, rows: 16, columns: 256).canInterleave)
        #expect(WeightMatrix(base: base, format: .q6_K, rows: 16, columns: 256).canInterleave)
        #expect(!WeightMatrix(base: base, format: .f16, rows: 16, columns: 32).canInterleave)
    }
}
