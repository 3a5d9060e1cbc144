/// Finds added tokens in text the way Hugging Face tokenizers does: the leftmost match, and the
/// longest token among those starting there.
struct AddedTokenMatcher: Sendable {
    private struct Candidate: Sendable {
        var bytes: [UInt8]
        var id: Int32
    }

    /// Per first byte: the tokens starting with it, longest first.
    private let candidates: [[Candidate]]

    init(_ tokens: [AddedToken]) {
        var candidates = [[Candidate]](repeating: [], count: 256)
        for token in tokens where !token.content.isEmpty {
            let bytes = Array(token.content.utf8)
            candidates[Int(bytes[0])].append(Candidate(bytes: bytes, id: Int32(token.id)))
        }
        self.candidates = candidates.map { $0.sorted { $0.bytes.count > $1.bytes.count } }
    }

    /// A piece of input text: an added token, or text between added tokens.
    enum Segment {
        case token(Int32)
        case text(Range<Int>)
    }

    /// Calls `body` with the segments of UTF-8 `text`, in order.
    func forEachSegment(in text: UnsafeBufferPointer<UInt8>, _ body: (Segment) -> Void) {
        var textStart = 0
        var index = 0
        while index < text.count {
            if let match = longestMatch(in: text, at: index) {
                if textStart < index { body(.text(textStart..<index)) }
                body(.token(match.id))
                index += match.length
                textStart = index
            } else {
                index += 1
            }
        }
        if textStart < text.count { body(.text(textStart..<text.count)) }
    }

    @inline(__always)
    private func longestMatch(in text: UnsafeBufferPointer<UInt8>, at index: Int) -> (id: Int32, length: Int)? {
        for candidate in candidates[Int(text[index])] where candidate.bytes.count <= text.count - index {
            var matches = true
            for offset in 1..<candidate.bytes.count where text[index + offset] != candidate.bytes[offset] {
                matches = false
                break
            }
            if matches { return (candidate.id, candidate.bytes.count) }
        }
        return nil
    }
}
