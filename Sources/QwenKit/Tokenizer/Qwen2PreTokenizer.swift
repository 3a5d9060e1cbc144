/// Qwen2's pre-tokenizer: splits text into the pieces that byte-pair encoding then encodes one
/// by one. It is a hand-written scanner with exactly the semantics of the regular expression
/// Qwen2 ships (leftmost alternative first, greedy with backtracking):
///
/// ```
/// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// ```
///
/// ```swift
/// Qwen2PreTokenizer.pieces(of: "I'll pay 42 $ now\n\n")
/// // ["I", "'ll", " pay", " ", "4", "2", " $", " now", "\n\n"]
/// ```
public enum Qwen2PreTokenizer {
    /// The regular expression this scanner implements, as written in `tokenizer.json`.
    public static let pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The pieces of `text`, in order; they concatenate back to `text`.
    public static func pieces(of text: String) -> [String] {
        Scanner.pieces(of: text)
    }

    /// Calls `body` with the byte range of each piece of valid UTF-8 `text`, in order.
    @inline(__always)
    static func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        Scanner.forEachPiece(in: text, body)
    }

    private struct Scanner: PieceScanner {
        let text: UnsafeBufferPointer<UInt8>

        /// The end of the piece the pattern matches at `start` (every position matches).
        func pieceEnd(from start: Int) -> Int {
            let first = scalar(at: start)
            let afterFirst = start + first.length
            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if first.value == 0x27, let end = contractionEnd(after: afterFirst) { return end }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if first.kind == .letter { return end(of: .letter, from: afterFirst) }
            let second = afterFirst < text.count ? scalar(at: afterFirst) : nil
            if first.kind == .space || first.kind == .other, let second, second.kind == .letter {
                return end(of: .letter, from: afterFirst + second.length)
            }
            // \p{N}
            if first.kind == .number { return afterFirst }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            if first.kind == .other || (first.value == 0x20 && second?.kind == .other) {
                var end = end(of: .other, from: afterFirst)
                while end < text.count, text[end] == 0x0A || text[end] == 0x0D { end += 1 }
                return end
            }
            // First is white space: \s*[\r\n]+ ends at the run's last line break; \s+(?!\S)
            // leaves the run's last scalar to the next piece unless the text ends; else \s+.
            var end = start
            var lastStart = start
            var afterLastLineBreak: Int?
            while end < text.count {
                let next = scalar(at: end)
                guard next.kind == .space || next.kind == .lineBreak else { break }
                lastStart = end
                end += next.length
                if next.kind == .lineBreak { afterLastLineBreak = end }
            }
            if let afterLastLineBreak { return afterLastLineBreak }
            if end == text.count || lastStart == start { return end }
            return lastStart
        }

        /// The end of `'s|'t|'re|'ve|'m|'ll|'d` (case-insensitive) after an apostrophe.
        private func contractionEnd(after start: Int) -> Int? {
            guard start < text.count else { return nil }
            // Setting bit 5 lower-cases an ASCII letter and maps no other byte onto a letter.
            switch text[start] | 0x20 {
            case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
                return start + 1
            case UInt8(ascii: "r"), UInt8(ascii: "v"):
                return start + 1 < text.count && text[start + 1] | 0x20 == UInt8(ascii: "e") ? start + 2 : nil
            case UInt8(ascii: "l"):
                return start + 1 < text.count && text[start + 1] | 0x20 == UInt8(ascii: "l") ? start + 2 : nil
            default:
                // U+017F LATIN SMALL LETTER LONG S case-folds to "s".
                return text[start] == 0xC5 && start + 1 < text.count && text[start + 1] == 0xBF ? start + 2 : nil
            }
        }

        private func end(of kind: ScalarKind, from start: Int) -> Int {
            var end = start
            while end < text.count {
                let next = scalar(at: end)
                guard next.kind == kind else { break }
                end += next.length
            }
            return end
        }

        @inline(__always)
        private func scalar(at index: Int) -> DecodedScalar {
            DecodedScalar(in: text, at: index)
        }
    }
}
