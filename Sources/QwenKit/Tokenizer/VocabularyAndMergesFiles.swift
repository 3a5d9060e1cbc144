import Foundation

/// Reads the older layout of a BPE tokenizer: `vocab.json` (token → id) and `merges.txt` (one
/// `left right` rule per line, in rank order, after an optional `#version` line).
enum VocabularyAndMergesFiles {
    static func loadVocabulary(_ url: URL) throws -> TokenVocabulary.Builder {
        let data = try readTokenizerFile(url)
        var vocabulary = TokenVocabulary.Builder()
        try data.withUnsafeBytes { raw in
            var scanner = JSONScanner(raw.bindMemory(to: UInt8.self), file: url.path)
            try scanner.forEachMember(field: "(top level)") { scanner, token in
                let id = try scanner.readInt32(field: "token ids")
                guard TokenVocabulary.isValidID(Int(id)) else {
                    throw scanner.error(String(decoding: token, as: UTF8.self), "token id \(id) out of range")
                }
                token.withUnsafeBufferPointer { vocabulary.add(text: $0, id: id, isModelToken: true) }
            }
            try scanner.expectEnd(field: "(top level)")
        }
        return vocabulary
    }

    /// The merge rules and the line number of each.
    static func loadMerges(_ url: URL) throws -> (merges: MergeList, lineNumbers: [Int]) {
        let data = try readTokenizerFile(url)
        var merges = MergeList()
        var lineNumbers: [Int] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = line[...]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.isEmpty || (lineNumber == 1 && line.starts(with: "#version".utf8)) { continue }
            let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw TokenizerError.malformed(file: url.path, field: "line \(lineNumber)", reason: "expected \"left right\"")
            }
            Array(parts[0]).withUnsafeBufferPointer { left in
                Array(parts[1]).withUnsafeBufferPointer { merges.append(left: left, right: $0) }
            }
            lineNumbers.append(lineNumber)
        }
        return (merges, lineNumbers)
    }
}
