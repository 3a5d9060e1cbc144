import Foundation

/// The parts of `tokenizer_config.json` the tokenizer uses: the declared role tokens, the added
/// tokens (for directories without `tokenizer.json`) and the tokenizer class.
struct TokenizerConfigFile: Decodable {
    var addedTokensDecoder: [String: TokenizerFileSections.AddedTokenEntry]?
    var bosToken: TokenName?
    var eosToken: TokenName?
    var padToken: TokenName?
    var unkToken: TokenName?
    var tokenizerClass: String?

    enum CodingKeys: String, CodingKey {
        case addedTokensDecoder = "added_tokens_decoder"
        case bosToken = "bos_token"
        case eosToken = "eos_token"
        case padToken = "pad_token"
        case unkToken = "unk_token"
        case tokenizerClass = "tokenizer_class"
    }

    /// A role token, written as its text or as an added-token object with `content`.
    struct TokenName: Decodable {
        var content: String

        private enum CodingKeys: String, CodingKey { case content }

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                content = text
            } else {
                content = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .content)
            }
        }
    }

    static func load(_ url: URL) throws -> TokenizerConfigFile {
        let data = try readTokenizerFile(url)
        return try data.withUnsafeBytes { raw in
            try TokenizerFileSections.decode(
                TokenizerConfigFile.self, from: raw.bindMemory(to: UInt8.self), file: url.path, field: "")
        }
    }

    /// The added tokens of `added_tokens_decoder`, keyed by id.
    func addedTokens(file: String) throws -> [AddedToken] {
        try (addedTokensDecoder ?? [:]).map { key, entry in
            guard let id = Int(key), TokenVocabulary.isValidID(id) else {
                throw TokenizerError.malformed(file: file, field: "added_tokens_decoder.\(key)", reason: "key is not a token id")
            }
            return try entry.addedToken(id: id, hasNormalizer: true, file: file, field: "added_tokens_decoder.\(key)")
        }
    }

    /// The ids of the declared role tokens, looked up with `id`.
    func specialTokenIDs(file: String, id: (String) -> Int?) throws -> SpecialTokenIDs {
        func resolve(_ name: TokenName?, _ field: String) throws -> Int? {
            guard let name else { return nil }
            guard let resolved = id(name.content) else {
                throw TokenizerError.malformed(file: file, field: field, reason: "token \(name.content.debugDescription) is not in the vocabulary")
            }
            return resolved
        }
        return SpecialTokenIDs(
            beginOfSequence: try resolve(bosToken, "bos_token"),
            endOfSequence: try resolve(eosToken, "eos_token"),
            padding: try resolve(padToken, "pad_token"),
            unknown: try resolve(unkToken, "unk_token"))
    }
}
