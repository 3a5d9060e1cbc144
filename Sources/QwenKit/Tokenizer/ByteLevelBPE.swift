/// Byte-level byte-pair encoding: a word's bytes start as one token each and the pair with the
/// lowest merge rank (leftmost on ties) is joined until no pair has a merge rule, exactly as
/// Hugging Face tokenizers' BPE model does.
final class ByteLevelBPE: Sendable {
    let vocabulary: TokenVocabulary
    let merges: MergeTable
    /// Whether a word found whole in the vocabulary is emitted as one token without merging.
    let ignoresMerges: Bool
    /// Per byte: the tokens it starts as (one token, or byte-fallback tokens, or none).
    private let byteTokens: [[Int32]]

    init(vocabulary: TokenVocabulary, merges: MergeTable, ignoresMerges: Bool, usesByteFallback: Bool) {
        self.vocabulary = vocabulary
        self.merges = merges
        self.ignoresMerges = ignoresMerges
        byteTokens = (0..<256).map { byte in
            let scalar = Unicode.Scalar(ByteLevelAlphabet.scalarForByte[byte]).map(String.init) ?? ""
            if let id = vocabulary.modelID(ofText: scalar) { return [Int32(id)] }
            guard usesByteFallback else { return [] }
            // Byte fallback spells the UTF-8 of the byte's alphabet scalar as <0xHH> tokens.
            let ids = scalar.utf8.compactMap { utf8Byte in
                vocabulary.modelID(ofText: "<0x" + String(utf8Byte, radix: 16, uppercase: true).leftPadded(to: 2) + ">")
            }
            return ids.count == scalar.utf8.count ? ids.map { Int32($0) } : []
        }
    }

    /// Appends the token ids of one pre-tokenized word (its raw bytes) to `output`.
    func encode(word: UnsafeRawBufferPointer, scratch: inout Scratch, into output: inout [Int32]) {
        if ignoresMerges {
            scratch.text.removeAll(keepingCapacity: true)
            ByteLevelAlphabet.appendText(of: word, to: &scratch.text)
            if let id = scratch.text.withUnsafeBytes({ vocabulary.modelID(ofText: $0) }) {
                output.append(id)
                return
            }
        }
        scratch.reset()
        for byte in word {
            for id in byteTokens[Int(byte)] { scratch.appendSymbol(id) }
        }
        let count = scratch.ids.count
        guard count > 1 else {
            output.append(contentsOf: scratch.ids)
            return
        }
        for position in 0..<count - 1 {
            if let rule = merges.rankAndMerged(left: scratch.ids[position], right: scratch.ids[position + 1]) {
                scratch.push(rule, position: Int32(position))
            }
        }
        while let (position, merged) = scratch.popLowest() {
            let left = Int(position)
            let leftID = scratch.ids[left]
            let right = Int(scratch.next[left])
            // A stale entry is skipped unless the pair there still merges into the same token
            // (the check Hugging Face makes).
            guard leftID >= 0, right >= 0,
                  let rule = merges.rankAndMerged(left: leftID, right: scratch.ids[right]),
                  Int32(truncatingIfNeeded: rule) == merged
            else { continue }
            scratch.ids[left] = Int32(truncatingIfNeeded: rule)
            scratch.ids[right] = -1
            let afterRight = scratch.next[right]
            scratch.next[left] = afterRight
            if afterRight >= 0 { scratch.previous[Int(afterRight)] = Int32(left) }
            let before = scratch.previous[left]
            if before >= 0, let rule = merges.rankAndMerged(left: scratch.ids[Int(before)], right: scratch.ids[left]) {
                scratch.push(rule, position: before)
            }
            if afterRight >= 0, let rule = merges.rankAndMerged(left: scratch.ids[left], right: scratch.ids[Int(afterRight)]) {
                scratch.push(rule, position: Int32(left))
            }
        }
        var position: Int32 = 0
        while position >= 0 {
            output.append(scratch.ids[Int(position)])
            position = scratch.next[Int(position)]
        }
    }

    /// Working memory for ``encode(word:scratch:into:)``, reused from word to word.
    struct Scratch {
        /// The word in the byte-level alphabet, for the whole-word lookup of `ignoresMerges`.
        fileprivate var text: [UInt8] = []
        /// Symbol ids; -1 once merged into the symbol on its left.
        fileprivate var ids: [Int32] = []
        fileprivate var previous: [Int32] = []
        fileprivate var next: [Int32] = []
        /// Min-heap of candidate merges, rank << 32 | position, with the merged id alongside.
        private var heap: [UInt64] = []
        private var heapMerged: [Int32] = []

        init() {}

        fileprivate mutating func reset() {
            ids.removeAll(keepingCapacity: true)
            previous.removeAll(keepingCapacity: true)
            next.removeAll(keepingCapacity: true)
            heap.removeAll(keepingCapacity: true)
            heapMerged.removeAll(keepingCapacity: true)
        }

        fileprivate mutating func appendSymbol(_ id: Int32) {
            let index = Int32(ids.count)
            if index > 0 { next[Int(index) - 1] = index }
            ids.append(id)
            previous.append(index - 1)
            next.append(-1)
        }

        /// Queues the merge `rule` (rank << 32 | merged id) of the pair starting at `position`.
        fileprivate mutating func push(_ rule: UInt64, position: Int32) {
            heap.append(rule & 0xFFFF_FFFF_0000_0000 | UInt64(UInt32(bitPattern: position)))
            heapMerged.append(Int32(truncatingIfNeeded: rule))
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                if heap[parent] <= heap[child] { break }
                heap.swapAt(parent, child)
                heapMerged.swapAt(parent, child)
                child = parent
            }
        }

        /// The queued merge with the lowest rank, leftmost on ties.
        fileprivate mutating func popLowest() -> (position: Int32, merged: Int32)? {
            guard let top = heap.first else { return nil }
            let topMerged = heapMerged[0]
            let last = heap.removeLast()
            let lastMerged = heapMerged.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                heapMerged[0] = lastMerged
                var parent = 0
                while true {
                    let left = 2 * parent + 1
                    if left >= heap.count { break }
                    let right = left + 1
                    let smaller = right < heap.count && heap[right] < heap[left] ? right : left
                    if heap[parent] <= heap[smaller] { break }
                    heap.swapAt(parent, smaller)
                    heapMerged.swapAt(parent, smaller)
                    parent = smaller
                }
            }
            return (Int32(truncatingIfNeeded: top & 0xFFFF_FFFF), topMerged)
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
