extension ChatTemplate {
    /// The chat template of a GGUF file (`tokenizer.chat_template`), with `bos_token`,
    /// `eos_token`, `pad_token` and `unk_token` taken from the `tokenizer.ggml.*` ids.
    public init(gguf: GGUFFile) throws {
        guard let source = try gguf.chatTemplate() else {
            throw ChatTemplateError.missingTemplate(path: gguf.url.path)
        }
        let metadata = gguf.metadata
        let tokens = try metadata.strings(GGUFKey.tokens)
        var specialTokens: [String: String] = [:]
        for (name, key) in [
            ("bos_token", GGUFKey.bosTokenID), ("eos_token", GGUFKey.eosTokenID),
            ("pad_token", GGUFKey.paddingTokenID), ("unk_token", GGUFKey.unknownTokenID),
        ] {
            if let id = try metadata.intIfPresent(key), tokens.indices.contains(id) {
                specialTokens[name] = tokens[id]
            }
        }
        try self.init(source, specialTokens: specialTokens)
    }
}
