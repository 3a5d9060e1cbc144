import Foundation

extension Qwen2Configuration {
    /// The configuration of a Qwen2 GGUF as llama.cpp's `convert_hf_to_gguf.py` writes it:
    /// hyperparameters from the `qwen2.*` keys, the vocabulary size from `token_embd.weight`
    /// (else `tokenizer.ggml.tokens`), tied embeddings when there is no `output.weight`, and the
    /// bos/eos ids from `tokenizer.ggml.*`. The values go through the same validation and
    /// transformers defaults as `config.json`. Float32 values are read through their shortest
    /// decimal form, so the `1e-06` a converter stored reads back as `1e-06`.
    ///
    /// ```swift
    /// let config = try Qwen2Configuration(gguf: GGUFFile(url: ggufURL))
    /// ```
    /// Throws ``GGUFError`` naming the file and the key at fault.
    public init(gguf: GGUFFile) throws {
        let metadata = gguf.metadata
        let architecture = try metadata.string(GGUFKey.architecture)
        guard architecture == "qwen2" else {
            throw GGUFError.invalidValue(
                file: metadata.file, key: GGUFKey.architecture, reason: "unsupported architecture \"\(architecture)\" (expected \"qwen2\")")
        }
        var fields: [String: Any] = ["model_type": "qwen2", "num_key_value_heads": NSNull()]
        for (field, key) in Self.ggufIntegerKeys {
            if let value = try metadata.intIfPresent(key) { fields[field] = value }
        }
        for (field, key) in Self.ggufFloatKeys {
            if let value = try Self.decimal(metadata, key) { fields[field] = value }
        }
        if let valueLength = try metadata.intIfPresent(GGUFKey.valueLength), valueLength != fields["head_dim"] as? Int {
            throw GGUFError.invalidValue(
                file: metadata.file, key: GGUFKey.valueLength, reason: "\(valueLength) differs from \(GGUFKey.keyLength)")
        }
        if let scaling = try Self.ropeScaling(metadata) { fields["rope_scaling"] = scaling }
        if let embedding = gguf.tensor(named: "token_embd.weight"), embedding.dimensions.count == 2 {
            fields["vocab_size"] = embedding.dimensions[1]
        } else {
            fields["vocab_size"] = try metadata.strings(GGUFKey.tokens).count
        }
        fields["tie_word_embeddings"] = gguf.tensor(named: "output.weight") == nil
        if let bos = try metadata.intIfPresent(GGUFKey.bosTokenID) { fields["bos_token_id"] = bos }
        if let eos = try metadata.intIfPresent(GGUFKey.eosTokenID) { fields["eos_token_id"] = eos }
        do {
            self = try JSONDecoder().decode(Self.self, from: JSONSerialization.data(withJSONObject: fields))
        } catch let error as DecodingError {
            throw Self.ggufError(error, file: metadata.file)
        }
    }

    /// `config.json` field → GGUF key, for integer hyperparameters.
    private static let ggufIntegerKeys: [String: String] = [
        "hidden_size": "qwen2.embedding_length",
        "intermediate_size": "qwen2.feed_forward_length",
        "num_hidden_layers": "qwen2.block_count",
        "num_attention_heads": "qwen2.attention.head_count",
        "num_key_value_heads": "qwen2.attention.head_count_kv",
        "head_dim": GGUFKey.keyLength,
        "max_position_embeddings": "qwen2.context_length",
    ]

    /// `config.json` field → GGUF key, for floating-point hyperparameters.
    private static let ggufFloatKeys: [String: String] = [
        "rms_norm_eps": "qwen2.attention.layer_norm_rms_epsilon",
        "rope_theta": "qwen2.rope.freq_base",
    ]

    /// `rope_scaling` field → GGUF key.
    private static let ggufRopeScalingKeys: [String: String] = [
        "type": "qwen2.rope.scaling.type",
        "factor": "qwen2.rope.scaling.factor",
        "original_max_position_embeddings": "qwen2.rope.scaling.original_context_length",
        "attention_factor": "qwen2.rope.scaling.yarn_attn_factor",
        "beta_fast": "qwen2.rope.scaling.yarn_beta_fast",
        "beta_slow": "qwen2.rope.scaling.yarn_beta_slow",
    ]

    /// The `rope_scaling` dictionary the `qwen2.rope.scaling.*` keys describe; nil for type `none`.
    private static func ropeScaling(_ metadata: GGUFMetadata) throws -> [String: Any]? {
        let typeKey = ggufRopeScalingKeys["type"] ?? ""
        guard let type = try metadata.stringIfPresent(typeKey), type != "none" else { return nil }
        guard type == "linear" || type == "yarn" else {
            throw GGUFError.invalidValue(
                file: metadata.file, key: typeKey, reason: "unsupported RoPE scaling \"\(type)\" (expected none, linear or yarn)")
        }
        var scaling: [String: Any] = ["type": type]
        for (field, key) in ggufRopeScalingKeys where field != "type" {
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
        if case .float32(let number) = value { return Double("\(number)") }
        if let integer = value.integer { return Double(integer) }
        return try metadata.doubleIfPresent(key)
    }

    /// The decoding error of the synthesized `config.json` fields, named by GGUF key.
    private static func ggufError(_ error: DecodingError, file: String) -> GGUFError {
        func key(_ path: [CodingKey]) -> String {
            let fields = path.map(\.stringValue)
            if fields.first == "rope_scaling", let field = fields.dropFirst().first {
                return ggufRopeScalingKeys[field] ?? "qwen2.rope.scaling"
            }
            guard let field = fields.first else { return "(metadata)" }
            return ggufIntegerKeys[field] ?? ggufFloatKeys[field] ?? (field == "vocab_size" ? GGUFKey.tokens : field)
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
