/// What a running generation reports, in order: one ``token(_:)`` per generated token, then one
/// ``finished(_:)``.
public enum GenerationEvent: Sendable {
    /// A new token and the text it completes (empty while a character or a possible stop
    /// string is still incomplete).
    case token(GeneratedToken)
    /// Generation ended; the summary says why and how fast.
    case finished(GenerationSummary)
}

/// One generated token as reported by a ``Generator``.
public struct GeneratedToken: Sendable, Hashable {
    /// The token as sampled, with its log-probability and alternatives when they were asked for.
    public var sample: SampledToken
    /// The text this token makes available to the caller (stop strings already cut).
    public var text: String

    /// The token id.
    public var id: Int { sample.id }

    public init(sample: SampledToken, text: String) {
        self.sample = sample
        self.text = text
    }
}

/// Why and how a generation ended, with token counts and speeds.
public struct GenerationSummary: Sendable, Hashable {
    /// `stop` (an end-of-sequence id or a stop string), `length` (token limit or full context)
    /// or `cancelled`.
    public var finishReason: FinishReason
    /// The stop string that ended generation, if one did.
    public var stopString: String?
    /// Tokens of the prompt.
    public var promptTokens: Int
    /// Prompt tokens that were run through the model (the rest came from the cache).
    public var prefilledTokens: Int
    /// Tokens generated, the final stop token included.
    public var completionTokens: Int
    /// Seconds spent on the prompt, up to the first token.
    public var prefillSeconds: Double
    /// Seconds spent generating the tokens after the first.
    public var decodeSeconds: Double

    /// Prompt tokens run per second.
    public var prefillTokensPerSecond: Double {
        prefillSeconds > 0 ? Double(prefilledTokens) / prefillSeconds : 0
    }

    /// Tokens generated per second after the first.
    public var decodeTokensPerSecond: Double {
        decodeSeconds > 0 ? Double(max(completionTokens - 1, 0)) / decodeSeconds : 0
    }
}
