/// Merge rules as read from a file, in rank order: pairs of token texts (UTF-8), stored back to
/// back until they are resolved to ids.
struct MergeList {
    private var text: [UInt8] = []
    /// Per merge: start of the left text, start of the right text, end of the right text.
    private var bounds: [Int] = []

    var count: Int { bounds.count / 3 }

    mutating func append(left: UnsafeBufferPointer<UInt8>, right: UnsafeBufferPointer<UInt8>) {
        bounds.append(text.count)
        text.append(contentsOf: left)
        bounds.append(text.count)
        text.append(contentsOf: right)
        bounds.append(text.count)
    }

    mutating func append(left: String, right: String) {
        var left = left, right = right
        left.withUTF8 { left in right.withUTF8 { right in append(left: left, right: right) } }
    }

    /// Resolves every rule to token ids: the rule at index `rank` joins `left` and `right` into the
    /// token whose text is theirs joined. Throws when a rule names an unknown token; `field`
    /// names the rule at an index for the error.
    func mergeTable(vocabulary: TokenVocabulary.Builder, file: String, field: (Int) -> String) throws -> MergeTable {
        let table = MergeTable(capacity: count)
        try text.withUnsafeBytes { text in
            for rank in 0..<count {
                let start = bounds[3 * rank], middle = bounds[3 * rank + 1], end = bounds[3 * rank + 2]
                let left = UnsafeRawBufferPointer(rebasing: text[start..<middle])
                let right = UnsafeRawBufferPointer(rebasing: text[middle..<end])
                let joined = UnsafeRawBufferPointer(rebasing: text[start..<end])
                func unknown(_ token: UnsafeRawBufferPointer) -> TokenizerError {
                    .unknownMergeToken(file: file, field: field(rank), token: String(decoding: token, as: UTF8.self))
                }
                guard let leftID = vocabulary.modelID(ofText: left) else { throw unknown(left) }
                guard let rightID = vocabulary.modelID(ofText: right) else { throw unknown(right) }
                guard let mergedID = vocabulary.modelID(ofText: joined) else { throw unknown(joined) }
                table.insert(left: leftID, right: rightID, rank: Int32(rank), merged: mergedID)
            }
        }
        return table
    }
}
