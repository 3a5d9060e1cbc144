import Foundation

/// The `tokenizer.ggml.*` metadata and chat template of a Hugging Face Qwen2 directory, as
/// llama.cpp's converter writes them: every id up to the embedding size in order (ids without a
/// token become unused `[PAD{id}]` entries), token types (control for special added tokens and
/// ones shaped `<|…|>`, user-defined for other added tokens), merges as `"left right"`, the role
/// token ids (bos from `config.json` when `tokenizer_config.json` declares none) and `add_bos_token`.
struct GGUFTokenizerMetadata {
    private enum TokenType: Int32 {
        case normal = 1, control = 3, userDefined = 4, unused = 5
    }

    private var tokens: [String] = []
    private var types: [TokenType] = []
    private var merges: [String]
    private var roles: SpecialTokenIDs
    private var addsBeginOfSequence: Bool
    private var addsEndOfSequence: Bool
    private var chatTemplate: String?

    init(directory: URL, configuration: Qwen2Configuration) throws {
        let tokenizer = try Tokenizer(directory: directory)
        let added = Dictionary(tokenizer.addedTokens.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        for id in 0..<max(configuration.vocabSize, tokenizer.vocabularySize) {
            guard let text = tokenizer.token(forID: id) else {
                tokens.append("[PAD\(id)]")
                types.append(.unused)
                continue
            }
            tokens.append(text)
            if let token = added[id] {
                types.append(token.isSpecial || (text.hasPrefix("<|") && text.hasSuffix("|>")) ? .control : .userDefined)
            } else {
                types.append(.normal)
            }
        }
        merges = try Self.merges(in: directory)
        roles = tokenizer.specialTokenIDs
        if roles.beginOfSequence == nil { roles.beginOfSequence = configuration.bosTokenId }
        if roles.endOfSequence == nil { roles.endOfSequence = configuration.eosTokenIds.first }
        let config = try Self.jsonObject(directory.appendingPathComponent("tokenizer_config.json"))
        addsBeginOfSequence = config?["add_bos_token"] as? Bool ?? false
        addsEndOfSequence = config?["add_eos_token"] as? Bool ?? false
        chatTemplate = try Self.chatTemplate(in: directory, config: config)
    }

    func write(into writer: inout GGUFWriter) {
        writer.setValue(.string("gpt2"), forKey: GGUFKey.tokenizerModel)
        writer.setValue(.string(PreTokenizer.qwen2.rawValue), forKey: GGUFKey.preTokenizer)
        writer.setValue(.array(.string, tokens.map { .string($0) }), forKey: GGUFKey.tokens)
        writer.setValue(.array(.int32, types.map { .int32($0.rawValue) }), forKey: GGUFKey.tokenTypes)
        writer.setValue(.array(.string, merges.map { .string($0) }), forKey: GGUFKey.merges)
        for (key, id) in [
            (GGUFKey.eosTokenID, roles.endOfSequence), (GGUFKey.paddingTokenID, roles.padding),
            (GGUFKey.bosTokenID, roles.beginOfSequence), (GGUFKey.unknownTokenID, roles.unknown),
        ] {
            if let id { writer.setValue(.uint32(UInt32(clamping: id)), forKey: key) }
        }
        writer.setValue(.bool(addsBeginOfSequence), forKey: GGUFKey.addBeginOfSequence)
        writer.setValue(.bool(addsEndOfSequence), forKey: "tokenizer.ggml.add_eos_token")
        if let chatTemplate { writer.setValue(.string(chatTemplate), forKey: GGUFKey.chatTemplate) }
    }

    /// The merges of `tokenizer.json` (`"a b"` strings or `["a", "b"]` pairs), else of `merges.txt`.
    private static func merges(in directory: URL) throws -> [String] {
        let url = directory.appendingPathComponent("tokenizer.json")
        if let json = try jsonObject(url) {
            guard let model = json["model"] as? [String: Any], let merges = model["merges"] as? [Any] else {
                throw GGUFConversionError.tokenizer(file: url.path, reason: "no model.merges")
            }
            return try merges.enumerated().map { index, merge in
                if let text = merge as? String { return text }
                if let pair = merge as? [String], pair.count == 2 { return "\(pair[0]) \(pair[1])" }
                throw GGUFConversionError.tokenizer(file: url.path, reason: "model.merges[\(index)] is not a merge")
            }
        }
        let mergesURL = directory.appendingPathComponent("merges.txt")
        return try String(contentsOf: mergesURL, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .filter { !$0.hasPrefix("#version") }.map(String.init)
    }

    /// `chat_template.jinja`, else `chat_template` of `tokenizer_config.json` (a string, or the
    /// `default` entry of a list of named templates).
    private static func chatTemplate(in directory: URL, config: [String: Any]?) throws -> String? {
        let jinja = directory.appendingPathComponent("chat_template.jinja")
        if FileManager.default.fileExists(atPath: jinja.path) { return try String(contentsOf: jinja, encoding: .utf8) }
        if let text = config?["chat_template"] as? String { return text }
        let named = config?["chat_template"] as? [[String: Any]]
        return named?.first { $0["name"] as? String == "default" }?["template"] as? String
    }

    /// The JSON object in `url`, nil when there is no such file.
    private static func jsonObject(_ url: URL) throws -> [String: Any]? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = try? Data(contentsOf: url), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GGUFConversionError.tokenizer(file: url.path, reason: "not a readable JSON object")
        }
        return object
    }
}
