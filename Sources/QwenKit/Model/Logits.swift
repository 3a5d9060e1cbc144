/// The scores a forward pass gives every vocabulary token at one or more positions: a row-major
/// `[rowCount][vocabularySize]` float32 matrix. Reuse one value across calls to avoid allocating.
///
/// ```swift
/// var logits = Logits(vocabularySize: model.configuration.vocabSize)
/// try model.forward([next], cache: cache, into: &logits)
/// let sampled = logits.withMutableRow(0) { sampler.sample(logits: $0, history: history) }
/// ```
public struct Logits: Sendable {
    /// Scores of rows `0 ..< rowCount`, then unused capacity when a larger result was stored before.
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

    /// The scores of row `row` (`0 ..< rowCount`). Like any array slice it keeps the indices of
    /// `values`, so token `t` is at `startIndex + t`.
    public subscript(row: Int) -> ArraySlice<Float> {
        values[row * vocabularySize ..< (row + 1) * vocabularySize]
    }

    /// The scores of the last row, the one that predicts the next token.
    public var last: ArraySlice<Float> {
        self[rowCount - 1]
    }

    /// Calls `body` with the scores of row `row` (`0 ..< rowCount`) as a mutable buffer indexed by
    /// token id, e.g. for a sampler that edits them in place without copying.
    public mutating func withMutableRow<R>(
        _ row: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try withMutableRows(row ..< row + 1, body)
    }

    /// Calls `body` with the scores of `rows` as one mutable row-major buffer.
    mutating func withMutableRows<R>(
        _ rows: Range<Int>, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try values.withUnsafeMutableBufferPointer { buffer in
            try body(UnsafeMutableBufferPointer(
                rebasing: buffer[rows.lowerBound * vocabularySize ..< rows.upperBound * vocabularySize]))
        }
    }

    /// Sets the number of rows, growing the storage if needed (never shrinking it).
    mutating func resize(rows: Int) {
        let needed = rows * vocabularySize
        if values.count < needed {
            values.append(contentsOf: repeatElement(0, count: needed - values.count))
        }
        rowCount = rows
    }
}
