/// Merge rules as read from a file, in rank order: pairs of token texts (UTF-8), stored back to
/// back until they are resolved to ids.
struct MergeList {
    private var text: [UInt8] = []
    /// Per merge: start of the left text, start of the right text, end of the right text.
    private var bounds: [Int] = []

    var count: Int { bounds.count / 3 }

    mutating func append<Left: Collection<UInt8>, Right: Collection<UInt8>>(left: Left, right: Right) {
        bounds.append(text.count)
        text.append(contentsOf: left)
        bounds.append(text.count)
        text.append(contentsOf: right)
        bounds.append(text.count)
    }

    func left(_ index: Int) -> ArraySlice<UInt8> { text[bounds[3 * index]..<bounds[3 * index + 1]] }
    func right(_ index: Int) -> ArraySlice<UInt8> { text[bounds[3 * index + 1]..<bounds[3 * index + 2]] }

    /// Resolves every rule to token ids. A rule between tokens outside the byte-level alphabet can
    /// never apply and is checked but left out. Throws when a rule names an unknown token;
    /// `field` names the rule at `index` in the file.
    func mergeTable(vocabulary: inout TokenVocabulary.Builder, file: String, field: (Int) -> String) throws -> MergeTable {
        let table = MergeTable(capacity: count)
        var joined: [UInt8] = []
        for index in 0..<count {
            let leftText = left(index), rightText = right(index)
            guard let leftToken = vocabulary.modelID(ofText: leftText) else {
                throw TokenizerError.unknownMergeToken(file: file, field: field(index), token: String(decoding: leftText, as: UTF8.self))
            }
            guard let rightToken = vocabulary.modelID(ofText: rightText) else {
                throw TokenizerError.unknownMergeToken(file: file, field: field(index), token: String(decoding: rightText, as: UTF8.self))
            }
            joined.removeAll(keepingCapacity: true)
            let merged: Int32?
            if leftToken.isByteLevel && rightToken.isByteLevel {
                joined.append(contentsOf: vocabulary.bytes(of: leftToken.id))
                joined.append(contentsOf: vocabulary.bytes(of: rightToken.id))
                merged = joined.withUnsafeBytes { vocabulary.modelID(ofBytes: $0) }
            } else {
                joined.append(contentsOf: leftText)
                joined.append(contentsOf: rightText)
                merged = vocabulary.modelID(ofText: joined)?.id
            }
            guard let merged else {
                throw TokenizerError.unknownMergeToken(
                    file: file, field: field(index), token: String(decoding: leftText + rightText, as: UTF8.self))
            }
            if leftToken.isByteLevel && rightToken.isByteLevel {
                table.insert(left: leftToken.id, right: rightToken.id, rank: Int32(index), merged: merged)
            }
        }
        return table
    }
}
