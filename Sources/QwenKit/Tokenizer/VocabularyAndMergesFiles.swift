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
        try data.withUnsafeBytes { raw in
            let text = raw.bindMemory(to: UInt8.self)
            var lineNumber = 0
            var lineStart = 0
            while lineStart < text.count {
                lineNumber += 1
                var lineEnd = lineStart
                while lineEnd < text.count, text[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                let next = lineEnd + 1
                if lineEnd > lineStart, text[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let line = UnsafeBufferPointer(rebasing: text[lineStart..<lineEnd])
                lineStart = next
                if line.isEmpty || (lineNumber == 1 && line.starts(with: "#version".utf8)) { continue }
                guard let space = line.firstIndex(of: UInt8(ascii: " ")),
                      !line[(space + 1)...].contains(UInt8(ascii: " "))
                else {
                    throw TokenizerError.malformed(file: url.path, field: "line \(lineNumber)", reason: "expected \"left right\"")
                }
                merges.append(
                    left: UnsafeBufferPointer(rebasing: line[..<space]), right: UnsafeBufferPointer(rebasing: line[(space + 1)...]))
                lineNumbers.append(lineNumber)
            }
        }
        return (merges, lineNumbers)
    }
}
