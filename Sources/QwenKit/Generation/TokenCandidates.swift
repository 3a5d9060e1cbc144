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
    private var binMass: [Double] = []

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
    /// first (PyTorch leaves their order unspecified).
    ///
    /// Instead of sorting the whole vocabulary, weights are binned by the top bits of their IEEE
    /// representation (which orders positive floats exactly); whole bins above the one where the
    /// mass reaches `topP` are kept, and only that boundary bin is sorted.
    mutating func keepTopP(_ topP: Float) {
        binMass.removeAll(keepingCapacity: true)
        binMass.append(contentsOf: repeatElement(0, count: Self.bin(of: 1) + 1))
        var total = 0.0
        for weight in weights {
            binMass[Self.bin(of: weight)] += Double(weight)
            total += Double(weight)
        }
        let target = Double(topP) * total
        var massAbove = 0.0
        var boundary = 0
        for bin in stride(from: binMass.count - 1, through: 0, by: -1) {
            boundary = bin
            if massAbove + binMass[bin] >= target { break }
            massAbove += binMass[bin]
        }

        keptIds.removeAll(keepingCapacity: true)
        keptWeights.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
        for index in weights.indices {
            let bin = Self.bin(of: weights[index])
            if bin > boundary {
                keptIds.append(ids[index])
                keptWeights.append(weights[index])
            } else if bin == boundary {
                order.append(Int32(index))
            }
        }
        sortOrderByLikelihood()
        var mass = massAbove
        for index in order {
            guard mass < target else { break }
            keptIds.append(ids[Int(index)])
            keptWeights.append(weights[Int(index)])
            mass += Double(weights[Int(index)])
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

    /// Bin of a weight in [0, 1]: its bit pattern's top 16 bits, which order non-negative floats.
    private static func bin(of weight: Float) -> Int {
        Int(weight.bitPattern >> 16)
    }

    /// Sorts `order` (indices of candidates) most likely first, ties by lower token id.
    private mutating func sortOrderByLikelihood() {
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
