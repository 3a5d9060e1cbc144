import Foundation

/// Log-probabilities of one row of logits: `logit − log Σ exp(logits)`.
struct LogSoftmax {
    /// `log Σ exp(logits)`, computed around the maximum so nothing overflows.
    let logNormalizer: Float

    init(_ logits: UnsafeMutableBufferPointer<Float>) {
        var maximum = -Float.infinity
        for logit in logits where logit > maximum {
            maximum = logit
        }
        var sum = 0.0
        for logit in logits where !logit.isNaN {
            sum += Double(exp(logit - maximum))
        }
        logNormalizer = maximum + Float(log(sum))
    }

    /// The log-probability of a token whose logit is `logit`.
    func callAsFunction(_ logit: Float) -> Float {
        logit - logNormalizer
    }

    /// The `count` most likely tokens, most likely first, ties by lower id.
    func top(_ count: Int, of logits: UnsafeMutableBufferPointer<Float>) -> [TokenLogprob] {
        guard count > 0 else { return [] }
        var best: [TokenLogprob] = []
        best.reserveCapacity(count + 1)
        for (id, logit) in logits.enumerated() {
            guard best.count < count || logit > best[best.count - 1].logprob else { continue }
            let position = best.firstIndex { logit > $0.logprob } ?? best.count
            best.insert(TokenLogprob(id: id, logprob: logit), at: position)
            if best.count > count { best.removeLast() }
        }
        return best.map { TokenLogprob(id: $0.id, logprob: self($0.logprob)) }
    }
}
