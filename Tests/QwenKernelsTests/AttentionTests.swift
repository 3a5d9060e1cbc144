import Foundation
import QwenKernels
import Testing

@Suite struct AttentionTests {
    struct Case: CustomStringConvertible, Sendable {
        var headCount: Int
        var kvHeadCount: Int
        var headDim: Int
        var startPosition: Int
        var queryCount: Int
        var window: Int?
        var description: String {
            "heads \(headCount)/\(kvHeadCount) dim \(headDim) start \(startPosition) queries \(queryCount) window \(window.map(String.init) ?? "nil")"
        }
    }

    static let cases: [Case] = [
        Case(headCount: 2, kvHeadCount: 2, headDim: 16, startPosition: 0, queryCount: 1, window: nil),
        Case(headCount: 4, kvHeadCount: 2, headDim: 64, startPosition: 0, queryCount: 17, window: nil),
        Case(headCount: 14, kvHeadCount: 2, headDim: 64, startPosition: 40, queryCount: 1, window: nil),
        Case(headCount: 14, kvHeadCount: 2, headDim: 64, startPosition: 23, queryCount: 9, window: nil),
        Case(headCount: 3, kvHeadCount: 3, headDim: 128, startPosition: 5, queryCount: 30, window: nil),
        Case(headCount: 4, kvHeadCount: 2, headDim: 16, startPosition: 12, queryCount: 20, window: 7),
        Case(headCount: 7, kvHeadCount: 1, headDim: 128, startPosition: 0, queryCount: 33, window: 1),
        Case(headCount: 2, kvHeadCount: 1, headDim: 64, startPosition: 300, queryCount: 3, window: 100),
        Case(headCount: 2, kvHeadCount: 2, headDim: 20, startPosition: 2, queryCount: 5, window: 1000),
    ]

    /// Float64 scaled dot-product attention with a causal (and sliding-window) mask.
    static func reference(_ c: Case, query: [Float], keys: [Float], values: [Float], capacity: Int, scale: Float) -> [Float] {
        var output = [Float](repeating: 0, count: c.queryCount * c.headCount * c.headDim)
        let group = c.headCount / c.kvHeadCount
        for i in 0..<c.queryCount {
            let position = c.startPosition + i
            let first = c.window.map { max(0, position - $0 + 1) } ?? 0
            for h in 0..<c.headCount {
                let kv = h / group
                let q = (i * c.headCount + h) * c.headDim
                var scores = [Double]()
                for j in first...position {
                    let k = (kv * capacity + j) * c.headDim
                    var dot = 0.0
                    for d in 0..<c.headDim { dot += Double(query[q + d]) * Double(keys[k + d]) }
                    scores.append(dot * Double(scale))
                }
                let maximum = scores.max()!
                let weights = scores.map { exp($0 - maximum) }
                let sum = weights.reduce(0, +)
                for d in 0..<c.headDim {
                    var value = 0.0
                    for (n, j) in (first...position).enumerated() {
                        value += weights[n] / sum * Double(values[(kv * capacity + j) * c.headDim + d])
                    }
                    output[q + d] = Float(value)
                }
            }
        }
        return output
    }

    /// Every path and KV row format against the float64 reference on the values the rows store
    /// (float16 and Q8_0 rows decoded independently of the kernels): the kernels convert stored
    /// values exactly, so only summation order differs, as in float32.
    @Test(arguments: KernelPath.supported, Array(Kernels.kvRowFormats).sorted { $0.rawValue < $1.rawValue })
    func matchesReference(path: KernelPath, format: WeightFormat) {
        var random = TestRandom(seed: 11)
        let pools = [ThreadPool(threadCount: 1), ThreadPool(threadCount: 2)]
        for c in Self.cases {
            let capacity = c.startPosition + c.queryCount + 5
            let query = random.floats(c.queryCount * c.headCount * c.headDim, in: -2...2)
            let keys = StoredKVRows(random.floats(c.kvHeadCount * capacity * c.headDim, in: -2...2), headDim: c.headDim, format: format)
            let values = StoredKVRows(random.floats(c.kvHeadCount * capacity * c.headDim), headDim: c.headDim, format: format)
            let scale = 1 / Float(c.headDim).squareRoot()
            let expected = Self.reference(
                c, query: query, keys: keys.decoded, values: values.decoded, capacity: capacity, scale: scale)
            for pool in pools {
                var output = [Float](repeating: .nan, count: expected.count)
                Kernels.attention(
                    query: query, keys: keys.bytes, values: values.bytes, format: format, capacity: capacity,
                    queryCount: c.queryCount, startPosition: c.startPosition, headCount: c.headCount,
                    kvHeadCount: c.kvHeadCount, headDim: c.headDim, scale: scale, window: c.window, into: &output,
                    pool: pool, path: path)
                let mismatch = firstMismatch(output, expected) { _ in 2e-6 }
                #expect(mismatch == nil, "\(format) \(c) threads \(pool.threadCount): \(mismatch ?? "")")
            }
        }
    }

    /// Σ p · v over float32 value rows in llama.cpp's order: position j in running sum j % lanes
    /// (fused multiply-adds), the sums reduced as its tinyBLAS (8 lanes) or vec_dot_f32 (32) does.
    static func llamaCppMix(_ p: Float, values: [Float], rows: ClosedRange<Int>, dim: Int, d: Int, lanes: Int) -> Float {
        var sums = [Float](repeating: 0, count: 32)
        for j in rows { sums[j % lanes] = sums[j % lanes].addingProduct(values[j * dim + d], p) }
        var x = [Float](repeating: 0, count: 8), t = [Float](repeating: 0, count: 4)
        for i in 0..<8 {
            let low: Float = sums[i] + sums[16 + i], high: Float = sums[8 + i] + sums[24 + i]
            x[i] = lanes == 8 ? sums[i] : low + high
        }
        for i in 0..<4 { t[i] = x[i] + x[i + 4] }
        let even: Float = lanes == 8 ? t[0] + t[2] : t[0] + t[1], odd: Float = lanes == 8 ? t[1] + t[3] : t[2] + t[3]
        return even + odd
    }

    /// With float32 rows every path sums the values in llama.cpp's lanes (32 for one query, as its
    /// vec_dot_f32 decoding; 8 for several, as its tinyBLAS prefill), which GGUF models need to give
    /// llama.cpp's logits bit for bit, for any number of query heads per KV head (the kernels mix up
    /// to 4 heads at once). Zero queries make every weight exactly 1 / count, so the expected output
    /// is that order alone (and differs from summing the positions one by one).
    @Test(arguments: KernelPath.supported)
    func floatValuesSumInLlamaCppLanes(path: KernelPath) {
        var random = TestRandom(seed: 13)
        let pool = ThreadPool(threadCount: 2)
        let dim = 72
        var orderMatters = false
        for heads in [1, 2, 3, 7] {
            for (start, queries, window) in [(70, 1, nil), (30, 5, nil), (50, 3, 20 as Int?), (5, 1, nil)] {
                let capacity = start + queries
                let values = random.floats(capacity * dim)
                var output = [Float](repeating: .nan, count: queries * heads * dim)
                Kernels.attention(
                    query: [Float](repeating: 0, count: queries * heads * dim), keys: random.floats(capacity * dim),
                    values: values, capacity: capacity, queryCount: queries, startPosition: start, headCount: heads,
                    kvHeadCount: 1, headDim: dim, scale: 0.125, window: window, into: &output, pool: pool, path: path)
                for i in 0..<queries {
                    let position = start + i, first = window.map { max(0, position - $0 + 1) } ?? 0
                    let p = Float(1 / Double(position + 1 - first))
                    for d in 0..<dim {
                        let expected = Self.llamaCppMix(p, values: values, rows: first...position, dim: dim, d: d, lanes: queries == 1 ? 32 : 8)
                        for h in 0..<heads {
                            #expect(output[(i * heads + h) * dim + d] == expected, "heads \(heads) start \(start) query \(i) head \(h) d \(d)")
                        }
                        let inOrder = (first...position).reduce(Float(0)) { $0.addingProduct(values[$1 * dim + d], p) }
                        orderMatters = orderMatters || inOrder != expected
                    }
                }
            }
        }
        #expect(orderMatters)
    }

    @Test func scratchGrowsWithCapacity() {
        let pool = ThreadPool(threadCount: 2)
        var random = TestRandom(seed: 12)
        for capacity in [8, 64, 2048] {
            let c = Case(headCount: 2, kvHeadCount: 1, headDim: 16, startPosition: capacity - 2, queryCount: 2, window: nil)
            let query = random.floats(2 * 2 * 16)
            let keys = random.floats(capacity * 16)
            let values = random.floats(capacity * 16)
            let expected = Self.reference(c, query: query, keys: keys, values: values, capacity: capacity, scale: 0.25)
            var output = [Float](repeating: .nan, count: expected.count)
            Kernels.attention(
                query: query, keys: keys, values: values, capacity: capacity, queryCount: 2,
                startPosition: capacity - 2, headCount: 2, kvHeadCount: 1, headDim: 16, scale: 0.25,
                window: nil, into: &output, pool: pool)
            #expect(firstMismatch(output, expected) { _ in 2e-6 } == nil, "capacity \(capacity)")
        }
    }
}
