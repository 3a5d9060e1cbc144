/// Why tokenizer files could not be loaded. Each case names the file and the field at fault.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The directory has neither `tokenizer.json` nor `vocab.json` with `merges.txt`.
    case missingFiles(directory: String)
    /// A file exists but could not be read.
    case unreadable(file: String, reason: String)
    /// A file is not valid JSON, or a field has the wrong shape.
    case malformed(file: String, field: String, reason: String)
    /// A required field is absent.
    case missingField(file: String, field: String)
    /// A field asks for a tokenizer feature this implementation does not have.
    case unsupported(file: String, field: String, value: String)
    /// A merge rule names a token that is not in the vocabulary.
    case unknownMergeToken(file: String, field: String, token: String)

    public var description: String {
        switch self {
        case .missingFiles(let directory):
            "\(directory): no tokenizer.json, nor vocab.json with merges.txt"
        case .unreadable(let file, let reason):
            "\(file): cannot read: \(reason)"
        case .malformed(let file, let field, let reason):
            "\(file): \(field): \(reason)"
        case .missingField(let file, let field):
            "\(file): missing field \(field)"
        case .unsupported(let file, let field, let value):
            "\(file): \(field): unsupported value \(value)"
        case .unknownMergeToken(let file, let field, let token):
            "\(file): \(field): merge names token \(token.debugDescription), which is not in the vocabulary"
        }
    }
}
