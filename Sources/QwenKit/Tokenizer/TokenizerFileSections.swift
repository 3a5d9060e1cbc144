import Foundation

/// The small sections of `tokenizer.json` and `tokenizer_config.json`, decoded with
/// `JSONDecoder` and checked against what this tokenizer implements.
enum TokenizerFileSections {
    /// An entry of `added_tokens` (tokenizer.json) or `added_tokens_decoder` (tokenizer_config.json).
    struct AddedTokenEntry: Decodable {
        var id: Int?
        var content: String
        var special: Bool?
        var lstrip: Bool?
        var rstrip: Bool?
        var normalized: Bool?
        var singleWord: Bool?

        enum CodingKeys: String, CodingKey {
            case id, content, special, lstrip, rstrip, normalized
            case singleWord = "single_word"
        }

        /// The token, after checking that it uses only the matching rules implemented here.
        func addedToken(id: Int, hasNormalizer: Bool, file: String, field: String) throws -> AddedToken {
            for (flag, name) in [(lstrip, "lstrip"), (rstrip, "rstrip"), (singleWord, "single_word")] where flag == true {
                throw TokenizerError.unsupported(file: file, field: "\(field).\(name)", value: "true")
            }
            if hasNormalizer && normalized == true {
                throw TokenizerError.unsupported(file: file, field: "\(field).normalized", value: "true")
            }
            return AddedToken(content: content, id: id, isSpecial: special ?? false)
        }
    }

    struct NormalizerEntry: Decodable {
        var type: String
        var normalizers: [NormalizerEntry]?

        /// The normalization this entry describes: NFC, or a sequence of NFC.
        func normalization(file: String, field: String) throws -> TextNormalization {
            switch type {
            case "NFC":
                return .nfc
            case "Sequence":
                var result = TextNormalization.none
                for (index, entry) in (normalizers ?? []).enumerated() {
                    if try entry.normalization(file: file, field: "\(field).normalizers[\(index)]") == .nfc { result = .nfc }
                }
                return result
            default:
                throw TokenizerError.unsupported(file: file, field: "\(field).type", value: type)
            }
        }
    }

    struct PreTokenizerEntry: Decodable {
        var type: String
        var pretokenizers: [PreTokenizerEntry]?
        var pattern: Pattern?
        var behavior: String?
        var invert: Bool?
        var addPrefixSpace: Bool?
        var useRegex: Bool?

        struct Pattern: Decodable {
            var regex: String?
            var string: String?

            enum CodingKeys: String, CodingKey {
                case regex = "Regex"
                case string = "String"
            }
        }

        enum CodingKeys: String, CodingKey {
            case type, pretokenizers, pattern, behavior, invert
            case addPrefixSpace = "add_prefix_space"
            case useRegex = "use_regex"
        }

        /// Checks that this is Qwen2's pre-tokenizer: Split on the Qwen2 pattern (isolated), then
        /// ByteLevel without a prefix space or regex.
        func checkQwen2(file: String, field: String) throws {
            guard type == "Sequence" else {
                throw TokenizerError.unsupported(file: file, field: "\(field).type", value: type)
            }
            let steps = pretokenizers ?? []
            guard steps.count == 2 else {
                throw TokenizerError.unsupported(file: file, field: "\(field).pretokenizers", value: "\(steps.count) steps (expected Split, ByteLevel)")
            }
            let split = steps[0], byteLevel = steps[1]
            let splitField = "\(field).pretokenizers[0]", byteLevelField = "\(field).pretokenizers[1]"
            guard split.type == "Split" else {
                throw TokenizerError.unsupported(file: file, field: "\(splitField).type", value: split.type)
            }
            guard let regex = split.pattern?.regex, regex == Qwen2PreTokenizer.pattern else {
                let value = split.pattern?.regex ?? split.pattern?.string ?? "none"
                throw TokenizerError.unsupported(file: file, field: "\(splitField).pattern", value: value)
            }
            guard split.behavior == "Isolated" else {
                throw TokenizerError.unsupported(file: file, field: "\(splitField).behavior", value: split.behavior ?? "none")
            }
            guard split.invert != true else {
                throw TokenizerError.unsupported(file: file, field: "\(splitField).invert", value: "true")
            }
            guard byteLevel.type == "ByteLevel" else {
                throw TokenizerError.unsupported(file: file, field: "\(byteLevelField).type", value: byteLevel.type)
            }
            guard byteLevel.addPrefixSpace != true else {
                throw TokenizerError.unsupported(file: file, field: "\(byteLevelField).add_prefix_space", value: "true")
            }
            guard byteLevel.useRegex != true else {
                throw TokenizerError.unsupported(file: file, field: "\(byteLevelField).use_regex", value: "true")
            }
        }
    }

    struct DecoderEntry: Decodable {
        var type: String

        func checkByteLevel(file: String, field: String) throws {
            guard type == "ByteLevel" else {
                throw TokenizerError.unsupported(file: file, field: "\(field).type", value: type)
            }
        }
    }

    /// Decodes `bytes` (one JSON value) as `T`, reporting errors at `field` of `file` (the top
    /// level when `field` is empty).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeBufferPointer<UInt8>, file: String, field: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(buffer: bytes))
        } catch let error as DecodingError {
            let fullPath = field.isEmpty ? String(path(of: error).dropFirst()) : field + path(of: error)
            throw TokenizerError.malformed(file: file, field: fullPath.isEmpty ? "(top level)" : fullPath, reason: reason(of: error))
        }
    }

    private static func path(of error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): context = c
        case .keyNotFound(let key, let c): return render(c.codingPath + [key])
        @unknown default: return ""
        }
        return render(context.codingPath)
    }

    private static func render(_ path: [any CodingKey]) -> String {
        path.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
    }

    private static func reason(of error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): "expected \(type)"
        case .valueNotFound(let type, _): "expected \(type), found null"
        case .keyNotFound: "missing field"
        case .dataCorrupted(let context): context.debugDescription
        @unknown default: "invalid value"
        }
    }
}
