/// The per-token work of one sequence being generated, apart from running the model: given the
/// logits that predict its next token, it applies the JSON constraint, samples, updates the
/// penalty history, detokenizes, matches stop strings and decides whether the sequence is done.
///
/// ``Generator`` drives one decoder; ``BatchEngine`` drives one per sequence slot, so a sequence
/// gets the same tokens (and, with a seed, the same random draws) whichever loop runs it.
///
/// ```swift
/// var decoder = try SequenceDecoder(prompt: ids, parameters: .greedy, tokenizer: tokenizer,
///                                   vocabularySize: 151_936, contextLength: cache.capacity)
/// var logits = try model.forward(ids, cache: cache)
/// while true {
///     let token = logits.withMutableRow(0) { decoder.decode(logits: $0) }
///     print(token.text, terminator: "")
///     if decoder.isFinished { break }
///     try model.forward([token.id], cache: cache, into: &logits)
/// }
/// ```
public struct SequenceDecoder: Sendable {
    /// Tokens of the prompt.
    public let promptLength: Int
    /// Tokens generated so far, the final stop token included.
    public private(set) var completionTokens = 0
    /// Why the sequence ended; nil while it goes on.
    public private(set) var finishReason: FinishReason?
    /// The stop string that ended the sequence, if one did.
    public private(set) var stopString: String?

    private let parameters: SamplingParameters
    private var sampler: Sampler
    private var constraint: JSONObjectConstraint?
    private var history: TokenHistory
    private var detokenizer: StreamingDetokenizer
    private var stops: StopSequenceMatcher
    private let stopCondition: StopCondition

    /// A decoder for the continuation of `prompt` by a model of `vocabularySize` tokens, in a
    /// context of `contextLength` tokens (which caps the number of new tokens). A `constraint`
    /// limits the output to one JSON object.
    ///
    /// Throws ``ModelError/emptyInput`` for an empty prompt,
    /// ``ModelError/contextLengthExceeded(requested:capacity:)`` when the prompt does not fit, and
    /// ``SamplingParametersError`` for parameters out of range.
    public init(
        prompt: [Int], parameters: SamplingParameters, constraint: JSONObjectConstraint? = nil,
        tokenizer: Tokenizer, vocabularySize: Int, contextLength: Int
    ) throws {
        guard !prompt.isEmpty else { throw ModelError.emptyInput }
        guard prompt.count <= contextLength else {
            throw ModelError.contextLengthExceeded(requested: prompt.count, capacity: contextLength)
        }
        try parameters.validate(vocabularySize: vocabularySize)
        self.parameters = parameters
        sampler = try Sampler(parameters: parameters)
        self.constraint = constraint
        promptLength = prompt.count
        history = TokenHistory(prompt: prompt)
        detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        stops = StopSequenceMatcher(stopStrings: parameters.stopStrings)
        // The last token never needs a cache row, so a full context still yields one more token.
        stopCondition = StopCondition(
            parameters: parameters, endOfSequenceIds: [], contextRoom: contextLength - prompt.count + 1)
    }

    /// Whether the sequence has ended (see ``finishReason``).
    public var isFinished: Bool { finishReason != nil }

    /// Chooses the next token from `logits` (the row that predicts it; edited in place by the
    /// constraint, penalties and bias) and returns it with the text it makes available.
    /// Afterwards ``isFinished`` says whether this was the last token. Must not be called once
    /// the sequence is finished.
    public mutating func decode(logits: UnsafeMutableBufferPointer<Float>) -> GeneratedToken {
        precondition(!isFinished, "SequenceDecoder.decode after the sequence finished")
        constraint?.mask(logits, stopTokenIds: parameters.stopTokenIds)
        let token = sampler.sample(logits: logits, history: history)
        constraint?.accept(token.id)
        history.append(token.id)
        completionTokens += 1
        let finish = stopCondition.finishReason(after: token.id, generatedCount: completionTokens)
        var output: StopSequenceMatcher.Output
        if finish == .stop {
            output = drain()
        } else {
            output = stops.append(detokenizer.append(token.id))
            if finish == .length && !output.isStopped {
                let rest = drain()
                output = StopSequenceMatcher.Output(text: output.text + rest.text, stopString: rest.stopString)
            }
        }
        if let stop = output.stopString {
            finishReason = .stop
            stopString = stop
        } else {
            finishReason = finish
        }
        return GeneratedToken(sample: token, text: output.text)
    }

    /// The summary of the sequence so far: ``FinishReason/cancelled`` while it has not finished.
    public func summary(prefilledTokens: Int, prefillSeconds: Double, decodeSeconds: Double) -> GenerationSummary {
        var summary = GenerationSummary(
            finishReason: finishReason ?? .cancelled, promptTokens: promptLength, prefilledTokens: prefilledTokens,
            completionTokens: completionTokens, prefillSeconds: prefillSeconds, decodeSeconds: decodeSeconds)
        summary.stopString = stopString
        return summary
    }

    /// The text still held by the detokenizer and the stop-string matcher at the end.
    private mutating func drain() -> StopSequenceMatcher.Output {
        let rest = stops.append(detokenizer.finish())
        return rest.isStopped ? rest : StopSequenceMatcher.Output(text: rest.text + stops.finish())
    }
}
