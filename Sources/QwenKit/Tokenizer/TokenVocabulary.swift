/// Every token id with the text it is stored as and the bytes it decodes to.
///
/// Model (BPE) tokens are also indexed by their bytes for the merge rules; added tokens are not,
/// as in Hugging Face tokenizers where they live outside the model's vocabulary.
final class TokenVocabulary: Sendable {
    /// Model tokens whose text is in the byte-level alphabet, keyed by the bytes they stand for.
    let idsByBytes: ByteStringTable
    /// Model tokens whose text has scalars outside the alphabet (never produced by byte-level BPE).
    private let idsByRawText: [String: Int32]
    private let bytes: [UInt8]
    /// Per id: start << 32 | count into `bytes`, or `absent`.
    private let spans: [UInt64]
    /// Per id: whether the token's text is its bytes in the byte-level alphabet.
    private let isByteLevel: [Bool]

    private static let absent = UInt64.max

    fileprivate init(builder: Builder) {
        idsByBytes = builder.idsByBytes
        idsByRawText = builder.idsByRawText
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
        return isByteLevel[id] ? ByteLevelAlphabet.text(of: tokenBytes) : String(decoding: tokenBytes, as: UTF8.self)
    }

    /// The id of a model token given its stored text.
    func modelID(ofText text: String) -> Int? {
        var tokenBytes: [UInt8] = []
        if ByteLevelAlphabet.appendBytes(ofTokenText: text.utf8, to: &tokenBytes) {
            return tokenBytes.withUnsafeBytes { idsByBytes.value(for: $0) }.map { Int($0) }
        }
        return idsByRawText[text].map { Int($0) }
    }

    /// Collects tokens while a vocabulary file is read.
    struct Builder {
        fileprivate let idsByBytes = ByteStringTable(minimumCapacity: 1 << 17)
        fileprivate var idsByRawText: [String: Int32] = [:]
        fileprivate var bytes: [UInt8] = []
        fileprivate var spans: [UInt64] = []
        fileprivate var isByteLevel: [Bool] = []
        private var scratch: [UInt8] = []

        init() {}

        /// Adds a token from its stored text (UTF-8). Model tokens are indexed for the merges.
        /// A repeated text or id keeps the last entry, as a JSON object read into a map does.
        mutating func add<C: Collection<UInt8>>(text utf8: C, id: Int32, isModelToken: Bool) {
            scratch.removeAll(keepingCapacity: true)
            let byteLevel = ByteLevelAlphabet.appendBytes(ofTokenText: utf8, to: &scratch)
            if isModelToken {
                if byteLevel {
                    scratch.withUnsafeBytes { idsByBytes.set($0, value: UInt64(id)) }
                } else {
                    idsByRawText[String(decoding: utf8, as: UTF8.self)] = id
                }
            }
            let index = Int(id)
            if index >= spans.count {
                spans.append(contentsOf: repeatElement(TokenVocabulary.absent, count: index + 1 - spans.count))
                isByteLevel.append(contentsOf: repeatElement(false, count: index + 1 - isByteLevel.count))
            }
            spans[index] = UInt64(bytes.count) << 32 | UInt64(scratch.count)
            isByteLevel[index] = byteLevel
            bytes.append(contentsOf: scratch)
        }

        /// The id of a model token given its stored text (UTF-8), and whether it is byte-level.
        mutating func modelID<C: Collection<UInt8>>(ofText utf8: C) -> (id: Int32, isByteLevel: Bool)? {
            scratch.removeAll(keepingCapacity: true)
            if ByteLevelAlphabet.appendBytes(ofTokenText: utf8, to: &scratch) {
                return scratch.withUnsafeBytes { idsByBytes.value(for: $0) }.map { (Int32(truncatingIfNeeded: $0), true) }
            }
            return idsByRawText[String(decoding: utf8, as: UTF8.self)].map { ($0, false) }
        }

        /// The id of a model token given the bytes it stands for.
        func modelID(ofBytes key: UnsafeRawBufferPointer) -> Int32? {
            idsByBytes.value(for: key).map { Int32(truncatingIfNeeded: $0) }
        }

        /// Whether `id` has a token.
        func contains(id: Int) -> Bool { id >= 0 && id < spans.count && spans[id] != TokenVocabulary.absent }

        /// The bytes a model token stands for (empty for an unknown id).
        func bytes(of id: Int32) -> ArraySlice<UInt8> {
            let index = Int(id)
            guard contains(id: index) else { return [] }
            let start = Int(spans[index] >> 32)
            return bytes[start..<start + Int(spans[index] & 0xFFFF_FFFF)]
        }

        func build() -> TokenVocabulary { TokenVocabulary(builder: self) }
    }
}
