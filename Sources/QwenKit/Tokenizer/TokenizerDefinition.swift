/// Everything a tokenizer is built from, whichever files it was read from.
struct TokenizerDefinition {
    var vocabulary: TokenVocabulary.Builder
    var merges: MergeTable
    var ignoresMerges = false
    var usesByteFallback = false
    var addedTokens: [AddedToken]
    var normalization: TextNormalization
    var preTokenizer = PreTokenizer.qwen2
    /// Whether encoding a prompt starts it with the beginning-of-sequence token (llama.cpp's `add_bos`).
    var addsBeginOfSequence = false

    /// The id of a token given its stored text: an added token's, else a model token's.
    func id(forToken token: String) -> Int? {
        // Compared as UTF-8: String equality would also match canonically equivalent text.
        if let added = addedTokens.last(where: { $0.content.utf8.elementsEqual(token.utf8) }) { return added.id }
        return vocabulary.modelID(ofText: token).map { Int($0) }
    }
}

extension Tokenizer {
    /// The tokenizer `definition` describes, with the role token ids `specialTokenIDs` finds.
    convenience init(
        _ definition: TokenizerDefinition, specialTokenIDs: (TokenizerDefinition) throws -> SpecialTokenIDs
    ) throws {
        let specialTokenIDs = try specialTokenIDs(definition)
        var definition = definition
        for token in definition.addedTokens {
            definition.vocabulary.add(text: token.content, id: Int32(token.id), isModelToken: false)
        }
        let model = ByteLevelBPE(
            vocabulary: definition.vocabulary.build(), merges: definition.merges,
            ignoresMerges: definition.ignoresMerges, usesByteFallback: definition.usesByteFallback)
        self.init(
            model: model, addedTokens: definition.addedTokens, normalization: definition.normalization,
            preTokenizer: definition.preTokenizer, addsBeginOfSequence: definition.addsBeginOfSequence,
            specialTokenIDs: specialTokenIDs)
    }
}
