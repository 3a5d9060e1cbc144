/// The logit transformations that run before truncation and sampling, in the order
/// transformers' `generate` applies them: ``applyRepetitionPenalty(_:to:history:)`` first, then
/// ``applyAdditiveAdjustments(_:to:history:)`` (logit bias, presence and frequency penalties).
///
/// Each works in place on one row of logits and touches only the ids it concerns; ids outside
/// the row are ignored.
///
/// ```swift
/// logits.withUnsafeMutableBufferPointer { row in
///     LogitProcessor.applyRepetitionPenalty(1.05, to: row, history: history)
/// }
/// ```
public enum LogitProcessor {
    /// transformers' `RepetitionPenaltyLogitsProcessor`: for every id in the prompt or the output,
    /// a logit below 0 is multiplied by `penalty`, any other is divided by it.
    public static func applyRepetitionPenalty(
        _ penalty: Float, to logits: UnsafeMutableBufferPointer<Float>, history: TokenHistory
    ) {
        guard penalty != 1 else { return }
        for id in history.seen where logits.indices.contains(id) {
            let logit = logits[id]
            logits[id] = logit < 0 ? logit * penalty : logit / penalty
        }
    }

    /// Adds ``SamplingParameters/logitBias`` and subtracts OpenAI's penalties,
    /// `frequencyPenalty × count + presencePenalty × (count > 0)`, where `count` is how often an id
    /// was generated (prompt tokens are not counted, as in OpenAI's API and vLLM).
    public static func applyAdditiveAdjustments(
        _ parameters: SamplingParameters, to logits: UnsafeMutableBufferPointer<Float>, history: TokenHistory
    ) {
        for (id, bias) in parameters.logitBias where logits.indices.contains(id) {
            logits[id] += bias
        }
        let presence = parameters.presencePenalty
        let frequency = parameters.frequencyPenalty
        guard presence != 0 || frequency != 0 else { return }
        for (id, count) in history.generatedCounts where logits.indices.contains(id) {
            logits[id] -= frequency * Float(count) + presence
        }
    }
}
