import Foundation

extension Qwen2Configuration {
    /// The configuration of a Qwen2 or Llama GGUF as llama.cpp's `convert_hf_to_gguf.py` writes
    /// it: hyperparameters from the `{architecture}.*` keys, the vocabulary size from
    /// `token_embd.weight` (else `tokenizer.ggml.tokens`), tied embeddings when there is no
    /// `output.weight`, and the bos/eos ids from `tokenizer.ggml.*`. The values go through the same
    /// validation and transformers defaults as `config.json`. Float32 values are read through
    /// their shortest decimal form, so the `1e-06` a converter stored reads back as `1e-06`.
    ///
    /// A Llama file has q/k/v biases only when `blk.0.attn_q.bias` exists, and uses
    /// ``RopeStyle/interleaved`` RoPE, since the converter permuted its q/k rows for it.
    ///
    /// ```swift
    /// let config = try Qwen2Configuration(gguf: GGUFFile(url: ggufURL))
    /// ```
    /// Throws ``GGUFError`` naming the file and the key at fault.
    public init(gguf: GGUFFile) throws {
        let metadata = gguf.metadata
        let name = try metadata.string(GGUFKey.architecture)
        guard let architecture = ModelArchitecture(rawValue: name) else {
            throw GGUFError.invalidValue(
                file: metadata.file, key: GGUFKey.architecture,
                reason: "unsupported architecture \"\(name)\" (expected \"qwen2\" or \"llama\")")
        }
        let prefix = architecture.rawValue
        var fields: [String: Any] = ["model_type": prefix, "num_key_value_heads": NSNull()]
        for (field, key) in Self.ggufIntegerKeys {
            if let value = try metadata.intIfPresent("\(prefix).\(key)") { fields[field] = value }
        }
        for (field, key) in Self.ggufFloatKeys {
            if let value = try Self.decimal(metadata, "\(prefix).\(key)") { fields[field] = value }
        }
        let valueLengthKey = "\(prefix).\(Self.valueLengthKey)"
        if let valueLength = try metadata.intIfPresent(valueLengthKey), valueLength != fields["head_dim"] as? Int {
            throw GGUFError.invalidValue(
                file: metadata.file, key: valueLengthKey, reason: "\(valueLength) differs from \(prefix).\(Self.keyLengthKey)")
        }
        if let scaling = try Self.ropeScaling(metadata, prefix: prefix) { fields["rope_scaling"] = scaling }
        if let embedding = gguf.tensor(named: "token_embd.weight"), embedding.dimensions.count == 2 {
            fields["vocab_size"] = embedding.dimensions[1]
        } else {
            fields["vocab_size"] = try metadata.strings(GGUFKey.tokens).count
        }
        fields["tie_word_embeddings"] = gguf.tensor(named: "output.weight") == nil
        if architecture == .llama { fields["attention_bias"] = gguf.tensor(named: "blk.0.attn_q.bias") != nil }
        if let bos = try metadata.intIfPresent(GGUFKey.bosTokenID) { fields["bos_token_id"] = bos }
        if let eos = try metadata.intIfPresent(GGUFKey.eosTokenID) { fields["eos_token_id"] = eos }
        do {
            self = try JSONDecoder().decode(Self.self, from: JSONSerialization.data(withJSONObject: fields))
        } catch let error as DecodingError {
            throw Self.ggufError(error, file: metadata.file, prefix: prefix)
        }
        arithmetic = .llamaCpp
        if architecture == .llama {
            ropeStyle = .interleaved
            try checkLlamaRope(gguf, prefix: prefix)
        }
    }

    /// Rejects what llama.cpp's Llama graph would do differently: RoPE over part of the head, or
    /// per-frequency factors (Llama 3's `rope_freqs.weight`).
    private func checkLlamaRope(_ gguf: GGUFFile, prefix: String) throws {
        let key = "\(prefix).rope.dimension_count"
        if let dimensions = try gguf.metadata.intIfPresent(key), dimensions != headDim {
            throw GGUFError.invalidValue(
                file: gguf.metadata.file, key: key, reason: "partial RoPE (\(dimensions) of \(headDim) dimensions) is not supported")
        }
        if gguf.tensor(named: "rope_freqs.weight") != nil {
            throw GGUFError.invalidTensor(
                file: gguf.url.path, tensor: "rope_freqs.weight", reason: "RoPE frequency factors are not supported")
        }
    }

    private static let keyLengthKey = "attention.key_length"
    private static let valueLengthKey = "attention.value_length"

    /// `config.json` field → GGUF key after the architecture prefix, for integer hyperparameters.
    private static let ggufIntegerKeys: [String: String] = [
        "hidden_size": "embedding_length",
        "intermediate_size": "feed_forward_length",
        "num_hidden_layers": "block_count",
        "num_attention_heads": "attention.head_count",
        "num_key_value_heads": "attention.head_count_kv",
        "head_dim": keyLengthKey,
        "max_position_embeddings": "context_length",
    ]

    /// `config.json` field → GGUF key after the architecture prefix, for floating-point hyperparameters.
    private static let ggufFloatKeys: [String: String] = [
        "rms_norm_eps": "attention.layer_norm_rms_epsilon",
        "rope_theta": "rope.freq_base",
    ]

    /// `rope_scaling` field → GGUF key after the architecture prefix.
    private static let ggufRopeScalingKeys: [String: String] = [
        "type": "rope.scaling.type",
        "factor": "rope.scaling.factor",
        "original_max_position_embeddings": "rope.scaling.original_context_length",
        "attention_factor": "rope.scaling.yarn_attn_factor",
        "beta_fast": "rope.scaling.yarn_beta_fast",
        "beta_slow": "rope.scaling.yarn_beta_slow",
    ]

    /// The `rope_scaling` dictionary the `{prefix}.rope.scaling.*` keys describe; nil for type `none`.
    private static func ropeScaling(_ metadata: GGUFMetadata, prefix: String) throws -> [String: Any]? {
        let typeKey = "\(prefix).\(ggufRopeScalingKeys["type"] ?? "")"
        guard let type = try metadata.stringIfPresent(typeKey), type != "none" else { return nil }
        guard type == "linear" || type == "yarn" else {
            throw GGUFError.invalidValue(
                file: metadata.file, key: typeKey, reason: "unsupported RoPE scaling \"\(type)\" (expected none, linear or yarn)")
        }
        var scaling: [String: Any] = ["type": type]
        for (field, suffix) in ggufRopeScalingKeys where field != "type" {
            let key = "\(prefix).\(suffix)"
            let value: Any? = field == "original_max_position_embeddings"
                ? try metadata.intIfPresent(key) : try decimal(metadata, key)
            if let value { scaling[field] = value }
        }
        return scaling
    }

    /// A float value as the decimal it was most likely written from (float32 through its shortest
    /// representation), or nil when absent. Integers are accepted, as in `config.json`.
    private static func decimal(_ metadata: GGUFMetadata, _ key: String) throws -> Double? {
        guard let value = metadata[key] else { return nil }
        let number: Double?
        if case .float32(let float) = value {
            number = Double("\(float)")
        } else if let integer = value.integer {
            number = Double(integer)
        } else {
            number = try metadata.doubleIfPresent(key)
        }
        if let number, !number.isFinite {
            throw GGUFError.invalidValue(file: metadata.file, key: key, reason: "\(number) is not a finite number")
        }
        return number
    }

    /// The decoding error of the synthesized `config.json` fields, named by GGUF key.
    private static func ggufError(_ error: DecodingError, file: String, prefix: String) -> GGUFError {
        func key(_ path: [CodingKey]) -> String {
            let fields = path.map(\.stringValue)
            if fields.first == "rope_scaling", let field = fields.dropFirst().first {
                return "\(prefix).\(ggufRopeScalingKeys[field] ?? "rope.scaling")"
            }
            guard let field = fields.first else { return "(metadata)" }
            if field == "vocab_size" { return GGUFKey.tokens }
            return (ggufIntegerKeys[field] ?? ggufFloatKeys[field]).map { "\(prefix).\($0)" } ?? field
        }
        switch error {
        case .keyNotFound(let missing, let context):
            return .missingKey(file: file, key: key(context.codingPath + [missing]))
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            return .invalidValue(file: file, key: key(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .invalidValue(file: file, key: "(metadata)", reason: "\(error)")
        }
    }
}
