/// The tokens a sequence has seen so far, in the form the penalties need: which ids occur in the
/// prompt or the output (repetition penalty) and how often each id occurs in the output
/// (presence and frequency penalties).
///
/// ```swift
/// var history = TokenHistory(prompt: promptIds)
/// let token = sampler.sample(logits: &logits, history: history)
/// history.append(token.id)
/// ```
public struct TokenHistory: Sendable, Equatable {
    /// Every distinct id in the prompt and the generated output.
    private(set) var seen: Set<Int>
    /// How many times each id occurs in the generated output.
    private(set) var generatedCounts: [Int: Int] = [:]
    /// Number of prompt tokens.
    public let promptLength: Int
    /// Number of tokens generated so far.
    public private(set) var generatedLength = 0

    /// Starts a history with the prompt's token ids.
    public init(prompt: some Sequence<Int>) {
        var seen = Set<Int>()
        var length = 0
        for id in prompt {
            seen.insert(id)
            length += 1
        }
        self.seen = seen
        self.promptLength = length
    }

    /// Records one generated token.
    public mutating func append(_ id: Int) {
        seen.insert(id)
        generatedCounts[id, default: 0] += 1
        generatedLength += 1
    }

    /// Whether `id` occurs in the prompt or the generated output.
    public func contains(_ id: Int) -> Bool {
        seen.contains(id)
    }

    /// How many times `id` occurs in the generated output (the prompt is not counted).
    public func generatedCount(of id: Int) -> Int {
        generatedCounts[id] ?? 0
    }
}
