import Foundation

extension Tokenizer {
    /// llama.cpp's token types (`tokenizer.ggml.token_type`).
    private enum GGUFTokenType: Int {
        case normal = 1, unknown, control, userDefined, unused, byte
    }

    /// The tokenizer stored in a GGUF file the way llama.cpp's `convert_hf_to_gguf.py` writes a
    /// byte-level BPE one: `tokenizer.ggml.model = gpt2`, `tokenizer.ggml.pre` naming the
    /// pre-tokenizer (`qwen2`, with NFC as transformers applies it, or `smollm`; see
    /// ``PreTokenizer``), the tokens in id order with their types, the merges as `"left right"`
    /// strings, the role token ids, and `tokenizer.ggml.add_bos_token` (default false, as llama.cpp
    /// has it for these pre-tokenizers).
    ///
    /// Control tokens (type 3) become special added tokens, user-defined tokens (type 4) added
    /// tokens that are not special, and unused ones (type 5, the `[PAD…]` fillers up to the
    /// embedding size) are left out, so they decode to nothing as in transformers and llama.cpp.
    ///
    /// ```swift
    /// let gguf = try GGUFFile(url: URL(fileURLWithPath: "qwen2.5-0.5b-instruct-q8_0.gguf"))
    /// let tokenizer = try Tokenizer(gguf: gguf)
    /// let ids = tokenizer.encode("<|im_start|>user\nHi<|im_end|>")
    /// ```
    /// Throws ``GGUFError`` naming the file and key at fault, or ``TokenizerError`` for a merge
    /// that names an unknown token.
    public convenience init(gguf: GGUFFile) throws {
        let metadata = gguf.metadata
        let file = metadata.file
        func invalid(_ key: String, _ reason: String) -> GGUFError { .invalidValue(file: file, key: key, reason: reason) }

        let model = try metadata.string(GGUFKey.tokenizerModel)
        guard model == "gpt2" else { throw invalid(GGUFKey.tokenizerModel, "unsupported tokenizer model \"\(model)\" (expected \"gpt2\")") }
        let pre = try metadata.string(GGUFKey.preTokenizer)
        guard let preTokenizer = PreTokenizer(ggufName: pre) else {
            throw invalid(GGUFKey.preTokenizer, "unsupported pre-tokenizer \"\(pre)\" (expected \"qwen2\" or \"smollm\")")
        }
        let tokens = try metadata.strings(GGUFKey.tokens)
        let typeIDs = try metadata[GGUFKey.tokenTypes] == nil
            ? Array(repeating: GGUFTokenType.normal.rawValue, count: tokens.count) : metadata.ints(GGUFKey.tokenTypes)
        guard typeIDs.count == tokens.count else {
            throw invalid(GGUFKey.tokenTypes, "has \(typeIDs.count) entries for \(tokens.count) tokens")
        }
        guard tokens.count <= Int(Int32.max) else { throw invalid(GGUFKey.tokens, "too many tokens") }

        var vocabulary = TokenVocabulary.Builder()
        var addedTokens: [AddedToken] = []
        for (id, (token, typeID)) in zip(tokens, typeIDs).enumerated() {
            switch GGUFTokenType(rawValue: typeID) {
            case .normal, .unknown, .byte: vocabulary.add(text: token, id: Int32(id), isModelToken: true)
            case .control: addedTokens.append(AddedToken(content: token, id: id, isSpecial: true))
            case .userDefined: addedTokens.append(AddedToken(content: token, id: id, isSpecial: false))
            case .unused: break
            case nil: throw invalid("\(GGUFKey.tokenTypes)[\(id)]", "unknown token type \(typeID)")
            }
        }

        var merges = MergeList()
        for (index, merge) in try metadata.strings(GGUFKey.merges).enumerated() {
            let parts = merge.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw invalid("\(GGUFKey.merges)[\(index)]", "expected \"left right\"") }
            merges.append(left: String(parts[0]), right: String(parts[1]))
        }
        let mergeTable = try merges.mergeTable(vocabulary: vocabulary, file: file) { "\(GGUFKey.merges)[\($0)]" }

        func roleID(_ key: String) throws -> Int? {
            guard let id = try metadata.intIfPresent(key) else { return nil }
            guard tokens.indices.contains(id) else { throw invalid(key, "token id \(id) is not below the \(tokens.count) tokens") }
            return id
        }
        let roles = SpecialTokenIDs(
            beginOfSequence: try roleID(GGUFKey.bosTokenID), endOfSequence: try roleID(GGUFKey.eosTokenID),
            padding: try roleID(GGUFKey.paddingTokenID), unknown: try roleID(GGUFKey.unknownTokenID))
        var definition = TokenizerDefinition(
            vocabulary: vocabulary, merges: mergeTable, addedTokens: addedTokens,
            normalization: preTokenizer == .qwen2 ? .nfc : .none)
        definition.preTokenizer = preTokenizer
        definition.addsBeginOfSequence = try metadata.boolIfPresent(GGUFKey.addBeginOfSequence) ?? false
        try self.init(definition) { _ in roles }
    }
}
