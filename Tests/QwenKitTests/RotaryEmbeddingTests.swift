import Foundation
import QwenKit
import Testing

/// RoPE tables against transformers' `Qwen2RotaryEmbedding` (Tests/Fixtures/rope, made by
/// `make_rope_golden.py`): default, linear and YaRN with several head sizes and parameters, each
/// read from a `config.json` in the Qwen2.5 release layout and in the transformers-5 layout.
@Suite struct RotaryEmbeddingTests {
    enum Layout: String, CaseIterable { case release, transformers5 }

    struct Golden: Decodable, Sendable {
        struct Case: Decodable, Sendable {
            let name: String
            let head_dim: Int
            let rope_theta: Double
            let max_position_embeddings: Int
            let rope_scaling: [String: JSONValue]?
            let config_v5: [String: JSONValue]
            let inv_freq: [Float]
            let attention_scaling: Double
            let positions: [Int]
            let cos: [[Float]]
            let sin: [[Float]]
        }
        let cases: [Case]
    }

    /// Any JSON value, to carry config dictionaries through unchanged.
    enum JSONValue: Codable, Sendable {
        case number(Double), string(String), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
            else { self = .object(try c.decode([String: JSONValue].self)) }
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .number(let n):
                if n == n.rounded(), abs(n) < 1e15 { try c.encode(Int(n)) } else { try c.encode(n) }
            case .string(let s): try c.encode(s)
            case .bool(let b): try c.encode(b)
            case .array(let a): try c.encode(a)
            case .object(let o): try c.encode(o)
            case .null: try c.encodeNil()
            }
        }
    }

    static let golden: [Golden.Case] = {
        let url = Fixtures.url("rope/rope-golden.json")
        return (try? JSONDecoder().decode(Golden.self, from: Data(contentsOf: url)).cases) ?? []
    }()

    /// The configuration of a golden case, written as `config.json` in `layout` and loaded back.
    static func configuration(_ c: Golden.Case, layout: Layout) throws -> Qwen2Configuration {
        var config: [String: JSONValue]
        switch layout {
        case .transformers5:
            config = c.config_v5
        case .release:
            config = [
                "model_type": .string("qwen2"), "hidden_size": .number(Double(4 * c.head_dim)),
                "head_dim": .number(Double(c.head_dim)), "intermediate_size": .number(64),
                "num_hidden_layers": .number(2), "num_attention_heads": .number(4), "num_key_value_heads": .number(2),
                "vocab_size": .number(151936), "max_position_embeddings": .number(Double(c.max_position_embeddings)),
                "rms_norm_eps": .number(1e-6), "rope_theta": .number(c.rope_theta),
                "rope_scaling": c.rope_scaling.map(JSONValue.object) ?? .null, "tie_word_embeddings": .bool(true),
                "torch_dtype": .string("bfloat16"), "sliding_window": .number(Double(c.max_position_embeddings)),
                "use_sliding_window": .bool(false), "max_window_layers": .number(2), "hidden_act": .string("silu"),
            ]
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("qwen-rope-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("config.json")
        try JSONEncoder().encode(config).write(to: url)
        return try Qwen2Configuration.load(from: url)
    }

    static var caseNames: [String] { golden.map(\.name) }

    @Test func goldenFileIsThere() {
        #expect(Self.golden.count == 9)
    }

    @Test(arguments: caseNames, Layout.allCases)
    func inverseFrequenciesMatchTransformers(name: String, layout: Layout) throws {
        let c = try #require(Self.golden.first { $0.name == name })
        let rope = try RotaryEmbedding(configuration: Self.configuration(c, layout: layout))
        #expect(rope.attentionScaling == Float(c.attention_scaling))
        #expect(rope.inverseFrequencies.count == c.inv_freq.count)
        // torch computes theta^(2i/d) with a vectorized float32 pow (SLEEF, ≤ 1 ulp, not correctly
        // rounded), which differs from the correctly rounded value in about one pair per table;
        // YaRN's blend can carry that to 2 ulp.
        for (got, expected) in zip(rope.inverseFrequencies, c.inv_freq) {
            #expect(abs(got - expected) <= 2 * expected.ulp, "\(name): \(got) vs \(expected)")
        }
    }

    @Test(arguments: caseNames)
    func cosAndSinMatchTransformers(name: String) throws {
        let c = try #require(Self.golden.first { $0.name == name })
        let rope = try RotaryEmbedding(configuration: Self.configuration(c, layout: .release))
        let half = c.head_dim / 2
        var cos = [Float](repeating: 0, count: half), sin = cos
        for (row, position) in c.positions.enumerated() {
            cos.withUnsafeMutableBufferPointer { cosBuffer in
                sin.withUnsafeMutableBufferPointer { sinBuffer in
                    guard let cosBase = cosBuffer.baseAddress, let sinBase = sinBuffer.baseAddress else { return }
                    rope.fillTables(positions: position ..< position + 1, cos: cosBase, sin: sinBase)
                }
            }
            // Both sides round the angle position × frequency to float32 (half an ulp each), the
            // inverse frequencies may be an ulp or two apart (see above), and cos/sin themselves
            // round to within an ulp.
            for i in 0..<half {
                let angle = Float(position) * c.inv_freq[i]
                let angleError = angle.ulp + Float(position) * abs(rope.inverseFrequencies[i] - c.inv_freq[i])
                let tolerance = 3e-7 + angleError * rope.attentionScaling
                #expect(abs(cos[i] - c.cos[row][i]) <= tolerance, "\(name) cos[\(position)][\(i)]: \(cos[i]) vs \(c.cos[row][i])")
                #expect(abs(sin[i] - c.sin[row][i]) <= tolerance, "\(name) sin[\(position)][\(i)]: \(sin[i]) vs \(c.sin[row][i])")
            }
        }
    }

    @Test func rotationPairsTheHalves() throws {
        let rope = try RotaryEmbedding(headDim: 4, theta: 10000, scaling: nil, maxPositionEmbeddings: 16)
        var x: [Float] = [1, 2, 3, 4]
        var cos: [Float] = [0, 0], sin: [Float] = [0, 0]
        cos.withUnsafeMutableBufferPointer { c in
            sin.withUnsafeMutableBufferPointer { s in
                x.withUnsafeMutableBufferPointer { v in
                    guard let c = c.baseAddress, let s = s.baseAddress, let v = v.baseAddress else { return }
                    rope.fillTables(positions: 1..<2, cos: c, sin: s)
                    RotaryEmbedding.rotate(v, rowCount: 1, headCount: 1, headDim: 4, cos: c, sin: s)
                }
            }
        }
        // Pair (x0, x2) turns by 1 radian, pair (x1, x3) by 1/100 radian.
        let a = 1.0, b = 0.01
        let expected = [1 * Foundation.cos(a) - 3 * Foundation.sin(a), 2 * Foundation.cos(b) - 4 * Foundation.sin(b),
                        3 * Foundation.cos(a) + 1 * Foundation.sin(a), 4 * Foundation.cos(b) + 2 * Foundation.sin(b)]
        for (got, want) in zip(x, expected) { #expect(abs(Double(got) - want) <= 1e-6) }
    }

    /// llama.cpp's tables (GGUF models): the angle of pair i + 1 is pair i's times powf(theta, -2/d),
    /// from the position, through float32 cosf/sinf, as ggml's rope cache; within float32 rounding of
    /// the angles of transformers' tables. The rotation fuses the x0 products as llama.cpp's build does.
    @Test func llamaCppArithmeticFollowsGgml() throws {
        let rope = try RotaryEmbedding(headDim: 64, theta: 100000, scaling: nil, maxPositionEmbeddings: 8192, arithmetic: .llamaCpp)
        let reference = try RotaryEmbedding(headDim: 64, theta: 100000, scaling: nil, maxPositionEmbeddings: 8192)
        var cos = [Float](repeating: 0, count: 32), sin = cos, cosT = cos, sinT = cos
        for position in [1, 9, 300, 4095] {
            cos.withUnsafeMutableBufferPointer { c in
                sin.withUnsafeMutableBufferPointer { s in rope.fillTables(positions: position..<position + 1, cos: c.baseAddress!, sin: s.baseAddress!) }
            }
            cosT.withUnsafeMutableBufferPointer { c in
                sinT.withUnsafeMutableBufferPointer { s in reference.fillTables(positions: position..<position + 1, cos: c.baseAddress!, sin: s.baseAddress!) }
            }
            var angle = Float(position), differs = false
            for i in 0..<32 {
                #expect(cos[i] == Foundation.cosf(angle) && sin[i] == Foundation.sinf(angle), "position \(position) pair \(i)")
                #expect(abs(cos[i] - cosT[i]) <= Float(position) * 1e-6 && abs(sin[i] - sinT[i]) <= Float(position) * 1e-6)
                differs = differs || cos[i] != cosT[i]
                angle *= Foundation.powf(100000, -2 / 64)
            }
            if position > 1 { #expect(differs, "position \(position): llama.cpp's angles should not be transformers'") }
        }
        var x: [Float] = [0.3, -1.7, 2.9, 0.11]
        let c: [Float] = [0.6, -0.2], s: [Float] = [0.8, 0.98]
        x.withUnsafeMutableBufferPointer { v in
            RotaryEmbedding.rotate(v.baseAddress!, rowCount: 1, headCount: 1, headDim: 4, cos: c, sin: s, arithmetic: .llamaCpp)
        }
        #expect(x[0] == (-(Float(2.9) * 0.8)).addingProduct(0.3, 0.6) && x[2] == (Float(2.9) * 0.6).addingProduct(0.3, 0.8))
    }

    @Test func unsupportedScalingIsRejected() {
        let scaling = RopeScaling(ropeType: .longrope, factor: 2, originalMaxPositionEmbeddings: 4096)
        #expect(throws: ModelError.unsupportedRopeScaling("longrope")) {
            try RotaryEmbedding(headDim: 64, theta: 10000, scaling: scaling, maxPositionEmbeddings: 8192)
        }
    }
}
