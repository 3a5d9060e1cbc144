/// Turns token ids into text one id at a time, as they are generated. Text is released only once
/// it forms complete UTF-8 characters, so a character split across tokens never shows up as
/// U+FFFD; bytes that can never form a character become U+FFFD, as in a full decode.
///
/// ```swift
/// var detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: true)
/// for id in generatedIDs { print(detokenizer.append(id), terminator: "") }
/// print(detokenizer.finish())
/// ```
/// The pieces joined equal `tokenizer.decode(ids, skipSpecialTokens:)`.
public struct StreamingDetokenizer: Sendable {
    private let tokenizer: Tokenizer
    private let skipSpecialTokens: Bool
    private var pending: [UInt8] = []

    /// A detokenizer for `tokenizer`'s ids, leaving out special tokens if `skipSpecialTokens`.
    public init(tokenizer: Tokenizer, skipSpecialTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
    }

    /// Adds one token; returns the text it completes (often empty while a character is split).
    public mutating func append(_ id: Int) -> String {
        tokenizer.appendBytes(of: id, skipSpecialTokens: skipSpecialTokens, to: &pending)
        let end = pending.count - Self.incompleteSuffixLength(of: pending)
        guard end > 0 else { return "" }
        let text = String(decoding: pending[..<end], as: UTF8.self)
        pending.removeSubrange(..<end)
        return text
    }

    /// Returns what is left (an unfinished character becomes U+FFFD) and starts over.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The length of the trailing bytes that begin a well-formed UTF-8 character but do not yet
    /// finish it; 0 when the bytes end on a character boundary or on bytes that cannot be completed.
    static func incompleteSuffixLength(of bytes: [UInt8]) -> Int {
        for length in 1...3 where length <= bytes.count {
            let lead = bytes[bytes.count - length]
            guard lead & 0xC0 == 0x80 else {
                let needed: Int
                var secondRange: ClosedRange<UInt8> = 0x80...0xBF
                switch lead {
                case 0xC2...0xDF: needed = 2
                case 0xE0: needed = 3; secondRange = 0xA0...0xBF
                case 0xED: needed = 3; secondRange = 0x80...0x9F
                case 0xE1...0xEF: needed = 3
                case 0xF0: needed = 4; secondRange = 0x90...0xBF
                case 0xF4: needed = 4; secondRange = 0x80...0x8F
                case 0xF1...0xF3: needed = 4
                default: return 0
                }
                guard length < needed else { return 0 }
                if length >= 2 && !secondRange.contains(bytes[bytes.count - length + 1]) { return 0 }
                return length
            }
        }
        return 0
    }
}
