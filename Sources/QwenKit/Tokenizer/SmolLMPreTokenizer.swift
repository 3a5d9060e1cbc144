/// The pre-tokenizer llama.cpp names `smollm` (SmolLM and SmolLM2): every `\p{N}` scalar is a
/// piece of its own, and the text between them is split by GPT-2's pattern
///
/// ```
/// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// ```
///
/// with exactly the semantics of llama.cpp's `unicode_regex_split_custom_gpt2` (case-sensitive
/// contractions; a run of white space before a non-space keeps its last scalar for the next
/// piece, unless a digit follows, since the digit split ends the run's segment first). Hugging
/// Face's `Sequence[Digits(individual_digits), ByteLevel]` splits the same way.
///
/// ```swift
/// SmolLMPreTokenizer.pieces(of: "I'll pay 42$  now")
/// // ["I", "'ll", " pay", " ", "4", "2", "$", " ", " now"]
/// ```
public enum SmolLMPreTokenizer {
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

        func pieceEnd(from start: Int) -> Int {
            SmolLMPreTokenizer.pieceEnd(in: text, from: start)
        }
    }

    private static func pieceEnd(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        func scalar(at index: Int) -> DecodedScalar? { index < text.count ? DecodedScalar(in: text, at: index) : nil }
        guard let first = scalar(at: start) else { return start }
        // \p{N}: isolated before the GPT-2 pattern runs.
        if first.kind == .number { return start + first.length }
        // 's|'t|'re|'ve|'m|'ll|'d
        if first.value == 0x27, let end = contractionEnd(in: text, after: start + 1) { return end }
        // ` ?\p{L}+` and ` ?[^\s\p{L}\p{N}]+`; a digit after the space is in the next segment.
        var runStart = start
        var kind = first.kind
        if first.value == 0x20, let second = scalar(at: start + 1), second.kind == .letter || second.kind == .other {
            runStart = start + 1
            kind = second.kind
        }
        if kind == .letter || kind == .other {
            var end = runStart
            while let next = scalar(at: end), next.kind == kind { end += next.length }
            return end
        }
        // `\s+(?!\S)` leaves the run's last scalar to a following non-space, `\s+` takes the rest.
        var end = start, lastStart = start
        while let next = scalar(at: end), next.isWhitespace {
            lastStart = end
            end += next.length
        }
        if lastStart > start, let following = scalar(at: end), following.kind != .number { return lastStart }
        return end
    }

    /// The end of a lower-case `'s|'t|'re|'ve|'m|'ll|'d` whose apostrophe ends at `start`.
    private static func contractionEnd(in text: UnsafeBufferPointer<UInt8>, after start: Int) -> Int? {
        guard start < text.count else { return nil }
        switch text[start] {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return start + 1
        case UInt8(ascii: "r"), UInt8(ascii: "v"):
            return start + 1 < text.count && text[start + 1] == UInt8(ascii: "e") ? start + 2 : nil
        case UInt8(ascii: "l"):
            return start + 1 < text.count && text[start + 1] == UInt8(ascii: "l") ? start + 2 : nil
        default:
            return nil
        }
    }
}
