import Foundation

/// Reads a Hugging Face `tokenizer.json`: the BPE model (vocabulary and merges, read with
/// ``JSONScanner``), the added tokens, and the normalizer, pre-tokenizer and decoder, which must
/// be the ones Qwen2 uses.
enum TokenizerJSONFile {
    static func load(_ url: URL) throws -> TokenizerDefinition {
        let data = try readTokenizerFile(url)
        return try data.withUnsafeBytes { raw in
            var scanner = JSONScanner(raw.bindMemory(to: UInt8.self), file: url.path)
            return try read(&scanner)
        }
    }

    private static func read(_ scanner: inout JSONScanner) throws -> TokenizerDefinition {
        let file = scanner.file
        var model: ModelSection?
        var sections: [String: Range<Int>] = [:]
        try scanner.forEachMember(field: "(top level)") { scanner, key in
            let name = String(decoding: key, as: UTF8.self)
            if name == "model" {
                model = try ModelSection.read(&scanner)
            } else if try scanner.readNull(field: name) == false {
                sections[name] = try scanner.skipValue(field: name)
            }
        }
        try scanner.expectEnd(field: "(top level)")
        guard let model else { throw TokenizerError.missingField(file: file, field: "model") }

        var normalization = TextNormalization.none
        if let range = sections["normalizer"] {
            normalization = try TokenizerFileSections.decode(
                TokenizerFileSections.NormalizerEntry.self, from: scanner.text(range), file: file, field: "normalizer"
            ).normalization(file: file, field: "normalizer")
        }
        guard let preTokenizer = sections["pre_tokenizer"] else {
            throw TokenizerError.missingField(file: file, field: "pre_tokenizer")
        }
        try TokenizerFileSections.decode(
            TokenizerFileSections.PreTokenizerEntry.self, from: scanner.text(preTokenizer), file: file, field: "pre_tokenizer"
        ).checkQwen2(file: file, field: "pre_tokenizer")
        guard let decoder = sections["decoder"] else { throw TokenizerError.missingField(file: file, field: "decoder") }
        try TokenizerFileSections.decode(
            TokenizerFileSections.DecoderEntry.self, from: scanner.text(decoder), file: file, field: "decoder"
        ).checkByteLevel(file: file, field: "decoder")

        var addedTokens: [AddedToken] = []
        if let range = sections["added_tokens"] {
            let entries = try TokenizerFileSections.decode(
                [TokenizerFileSections.AddedTokenEntry].self, from: scanner.text(range), file: file, field: "added_tokens")
            for (index, entry) in entries.enumerated() {
                let field = "added_tokens[\(index)]"
                guard let id = entry.id, TokenVocabulary.isValidID(id) else {
                    throw TokenizerError.malformed(file: file, field: "\(field).id", reason: "expected a token id")
                }
                addedTokens.append(
                    try entry.addedToken(id: id, hasNormalizer: normalization != .none, file: file, field: field))
            }
        }
        let merges = try model.merges.mergeTable(vocabulary: model.vocabulary, file: file) { "model.merges[\($0)]" }
        return TokenizerDefinition(
            vocabulary: model.vocabulary, merges: merges, ignoresMerges: model.ignoresMerges,
            usesByteFallback: model.usesByteFallback, addedTokens: addedTokens, normalization: normalization)
    }

    /// The `model` object.
    private struct ModelSection {
        var vocabulary = TokenVocabulary.Builder()
        var merges = MergeList()
        var ignoresMerges = false
        var usesByteFallback = false

        static func read(_ scanner: inout JSONScanner) throws -> ModelSection {
            let file = scanner.file
            var section = ModelSection()
            var sawVocabulary = false, sawMerges = false
            try scanner.forEachMember(field: "model") { scanner, key in
                switch String(decoding: key, as: UTF8.self) {
                case "type":
                    let type = try scanner.readString(field: "model.type")
                    guard type == "BPE" else { throw TokenizerError.unsupported(file: file, field: "model.type", value: type) }
                case "vocab":
                    sawVocabulary = true
                    try scanner.forEachMember(field: "model.vocab") { scanner, token in
                        let id = try scanner.readInt32(field: "model.vocab")
                        guard TokenVocabulary.isValidID(Int(id)) else { throw scanner.error("model.vocab", "token id \(id) out of range") }
                        token.withUnsafeBufferPointer { section.vocabulary.add(text: $0, id: id, isModelToken: true) }
                    }
                case "merges":
                    sawMerges = true
                    try readMerges(&scanner, into: &section.merges)
                case "ignore_merges":
                    section.ignoresMerges = try scanner.readBool(field: "model.ignore_merges")
                case "byte_fallback":
                    section.usesByteFallback = try scanner.readBool(field: "model.byte_fallback")
                case "dropout", "unk_token":
                    let field = "model." + String(decoding: key, as: UTF8.self)
                    if try !scanner.readNull(field: field) {
                        let range = try scanner.skipValue(field: field)
                        throw TokenizerError.unsupported(
                            file: file, field: field, value: String(decoding: scanner.text(range), as: UTF8.self))
                    }
                case "continuing_subword_prefix", "end_of_word_suffix":
                    let field = "model." + String(decoding: key, as: UTF8.self)
                    if try !scanner.readNull(field: field) {
                        let affix = try scanner.readString(field: field)
                        guard affix.isEmpty else { throw TokenizerError.unsupported(file: file, field: field, value: affix) }
                    }
                default:
                    try scanner.skipValue(field: "model")
                }
            }
            guard sawVocabulary else { throw TokenizerError.missingField(file: file, field: "model.vocab") }
            guard sawMerges else { throw TokenizerError.missingField(file: file, field: "model.merges") }
            return section
        }

        /// Merges are `"left right"` strings (older files) or `["left", "right"]` pairs.
        private static func readMerges(_ scanner: inout JSONScanner, into merges: inout MergeList) throws {
            var left: [UInt8] = [], right: [UInt8] = []
            let field = "model.merges"
            try scanner.forEachElement(field: field) { scanner, _ in
                left.removeAll(keepingCapacity: true)
                right.removeAll(keepingCapacity: true)
                if try scanner.peek(field: field) == UInt8(ascii: "[") {
                    var count = 0
                    try scanner.forEachElement(field: field) { scanner, part in
                        guard part < 2 else { throw scanner.error(field, "expected two tokens") }
                        if part == 0 {
                            try scanner.readString(into: &left, field: field)
                        } else {
                            try scanner.readString(into: &right, field: field)
                        }
                        count += 1
                    }
                    guard count == 2 else { throw scanner.error(field, "expected two tokens") }
                    left.withUnsafeBufferPointer { left in right.withUnsafeBufferPointer { merges.append(left: left, right: $0) } }
                } else {
                    try scanner.readString(into: &left, field: field)
                    guard let space = left.firstIndex(of: UInt8(ascii: " ")), !left[(space + 1)...].contains(UInt8(ascii: " "))
                    else { throw scanner.error(field, "expected \"left right\"") }
                    left.withUnsafeBufferPointer { text in
                        merges.append(left: UnsafeBufferPointer(rebasing: text[..<space]), right: UnsafeBufferPointer(rebasing: text[(space + 1)...]))
                    }
                }
            }
        }
    }
}
