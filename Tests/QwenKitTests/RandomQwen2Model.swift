import Foundation

/// A small random-weight Qwen2 model written to disk as float16 safetensors (optionally sharded)
/// with a transformers-5 `config.json`, plus a naive, obviously-correct forward pass in plain
/// Swift (double accumulation) to check the real one against.
struct RandomQwen2Model {
    struct Shape {
        var hiddenSize = 96
        var intermediateSize = 160
        var layerCount = 2
        var headCount = 8
        var kvHeadCount = 2
        var headDim = 32
        var vocabularySize = 256
        var ropeTheta = 10000.0
        var tiedEmbeddings = false
        var epsilon = 1e-6
        /// With a window, layers from `layerCount / 2` on attend only to the last `slidingWindow` positions.
        var slidingWindow: Int?

        func isSliding(layer: Int) -> Bool {
            slidingWindow != nil && layer >= layerCount / 2
        }
    }

    let shape: Shape
    /// Weights by Hugging Face name; every value is exactly representable in float16.
    private(set) var tensors: [String: (shape: [Int], values: [Float])] = [:]

    init(shape: Shape, seed: UInt64) {
        self.shape = shape
        var random = SplitMix64(seed: seed)
        let s = shape
        let q = s.headCount * s.headDim, kv = s.kvHeadCount * s.headDim
        func add(_ name: String, _ dims: [Int], _ make: (inout SplitMix64) -> Float) {
            tensors[name] = (dims, (0..<dims.reduce(1, *)).map { _ in make(&random) })
        }
        func matrix(_ name: String, _ rows: Int, _ columns: Int) {
            let limit = 1.5 * 3.0.squareRoot() / Double(columns).squareRoot()
            add(name, [rows, columns]) { $0.halfValue(in: -limit...limit) }
        }
        func norm(_ name: String) { add(name, [s.hiddenSize]) { 1 + $0.halfValue(in: -0.3...0.3) } }
        func bias(_ name: String, _ count: Int) { add(name, [count]) { $0.halfValue(in: -0.3...0.3) } }

        add("model.embed_tokens.weight", [s.vocabularySize, s.hiddenSize]) { $0.halfValue(in: -0.8...0.8) }
        for layer in 0..<s.layerCount {
            let p = "model.layers.\(layer)"
            norm("\(p).input_layernorm.weight")
            matrix("\(p).self_attn.q_proj.weight", q, s.hiddenSize)
            bias("\(p).self_attn.q_proj.bias", q)
            matrix("\(p).self_attn.k_proj.weight", kv, s.hiddenSize)
            bias("\(p).self_attn.k_proj.bias", kv)
            matrix("\(p).self_attn.v_proj.weight", kv, s.hiddenSize)
            bias("\(p).self_attn.v_proj.bias", kv)
            matrix("\(p).self_attn.o_proj.weight", s.hiddenSize, q)
            norm("\(p).post_attention_layernorm.weight")
            matrix("\(p).mlp.gate_proj.weight", s.intermediateSize, s.hiddenSize)
            matrix("\(p).mlp.up_proj.weight", s.intermediateSize, s.hiddenSize)
            matrix("\(p).mlp.down_proj.weight", s.hiddenSize, s.intermediateSize)
        }
        norm("model.norm.weight")
        if !s.tiedEmbeddings {
            add("lm_head.weight", [s.vocabularySize, s.hiddenSize]) { $0.halfValue(in: -0.8...0.8) }
        }
    }

    // MARK: Files

    /// Writes `config.json` (transformers-5 layout) and the weights, split into `shardCount`
    /// safetensors files with a `model.safetensors.index.json` when `shardCount > 1`.
    func write(to directory: URL, shardCount: Int = 1) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let s = shape
        let config: [String: Any] = [
            "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
            "hidden_size": s.hiddenSize, "intermediate_size": s.intermediateSize,
            "num_hidden_layers": s.layerCount, "num_attention_heads": s.headCount,
            "num_key_value_heads": s.kvHeadCount, "head_dim": s.headDim, "vocab_size": s.vocabularySize,
            "max_position_embeddings": 32768, "rms_norm_eps": s.epsilon,
            "rope_parameters": ["rope_theta": s.ropeTheta, "rope_type": "default"],
            "layer_types": (0..<s.layerCount).map { s.isSliding(layer: $0) ? "sliding_attention" : "full_attention" },
            "sliding_window": s.slidingWindow.map { $0 as Any } ?? NSNull(),
            "use_sliding_window": s.slidingWindow != nil, "max_window_layers": s.layerCount / 2,
            "tie_word_embeddings": s.tiedEmbeddings, "dtype": "float16", "transformers_version": "5.24.0",
        ]
        try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .prettyPrinted])
            .write(to: directory.appendingPathComponent("config.json"))

        let names = tensors.keys.sorted()
        let perShard = (names.count + shardCount - 1) / shardCount
        var weightMap: [String: String] = [:]
        for shard in 0..<shardCount {
            let shardNames = Array(names.dropFirst(shard * perShard).prefix(perShard))
            let file = shardCount == 1
                ? "model.safetensors"
                : String(format: "model-%05d-of-%05d.safetensors", shard + 1, shardCount)
            for name in shardNames { weightMap[name] = file }
            try safetensors(shardNames).write(to: directory.appendingPathComponent(file))
        }
        if shardCount > 1 {
            let index: [String: Any] = ["metadata": ["total_size": 0], "weight_map": weightMap]
            try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys])
                .write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        }
    }

    private func safetensors(_ names: [String]) throws -> Data {
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var body = Data()
        for name in names {
            guard let tensor = tensors[name] else { continue }
            let start = body.count
            for value in tensor.values {
                let bits = Self.halfBits(value)
                body.append(UInt8(bits & 0xFF))
                body.append(UInt8(bits >> 8))
            }
            header[name] = ["dtype": "F16", "shape": tensor.shape, "data_offsets": [start, body.count]]
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(body)
        return file
    }

    /// The float16 bits of a value that is exactly representable as a normal float16 (or zero).
    private static func halfBits(_ value: Float) -> UInt16 {
        guard value != 0 else { return 0 }
        let bits = value.bitPattern
        let sign = UInt16(bits >> 31) << 15
        let exponent = UInt16(Int(bits >> 23 & 0xFF) - 127 + 15) << 10
        let mantissa = UInt16(bits >> 13 & 0x3FF)
        return sign | exponent | mantissa
    }

    // MARK: Reference forward

    /// Logits at every position of `tokens`, computed naively with double accumulation.
    func referenceLogits(_ tokens: [Int]) -> [[Float]] {
        let s = shape
        let group = s.headCount / s.kvHeadCount
        func w(_ name: String) -> [Float] { tensors[name]?.values ?? [] }
        func linear(_ x: [Float], _ name: String, rows: Int, bias: String? = nil) -> [Float] {
            let weight = w(name), b = bias.map(w)
            let columns = x.count
            return (0..<rows).map { r in
                var sum = Double(b?[r] ?? 0)
                for c in 0..<columns { sum += Double(x[c]) * Double(weight[r * columns + c]) }
                return Float(sum)
            }
        }
        func rmsNorm(_ x: [Float], _ name: String) -> [Float] {
            let mean = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)
            let scale = 1 / (mean + s.epsilon).squareRoot()
            return zip(x, w(name)).map { Float(Double($0) * scale * Double($1)) }
        }
        func rope(_ v: inout [Float], heads: Int, position: Int) {
            let half = s.headDim / 2
            for head in 0..<heads {
                for i in 0..<half {
                    // As transformers: float32 inverse frequency and float32 angle (at position 500
                    // the angle's rounding alone moves logits by ~1e-4).
                    let frequency = 1 / Float(Foundation.pow(s.ropeTheta, Double(2 * i) / Double(s.headDim)))
                    let angle = Double(Float(position) * frequency)
                    let a = Double(v[head * s.headDim + i]), b = Double(v[head * s.headDim + i + half])
                    v[head * s.headDim + i] = Float(a * Foundation.cos(angle) - b * Foundation.sin(angle))
                    v[head * s.headDim + i + half] = Float(b * Foundation.cos(angle) + a * Foundation.sin(angle))
                }
            }
        }

        let embedding = w("model.embed_tokens.weight")
        var hidden = tokens.map { Array(embedding[$0 * s.hiddenSize ..< ($0 + 1) * s.hiddenSize]) }
        for layer in 0..<s.layerCount {
            let p = "model.layers.\(layer)"
            var keys: [[Float]] = [], values: [[Float]] = []
            var mixed: [[Float]] = []
            for (position, h) in hidden.enumerated() {
                let x = rmsNorm(h, "\(p).input_layernorm.weight")
                var q = linear(x, "\(p).self_attn.q_proj.weight", rows: s.headCount * s.headDim, bias: "\(p).self_attn.q_proj.bias")
                var k = linear(x, "\(p).self_attn.k_proj.weight", rows: s.kvHeadCount * s.headDim, bias: "\(p).self_attn.k_proj.bias")
                let v = linear(x, "\(p).self_attn.v_proj.weight", rows: s.kvHeadCount * s.headDim, bias: "\(p).self_attn.v_proj.bias")
                rope(&q, heads: s.headCount, position: position)
                rope(&k, heads: s.kvHeadCount, position: position)
                keys.append(k)
                values.append(v)
                var attended = [Float](repeating: 0, count: s.headCount * s.headDim)
                for head in 0..<s.headCount {
                    let kvHead = head / group
                    let window = s.isSliding(layer: layer) ? s.slidingWindow : nil
                    let visible = window.map { max(0, position - $0 + 1) } ?? 0
                    let scores = keys[visible...].map { key in
                        (0..<s.headDim).reduce(0.0) {
                            $0 + Double(q[head * s.headDim + $1]) * Double(key[kvHead * s.headDim + $1])
                        } / Double(s.headDim).squareRoot()
                    }
                    let top = scores.max() ?? 0
                    let weights = scores.map { Foundation.exp($0 - top) }
                    let total = weights.reduce(0, +)
                    for d in 0..<s.headDim {
                        var sum = 0.0
                        for (t, weight) in zip(visible..., weights) { sum += weight * Double(values[t][kvHead * s.headDim + d]) }
                        attended[head * s.headDim + d] = Float(sum / total)
                    }
                }
                mixed.append(linear(attended, "\(p).self_attn.o_proj.weight", rows: s.hiddenSize))
            }
            for t in hidden.indices {
                for i in 0..<s.hiddenSize { hidden[t][i] += mixed[t][i] }
                let x = rmsNorm(hidden[t], "\(p).post_attention_layernorm.weight")
                let gate = linear(x, "\(p).mlp.gate_proj.weight", rows: s.intermediateSize)
                let up = linear(x, "\(p).mlp.up_proj.weight", rows: s.intermediateSize)
                let activated = zip(gate, up).map { g, u in Float(Double(g) / (1 + Foundation.exp(-Double(g))) * Double(u)) }
                let down = linear(activated, "\(p).mlp.down_proj.weight", rows: s.hiddenSize)
                for i in 0..<s.hiddenSize { hidden[t][i] += down[i] }
            }
        }
        let head = s.tiedEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight"
        return hidden.map { linear(rmsNorm($0, "model.norm.weight"), head, rows: s.vocabularySize) }
    }
}

/// A small deterministic pseudo-random generator (SplitMix64).
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `range` on a grid of 1/1024 steps with at most 11 significant bits, so it is
    /// exactly representable in float16.
    mutating func halfValue(in range: ClosedRange<Double>) -> Float {
        let low = Int((range.lowerBound * 1024).rounded(.up)), high = Int((range.upperBound * 1024).rounded(.down))
        let k = low + Int(next() % UInt64(high - low + 1))
        return Float(k) / 1024
    }

    /// An integer in `0 ..< bound`.
    mutating func index(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
