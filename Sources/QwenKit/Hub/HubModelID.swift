/// A model on the Hugging Face Hub: `ORG/NAME`, optionally `@REVISION` (branch, tag or commit)
/// and `:QUANT` to pick one GGUF file of a repository of GGUF files.
///
/// ```swift
/// let id = try HubModelID(parsing: "Qwen/Qwen2.5-1.5B-Instruct-GGUF:q4_k_m")
/// id.repository     // "Qwen/Qwen2.5-1.5B-Instruct-GGUF"
/// id.revision       // "main"
/// id.quantization   // "q4_k_m"
/// ```
public struct HubModelID: Sendable, Hashable, CustomStringConvertible {
    /// `ORG/NAME`.
    public let repository: String
    /// A branch, tag or commit hash; `main` unless given.
    public let revision: String
    /// The quantization tag of the GGUF file to use (`q4_k_m`, `Q8_0`...), matched case-insensitively.
    public let quantization: String?

    /// The model `qwen chat` uses when no `--model` is given.
    public static let defaultChatModel = "Qwen/Qwen2.5-0.5B-Instruct"

    /// Parses `ORG/NAME[@REVISION][:QUANT]`. Throws ``HubError/invalidModelID(_:reason:)``.
    public init(parsing text: String) throws(HubError) {
        var rest = Substring(text)
        var quantization: String?
        if let colon = rest.firstIndex(of: ":") {
            quantization = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
            guard let quantization, !quantization.isEmpty, quantization.allSatisfy(Self.isNameCharacter) else {
                throw .invalidModelID(text, reason: "the quantization after ':' must be a tag like q4_k_m")
            }
        }
        var revision = "main"
        if let at = rest.firstIndex(of: "@") {
            revision = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
            guard !revision.isEmpty, !revision.contains(".."), !revision.hasPrefix("/"),
                revision.allSatisfy({ Self.isNameCharacter($0) || $0 == "/" })
            else {
                throw .invalidModelID(text, reason: "the revision after '@' must be a branch, tag or commit hash")
            }
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalidModelID(text, reason: "expected ORG/NAME, e.g. Qwen/Qwen2.5-0.5B-Instruct")
        }
        for part in parts {
            guard (1...96).contains(part.count), part.allSatisfy(Self.isNameCharacter),
                let first = part.first, let last = part.last,
                !"-.".contains(first), !"-.".contains(last), !part.contains("--"), !part.contains("..")
            else {
                throw .invalidModelID(
                    text, reason: "\"\(part)\" is not a valid name (letters, digits, '-', '_', '.'; no '--' or '..')")
            }
        }
        self.repository = String(rest)
        self.revision = revision
        self.quantization = quantization
    }

    /// `ORG/NAME[@REVISION][:QUANT]`, with `@main` left out.
    public var description: String {
        repository + (revision == "main" ? "" : "@\(revision)") + (quantization.map { ":\($0)" } ?? "")
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "-_.".contains(character))
    }
}
