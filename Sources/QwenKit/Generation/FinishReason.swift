/// Why generation of a sequence ended, spelled as the OpenAI API spells `finish_reason`.
///
/// ```swift
/// let reason = FinishReason.length
/// print(reason.rawValue) // "length"
/// ```
public enum FinishReason: String, Sendable, Codable, CaseIterable {
    /// A stop token (end of sequence, end of turn or a requested stop id) or a stop string was produced.
    case stop
    /// The requested maximum number of new tokens, or the model's context, was reached.
    case length
    /// The model finished its turn with one or more tool calls.
    case toolCalls = "tool_calls"
    /// The caller cancelled the generation before it finished.
    case cancelled
}
