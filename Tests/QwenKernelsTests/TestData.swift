import QwenKernels

/// Deterministic pseudo-random numbers (SplitMix64) so failures reproduce.
struct TestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range`.
    mutating func float(in range: ClosedRange<Float> = -1...1) -> Float {
        let unit = Float(next() >> 40) / Float(1 << 24)
        return range.lowerBound + unit * (range.upperBound - range.lowerBound)
    }

    mutating func floats(_ count: Int, in range: ClosedRange<Float> = -1...1) -> [Float] {
        (0..<count).map { _ in float(in: range) }
    }
}

/// A weight matrix with its own storage, and the float32 value of every element.
struct TestMatrix {
    let format: WeightFormat
    let rows: Int
    let columns: Int
    /// The stored bits: float32 bit patterns or 16-bit patterns.
    let storage: [UInt32]
    let halves: [UInt16]
    /// Exact float32 value of each element, decoded independently of the kernels.
    let values: [Float]

    init(format: WeightFormat, rows: Int, columns: Int, random: inout TestRandom) {
        self.format = format
        self.rows = rows
        self.columns = columns
        let count = rows * columns
        switch format {
        case .f32:
            values = random.floats(count)
            storage = values.map(\.bitPattern)
            halves = []
        case .bf16:
            halves = (0..<count).map { _ in UInt16(random.float().bitPattern >> 16) }
            values = halves.map { Float(bitPattern: UInt32($0) << 16) }
            storage = []
        case .f16:
            // Exponents 0...15 cover subnormals and normals of magnitude below 2.
            halves = (0..<count).map { _ in
                let bits = random.next()
                return UInt16(bits & 0x83FF) | UInt16((bits >> 20) % 16) << 10
            }
            values = halves.map(decodeHalf)
            storage = []
        case .q8_0, .q4_0, .q4_1, .q5_0, .q4_K, .q6_K:
            preconditionFailure("quantized formats are tested with QuantizedTestMatrix")
        }
    }

    /// Runs `body` with a `WeightMatrix` over this storage.
    func withMatrix<R>(_ body: (WeightMatrix) -> R) -> R {
        if format == .f32 {
            return storage.withUnsafeBytes { body(WeightMatrix(base: $0.baseAddress!, format: format, rows: rows, columns: columns)) }
        }
        return halves.withUnsafeBytes { body(WeightMatrix(base: $0.baseAddress!, format: format, rows: rows, columns: columns)) }
    }
}

/// IEEE binary16 bits to Float by the textbook formula (the reference for the kernels).
func decodeHalf(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int((bits >> 10) & 0x1F)
    let fraction = Float(bits & 0x3FF) / 1024
    switch exponent {
    case 0: return sign * Float(sign: .plus, exponent: -14, significand: fraction)
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * Float(sign: .plus, exponent: exponent - 15, significand: 1 + fraction)
    }
}

/// `|a - b| <= tolerance` elementwise, reporting the first mismatch.
func firstMismatch(_ actual: [Float], _ expected: [Float], tolerance: (Int) -> Float) -> String? {
    guard actual.count == expected.count else { return "count \(actual.count) != \(expected.count)" }
    for i in actual.indices where !(abs(actual[i] - expected[i]) <= tolerance(i)) {
        return "index \(i): \(actual[i]) vs expected \(expected[i]) (tolerance \(tolerance(i)))"
    }
    return nil
}
