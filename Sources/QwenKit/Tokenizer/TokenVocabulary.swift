/// Every token id with the text it is stored as and the bytes it decodes to.
///
/// Model (BPE) tokens are also indexed by their stored text, for the merge rules and lookups;
/// added tokens are not, as in Hugging Face tokenizers where they live outside the model.
final class TokenVocabulary: Sendable {
    /// Model token ids keyed by the token's stored text (UTF-8, such as `Ġhello`).
    private let idsByText: ByteStringTable
    private let bytes: [UInt8]
    /// Per id: start << 32 | count into `bytes`, or `absent`.
    private let spans: [UInt64]
    /// Per id: whether the token's text is its bytes in the byte-level alphabet.
    private let isByteLevel: [Bool]

    private static let absent = UInt64.max

    /// The highest token id accepted (vocabularies are far smaller; this bounds the tables a
    /// corrupt file can make us allocate).
    static let maximumID = (1 << 24) - 1

    /// Whether `id` can be a token id.
    static func isValidID(_ id: Int) -> Bool { (0...maximumID).contains(id) }

    fileprivate init(builder: Builder) {
        idsByText = builder.idsByText
        bytes = builder.bytes
        spans = builder.spans
        isByteLevel = builder.isByteLevel
    }

    /// One more than the highest id.
    var count: Int { spans.count }

    /// Appends the bytes token `id` decodes to; returns false for an unknown id.
    @inline(__always)
    @discardableResult
    func appendBytes(of id: Int, to output: inout [UInt8]) -> Bool {
        guard id >= 0, id < spans.count, spans[id] != Self.absent else { return false }
        let start = Int(spans[id] >> 32)
        output.append(contentsOf: bytes[start..<start + Int(spans[id] & 0xFFFF_FFFF)])
        return true
    }

    /// The token's text as vocabulary files store it (`Ġhello`), or nil for an unknown id.
    func text(of id: Int) -> String? {
        guard id >= 0, id < spans.count, spans[id] != Self.absent else { return nil }
        let start = Int(spans[id] >> 32)
        let tokenBytes = bytes[start..<start + Int(spans[id] & 0xFFFF_FFFF)]
        guard isByteLevel[id] else { return String(decoding: tokenBytes, as: UTF8.self) }
        var utf8: [UInt8] = []
        tokenBytes.withUnsafeBytes { ByteLevelAlphabet.appendText(of: $0, to: &utf8) }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// The id of a model token given its stored text (UTF-8).
    @inline(__always)
    func modelID(ofText utf8: UnsafeRawBufferPointer) -> Int32? {
        idsByText.value(for: utf8).map { Int32(truncatingIfNeeded: $0) }
    }

    /// The id of a model token given its stored text.
    func modelID(ofText text: String) -> Int? {
        var text = text
        return text.withUTF8 { modelID(ofText: UnsafeRawBufferPointer($0)) }.map { Int($0) }
    }

    /// Collects tokens while a vocabulary file is read.
    struct Builder {
        fileprivate let idsByText = ByteStringTable(minimumCapacity: 1 << 17)
        fileprivate var bytes: [UInt8] = []
        fileprivate var spans: [UInt64] = []
        fileprivate var isByteLevel: [Bool] = []

        init() {}

        /// Adds a token from its stored text (UTF-8); model tokens are indexed by it. A repeated
        /// text or id keeps the last entry, as a JSON object read into a map does.
        mutating func add(text utf8: UnsafeBufferPointer<UInt8>, id: Int32, isModelToken: Bool) {
            if isModelToken { idsByText.set(UnsafeRawBufferPointer(utf8), value: UInt64(id)) }
            let index = Int(id)
            if index >= spans.count {
                spans.append(contentsOf: repeatElement(TokenVocabulary.absent, count: index + 1 - spans.count))
                isByteLevel.append(contentsOf: repeatElement(false, count: index + 1 - isByteLevel.count))
            }
            let start = bytes.count
            isByteLevel[index] = ByteLevelAlphabet.appendBytes(ofTokenText: utf8, to: &bytes)
            spans[index] = UInt64(start) << 32 | UInt64(bytes.count - start)
        }

        mutating func add(text: String, id: Int32, isModelToken: Bool) {
            var text = text
            text.withUTF8 { add(text: $0, id: id, isModelToken: isModelToken) }
        }

        /// The id of a model token given its stored text (UTF-8).
        func modelID(ofText utf8: UnsafeRawBufferPointer) -> Int32? {
            idsByText.value(for: utf8).map { Int32(truncatingIfNeeded: $0) }
        }

        func modelID(ofText text: String) -> Int32? {
            var text = text
            return text.withUTF8 { modelID(ofText: UnsafeRawBufferPointer($0)) }
        }

        func build() -> TokenVocabulary { TokenVocabulary(builder: self) }
    }
}
