/// The rows of one forward chunk that continue one sequence.
struct ChunkSegment {
    /// The sequence's cache; the segment's first row is at position `cache.count`.
    let cache: KVCache
    /// The segment's rows within the chunk.
    let rows: Range<Int>
    /// Which ``SequenceInput`` of the pass the rows come from.
    let input: Int
    /// The indices of the input's tokens in these rows.
    let tokens: Range<Int>
    /// True when the segment holds the input's last token, whose logits predict its next token.
    let endsInput: Bool
}
