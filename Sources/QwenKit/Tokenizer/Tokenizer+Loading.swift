import Foundation

extension Tokenizer {
    /// Loads the tokenizer of a Hugging Face model directory: `tokenizer.json` if present, else
    /// `vocab.json` with `merges.txt` and the added tokens of `tokenizer_config.json`. The role
    /// tokens (`eos_token`...) come from `tokenizer_config.json` when it exists.
    ///
    /// ```swift
    /// let tokenizer = try Tokenizer(directory: URL(fileURLWithPath: "Qwen2.5-0.5B-Instruct"))
    /// ```
    /// Throws ``TokenizerError`` naming the file and field at fault.
    public convenience init(directory: URL) throws {
        let fileManager = FileManager.default
        func existing(_ name: String) -> URL? {
            let url = directory.appendingPathComponent(name)
            return fileManager.fileExists(atPath: url.path) ? url : nil
        }
        let configURL = existing("tokenizer_config.json")
        let config = try configURL.map(TokenizerConfigFile.load)
        let definition: TokenizerDefinition
        if let tokenizerJSON = existing("tokenizer.json") {
            definition = try TokenizerJSONFile.load(tokenizerJSON)
        } else if let vocabURL = existing("vocab.json"), let mergesURL = existing("merges.txt") {
            if let configURL, let tokenizerClass = config?.tokenizerClass,
               !["Qwen2Tokenizer", "Qwen2TokenizerFast"].contains(tokenizerClass) {
                throw TokenizerError.unsupported(file: configURL.path, field: "tokenizer_class", value: tokenizerClass)
            }
            let vocabulary = try VocabularyAndMergesFiles.loadVocabulary(vocabURL)
            let (mergeList, lineNumbers) = try VocabularyAndMergesFiles.loadMerges(mergesURL)
            let merges = try mergeList.mergeTable(vocabulary: vocabulary, file: mergesURL.path) { "line \(lineNumbers[$0])" }
            definition = TokenizerDefinition(
                vocabulary: vocabulary, merges: merges,
                addedTokens: try configURL.map { try config?.addedTokens(file: $0.path) ?? [] } ?? [],
                normalization: .nfc)
        } else {
            throw TokenizerError.missingFiles(directory: directory.path)
        }
        try self.init(definition) { definition in
            guard let config, let configURL else { return SpecialTokenIDs() }
            return try config.specialTokenIDs(file: configURL.path) { definition.id(forToken: $0) }
        }
    }

    /// Builds a Qwen2-style tokenizer (NFC, Qwen2 pre-tokenizer, byte-level BPE) from vocabulary
    /// data held elsewhere, such as a GGUF file's `tokenizer.ggml.tokens`, `tokenizer.ggml.merges`
    /// (split at the space) and `tokenizer.ggml.token_type`, where type 3 (control) marks special
    /// added tokens and type 4 (user defined) the other added tokens.
    ///
    /// ```swift
    /// let tokenizer = try Tokenizer(
    ///     tokens: ggufTokens, merges: ggufMerges.map { ($0.left, $0.right) },
    ///     addedTokens: [AddedToken(content: "<|im_end|>", id: 151645, isSpecial: true)],
    ///     specialTokenIDs: SpecialTokenIDs(endOfSequence: 151645), source: "model.gguf")
    /// ```
    /// - Parameters:
    ///   - tokens: token texts in the byte-level alphabet, the id being the index. Entries whose id
    ///     is an added token's are used only as that added token.
    ///   - merges: merge rules in rank order.
    ///   - addedTokens: tokens matched whole in the input before BPE.
    ///   - specialTokenIDs: the declared role tokens.
    ///   - normalization: applied to text between added tokens.
    ///   - source: names the data in errors (``TokenizerError``), like a file path.
    public convenience init(
        tokens: [String], merges: [(String, String)], addedTokens: [AddedToken],
        specialTokenIDs: SpecialTokenIDs = SpecialTokenIDs(), normalization: TextNormalization = .nfc,
        source: String
    ) throws {
        guard tokens.count <= TokenVocabulary.maximumID + 1 else {
            throw TokenizerError.malformed(file: source, field: "tokens", reason: "more than \(TokenVocabulary.maximumID + 1) tokens")
        }
        for token in addedTokens where !TokenVocabulary.isValidID(token.id) {
            throw TokenizerError.malformed(
                file: source, field: "added token \(token.content.debugDescription)", reason: "id \(token.id) out of range")
        }
        let addedIDs = Set(addedTokens.map(\.id))
        var vocabulary = TokenVocabulary.Builder()
        for (id, token) in tokens.enumerated() where !addedIDs.contains(id) {
            vocabulary.add(text: token, id: Int32(id), isModelToken: true)
        }
        var mergeList = MergeList()
        for (left, right) in merges { mergeList.append(left: left, right: right) }
        let mergeTable = try mergeList.mergeTable(vocabulary: vocabulary, file: source) { "merges[\($0)]" }
        let definition = TokenizerDefinition(
            vocabulary: vocabulary, merges: mergeTable, addedTokens: addedTokens, normalization: normalization)
        try self.init(definition) { _ in specialTokenIDs }
    }
}
