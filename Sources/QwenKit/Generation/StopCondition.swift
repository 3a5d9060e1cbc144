/// Decides after each new token whether a sequence is finished, at the token level: a stop token
/// (the model's end-of-sequence ids and ``SamplingParameters/stopTokenIds``) or the token budget.
/// Stop strings are found in the text by ``StopSequenceMatcher``.
///
/// ```swift
/// let condition = StopCondition(parameters: parameters, endOfSequenceIds: [151645, 151643],
///                               contextRoom: contextLength - promptIds.count)
/// if let reason = condition.finishReason(after: token.id, generatedCount: history.generatedLength) { ... }
/// ```
public struct StopCondition: Sendable, Equatable {
    /// Ids that end the sequence when generated; they are not part of the returned text.
    public let stopTokenIds: Set<Int>
    /// Most new tokens allowed: ``SamplingParameters/maxTokens`` capped by the room left in the
    /// context; nil when neither limits it.
    public let tokenLimit: Int?

    /// Combines the request's stop ids and `max_tokens` with the model's end-of-sequence ids and
    /// the room left in its context (`contextRoom`, nil when unknown).
    public init(parameters: SamplingParameters, endOfSequenceIds: some Sequence<Int>, contextRoom: Int? = nil) {
        stopTokenIds = parameters.stopTokenIds.union(endOfSequenceIds)
        switch (parameters.maxTokens, contextRoom) {
        case (let requested?, let room?): tokenLimit = min(requested, room)
        case (let requested?, nil): tokenLimit = requested
        case (nil, let room): tokenLimit = room
        }
    }

    /// Why the sequence ends with `token`, the `generatedCount`-th new token, or nil to go on.
    /// A stop token wins over the budget, so a natural end on the last allowed token is `.stop`.
    public func finishReason(after token: Int, generatedCount: Int) -> FinishReason? {
        if stopTokenIds.contains(token) { return .stop }
        if let tokenLimit, generatedCount >= tokenLimit { return .length }
        return nil
    }
}
