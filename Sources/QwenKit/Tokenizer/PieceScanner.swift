/// A pre-tokenizer written as a scanner: it knows where the piece starting at a byte offset of
/// valid UTF-8 text ends, and every offset starts a piece.
protocol PieceScanner {
    init(text: UnsafeBufferPointer<UInt8>)

    /// The end of the piece that starts at `start` (greater than `start`).
    func pieceEnd(from start: Int) -> Int
}

extension PieceScanner {
    /// Calls `body` with the byte range of each piece of valid UTF-8 `text`, in order.
    @inline(__always)
    static func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        let scanner = Self(text: text)
        var start = 0
        while start < text.count {
            let end = scanner.pieceEnd(from: start)
            body(start..<end)
            start = end
        }
    }

    /// The pieces of `text`, in order; they concatenate back to `text`.
    static func pieces(of text: String) -> [String] {
        var text = text
        return text.withUTF8 { utf8 in
            var pieces: [String] = []
            forEachPiece(in: utf8) { pieces.append(String(decoding: utf8[$0], as: UTF8.self)) }
            return pieces
        }
    }
}
