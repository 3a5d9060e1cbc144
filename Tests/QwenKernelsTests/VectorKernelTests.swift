import Foundation
import QwenKernels
import Testing

@Suite struct VectorKernelTests {
    static let sizes = [1, 7, 16, 33, 100, 896, 4867]

    @Test(arguments: KernelPath.supported)
    func rmsNormMatchesReference(path: KernelPath) {
        var random = TestRandom(seed: 1)
        for dimension in Self.sizes {
            let rowCount = 3
            let x = random.floats(rowCount * dimension, in: -4...4)
            let weight = random.floats(dimension)
            var expected = [Float](repeating: 0, count: x.count)
            for m in 0..<rowCount {
                let row = x[m * dimension..<(m + 1) * dimension]
                let meanSquare = row.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(dimension)
                let inverse = 1 / (meanSquare + 1e-6).squareRoot()
                for i in 0..<dimension {
                    expected[m * dimension + i] = Float(Double(row[row.startIndex + i]) * inverse * Double(weight[i]))
                }
            }
            var y = [Float](repeating: .nan, count: x.count)
            Kernels.rmsNorm(x, weight: weight, epsilon: 1e-6, rowCount: rowCount, dimension: dimension, into: &y, path: path)
            #expect(firstMismatch(y, expected) { 2e-6 * abs(expected[$0]) + 1e-7 } == nil, "dimension \(dimension)")
            var inPlace = x
            inPlace.withUnsafeMutableBufferPointer {
                Kernels.rmsNorm($0.baseAddress!, weight: weight, epsilon: 1e-6, rowCount: rowCount, dimension: dimension, into: $0.baseAddress!, path: path)
            }
            #expect(inPlace == y, "in place, dimension \(dimension)")
        }
    }

    @Test(arguments: KernelPath.supported)
    func siluMultiplyMatchesReference(path: KernelPath) {
        var random = TestRandom(seed: 2)
        for count in Self.sizes {
            var gate = random.floats(count, in: -20...20)
            gate[0] = -100
            if count > 1 { gate[1] = 90 }
            let up = random.floats(count, in: -3...3)
            let expected = zip(gate, up).map { g, u in Float(Double(g) / (1 + exp(-Double(g))) * Double(u)) }
            Kernels.siluMultiply(gate: &gate, up: up, count: count, path: path)
            #expect(firstMismatch(gate, expected) { 4e-7 * abs(expected[$0]) + 1e-30 } == nil, "count \(count)")
        }
    }

    @Test(arguments: KernelPath.supported)
    func addMatchesReference(path: KernelPath) {
        var random = TestRandom(seed: 3)
        for count in Self.sizes {
            var x = random.floats(count)
            let y = random.floats(count)
            let expected = zip(x, y).map { $0 + $1 }
            Kernels.add(y, to: &x, count: count, path: path)
            #expect(x == expected, "count \(count)")
        }
    }

    @Test(arguments: KernelPath.supported)
    func softmaxMatchesReference(path: KernelPath) {
        var random = TestRandom(seed: 4)
        for count in Self.sizes {
            var x = random.floats(count, in: -30...30)
            // Rounding x - max to float32 costs up to |x - max| · 2⁻²⁴ relative error.
            let input = x
            let maximum = Double(x.max()!)
            let exponentials = x.map { exp(Double($0) - maximum) }
            let sum = exponentials.reduce(0, +)
            let expected = exponentials.map { Float($0 / sum) }
            Kernels.softmax(&x, count: count, path: path)
            let mismatch = firstMismatch(x, expected) { (2e-6 + 6e-8 * Float(maximum - Double(input[$0]))) * expected[$0] }
            #expect(mismatch == nil, "count \(count)")
        }
    }
}
