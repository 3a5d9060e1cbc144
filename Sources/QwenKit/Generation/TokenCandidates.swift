import Foundation

/// The tokens still eligible for sampling at one step, with their weights; narrowed by top-k,
/// top-p and min-p in that order, then drawn from.
///
/// Buffers are kept between steps, so a sampler allocates nothing per token once warm.
struct TokenCandidates {
    /// Candidate token ids.
    private(set) var ids: [Int32] = []
    /// Scaled logits after ``collect(logits:temperature:topK:)``; relative probabilities
    /// `exp(scaled − max)`, the largest exactly 1, after ``exponentiate()``.
    private(set) var weights: [Float] = []
    private var order: [Int32] = []
    private var keptIds: [Int32] = []
    private var keptWeights: [Float] = []
    private var heap: [Float] = []

    /// Takes `logits / temperature` (as transformers' `TemperatureLogitsWarper` divides) and keeps
    /// every token whose scaled logit is at least the `topK`-th largest, so ties at the boundary
    /// stay, as in transformers' `TopKLogitsWarper`. `topK` 0 keeps all.
    mutating func collect(logits: UnsafeMutableBufferPointer<Float>, temperature: Float, topK: Int) {
        ids.removeAll(keepingCapacity: true)
        weights.removeAll(keepingCapacity: true)
        if topK > 0 && topK < logits.count {
            let threshold = kthLargest(topK, of: logits, temperature: temperature)
            for id in logits.indices {
                let scaled = logits[id] / temperature
                if scaled >= threshold {
                    ids.append(Int32(id))
                    weights.append(scaled)
                }
            }
        } else {
            for id in logits.indices {
                ids.append(Int32(id))
                weights.append(logits[id] / temperature)
            }
        }
    }

    /// Turns scaled logits into weights relative to the most likely candidate; NaN logits get
    /// weight 0.
    mutating func exponentiate() {
        var maximum = -Float.infinity
        for weight in weights where weight > maximum {
            maximum = weight
        }
        for index in weights.indices {
            let weight = weights[index]
            let relative = weight == maximum ? 1 : exp(weight - maximum)
            weights[index] = relative.isNaN ? 0 : relative
        }
    }

    /// transformers' `TopPLogitsWarper`: keeps, most likely first, each token whose more likely
    /// predecessors hold less than `topP` of the probability (the smallest set whose mass reaches
    /// `topP`; the most likely token always stays). Ties in probability are ordered by id, lower
    /// first (PyTorch leaves their order unspecified). Leaves candidates sorted most likely first.
    ///
    /// Only tokens above a weight cutoff are sorted; the cutoff is lowered until the kept set is
    /// decided inside the sorted tokens, so a peaked distribution costs one pass and a short sort.
    mutating func keepTopP(_ topP: Float) {
        let total = weights.reduce(0) { $0 + Double($1) }
        let target = Double(topP) * total
        var keptCount = 0
        for cutoff: Float in [1e-3, 1e-6, 1e-12, -1] {
            sortCandidates(above: cutoff)
            var mass = 0.0
            keptCount = 0
            for index in order {
                guard mass < target else { break }
                mass += Double(weights[Int(index)])
                keptCount += 1
            }
            if mass >= target { break }
        }
        keptIds.removeAll(keepingCapacity: true)
        keptWeights.removeAll(keepingCapacity: true)
        for index in order.prefix(keptCount) {
            keptIds.append(ids[Int(index)])
            keptWeights.append(weights[Int(index)])
        }
        swap(&ids, &keptIds)
        swap(&weights, &keptWeights)
    }

    /// transformers' `MinPLogitsWarper`: drops tokens whose probability is below `minP` times the
    /// most likely token's (that is, relative weight below `minP`; equal stays).
    mutating func keepMinP(_ minP: Float) {
        var kept = 0
        for index in ids.indices where !(weights[index] < minP) {
            ids[kept] = ids[index]
            weights[kept] = weights[index]
            kept += 1
        }
        ids.removeLast(ids.count - kept)
        weights.removeLast(weights.count - kept)
    }

    /// The candidate at which the cumulative weight first exceeds `unit` × total weight,
    /// `unit` in [0, 1).
    func draw(unit: Double) -> Int {
        let total = weights.reduce(0) { $0 + Double($1) }
        let target = unit * total
        var cumulative = 0.0
        var last = 0
        for index in weights.indices where weights[index] > 0 {
            cumulative += Double(weights[index])
            last = index
            if cumulative > target { break }
        }
        return ids.isEmpty ? 0 : Int(ids[last])
    }

    /// The `k`-th largest of `logits / temperature` (counting repeated values), with a min-heap
    /// of `k` values: one comparison per token once the heap is full.
    private mutating func kthLargest(
        _ k: Int, of logits: UnsafeMutableBufferPointer<Float>, temperature: Float
    ) -> Float {
        heap.removeAll(keepingCapacity: true)
        for value in logits {
            let scaled = value / temperature
            guard !scaled.isNaN else { continue }
            if heap.count < k {
                heap.append(scaled)
                siftUp(heap.count - 1)
            } else if scaled > heap[0] {
                heap[0] = scaled
                siftDown(0)
            }
        }
        return heap.count == k ? heap[0] : -.infinity
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            let smaller = right < heap.count && heap[right] < heap[left] ? right : left
            guard heap[smaller] < heap[parent] else { return }
            heap.swapAt(smaller, parent)
            parent = smaller
        }
    }

    /// Fills `order` with the indices of candidates whose weight is above `cutoff`, most likely
    /// first, ties by lower token id.
    private mutating func sortCandidates(above cutoff: Float) {
        order.removeAll(keepingCapacity: true)
        for index in weights.indices where weights[index] > cutoff {
            order.append(Int32(index))
        }
        ids.withUnsafeBufferPointer { ids in
            weights.withUnsafeBufferPointer { weights in
                order.sort { a, b in
                    let (wa, wb) = (weights[Int(a)], weights[Int(b)])
                    return wa > wb || (wa == wb && ids[Int(a)] < ids[Int(b)])
                }
            }
        }
    }
}
