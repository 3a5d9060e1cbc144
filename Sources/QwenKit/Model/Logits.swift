/// The scores a forward pass gives every vocabulary token at one or more positions: a row-major
/// `[rowCount][vocabularySize]` float32 matrix. Reuse one value across calls to avoid allocating.
///
/// ```swift
/// var logits = Logits(vocabularySize: model.configuration.vocabSize)
/// try model.forward([next], cache: cache, into: &logits)
/// let best = logits.last.indices.max { logits.last[$0] < logits.last[$1] }
/// ```
public struct Logits: Sendable {
    /// Scores per row; may be longer than `rowCount × vocabularySize` when reused.
    public private(set) var values: [Float]
    /// The number of positions scored.
    public private(set) var rowCount: Int
    /// Tokens scored per row.
    public let vocabularySize: Int

    /// Empty logits for a vocabulary of `vocabularySize` tokens.
    public init(vocabularySize: Int) {
        self.vocabularySize = vocabularySize
        values = []
        rowCount = 0
    }

    /// The scores of row `row` (`0 ..< rowCount`).
    public subscript(row: Int) -> ArraySlice<Float> {
        values[row * vocabularySize ..< (row + 1) * vocabularySize]
    }

    /// The scores of the last row, the one that predicts the next token.
    public var last: ArraySlice<Float> {
        self[rowCount - 1]
    }

    /// Sets the number of rows, growing the storage if needed (never shrinking it).
    mutating func resize(rows: Int) {
        let needed = rows * vocabularySize
        if values.count < needed {
            values.append(contentsOf: repeatElement(0, count: needed - values.count))
        }
        rowCount = rows
    }

    /// Gives mutable access to row `row`'s storage.
    mutating func withRow<R>(_ row: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try values.withUnsafeMutableBufferPointer { buffer in
            try body(buffer.baseAddress! + row * vocabularySize)
        }
    }
}
