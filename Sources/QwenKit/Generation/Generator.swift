import Foundation

/// Runs the decode loop of one sequence: prefill the prompt as a matrix, then sample, feed back
/// and detokenize one token at a time, honouring every stop condition.
///
/// A generator owns one KV cache and reuses the longest prefix it shares with the previous
/// request (a chat that grows turn by turn is only prefilled with its new tokens). It runs one
/// generation at a time; further calls wait for the running one.
///
/// ```swift
/// let generator = try Generator(model: model, tokenizer: tokenizer)
/// for try await event in generator.generate(prompt: ids, parameters: .greedy) {
///     if case .token(let token) = event { print(token.text, terminator: "") }
/// }
/// ```
public final class Generator: @unchecked Sendable {
    /// The model tokens run through.
    public let model: Qwen2Model
    /// The tokenizer that turns generated ids into text.
    public let tokenizer: Tokenizer
    private let cache: KVCache
    private var cachedTokens: [Int] = []
    private let lock = NSLock()

    /// A generator with a context of `contextLength` tokens (default: the model's maximum,
    /// capped by available memory).
    public init(model: Qwen2Model, tokenizer: Tokenizer, contextLength: Int? = nil) throws {
        self.model = model
        self.tokenizer = tokenizer
        cache = try model.makeCache(contextLength: contextLength)
    }

    /// The number of tokens the context holds: prompt and generated tokens together.
    public var contextLength: Int { cache.capacity }

    /// Generates a continuation of `prompt` (token ids). Cancelling the consuming task (or
    /// dropping the stream) stops generation within one token.
    ///
    /// Throws ``ModelError/contextLengthExceeded(requested:capacity:)`` when the prompt does
    /// not fit, ``SamplingParametersError`` for parameters out of range. A `constraint` limits
    /// the output to one JSON object.
    public func generate(
        prompt: [Int], parameters: SamplingParameters, constraint: JSONObjectConstraint? = nil
    ) -> AsyncThrowingStream<GenerationEvent, Error> {
        AsyncThrowingStream { continuation in
            let task = Task.detached { [self] in
                do {
                    let summary = try run(prompt: prompt, parameters: parameters, constraint: constraint) { token in
                        continuation.yield(.token(token))
                    }
                    continuation.yield(.finished(summary))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Generates synchronously on the calling thread, reporting each token to `onToken`;
    /// returns the summary. Checks `Task.isCancelled` between tokens.
    public func run(
        prompt: [Int], parameters: SamplingParameters, constraint: JSONObjectConstraint? = nil,
        onToken: (GeneratedToken) -> Void
    ) throws -> GenerationSummary {
        var constraint = constraint
        guard !prompt.isEmpty else { throw ModelError.emptyInput }
        try parameters.validate(vocabularySize: model.configuration.vocabSize)
        var sampler = try Sampler(parameters: parameters)
        lock.lock()
        defer { lock.unlock() }

        let prefillStart = DispatchTime.now()
        let reused = try reusePrefix(of: prompt)
        var logits = try model.forward(Array(prompt[reused...]), cache: cache)
        cachedTokens = prompt
        var summary = GenerationSummary(
            finishReason: .length, promptTokens: prompt.count, prefilledTokens: prompt.count - reused,
            completionTokens: 0, prefillSeconds: DispatchTime.now().seconds(since: prefillStart),
            decodeSeconds: 0)

        var history = TokenHistory(prompt: prompt)
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        var stops = StopSequenceMatcher(stopStrings: parameters.stopStrings)
        // Each token after the first needs a cache row for its predecessor.
        let stopCondition = StopCondition(
            parameters: parameters, endOfSequenceIds: [], contextRoom: cache.capacity - cache.count + 1)
        let decodeStart = DispatchTime.now()

        while true {
            if Task.isCancelled {
                summary.finishReason = .cancelled
                break
            }
            let token = logits.withMutableRow(logits.rowCount - 1) { row in
                constraint?.mask(row, stopTokenIds: parameters.stopTokenIds)
                return sampler.sample(logits: row, history: history)
            }
            constraint?.accept(token.id)
            history.append(token.id)
            summary.completionTokens += 1
            let finish = stopCondition.finishReason(after: token.id, generatedCount: summary.completionTokens)
            var output: StopSequenceMatcher.Output
            if finish == .stop {
                output = Self.drain(&detokenizer, through: &stops)
            } else {
                output = stops.append(detokenizer.append(token.id))
                if finish == .length && !output.isStopped {
                    let rest = Self.drain(&detokenizer, through: &stops)
                    output = StopSequenceMatcher.Output(text: output.text + rest.text, stopString: rest.stopString)
                }
            }
            onToken(GeneratedToken(sample: token, text: output.text))
            if let stopString = output.stopString {
                summary.finishReason = .stop
                summary.stopString = stopString
            } else if let finish {
                summary.finishReason = finish
            } else {
                try model.forward([token.id], cache: cache, into: &logits)
                cachedTokens.append(token.id)
                continue
            }
            break
        }
        summary.decodeSeconds = DispatchTime.now().seconds(since: decodeStart)
        return summary
    }

    /// The text still held by the detokenizer and the stop-string matcher at the end.
    private static func drain(
        _ detokenizer: inout StreamingDetokenizer, through stops: inout StopSequenceMatcher
    ) -> StopSequenceMatcher.Output {
        let rest = stops.append(detokenizer.finish())
        return rest.isStopped ? rest : StopSequenceMatcher.Output(text: rest.text + stops.finish())
    }

    /// Keeps the cached keys and values of the longest prefix shared with `prompt`, leaving
    /// at least one prompt token to run so that there are logits to sample from.
    private func reusePrefix(of prompt: [Int]) throws -> Int {
        guard prompt.count <= cache.capacity else {
            throw ModelError.contextLengthExceeded(requested: prompt.count, capacity: cache.capacity)
        }
        var shared = 0
        let limit = min(cachedTokens.count, cache.count, prompt.count - 1)
        while shared < limit && cachedTokens[shared] == prompt[shared] { shared += 1 }
        try cache.truncate(to: shared)
        cachedTokens.removeSubrange(shared...)
        return shared
    }
}

extension DispatchTime {
    /// Seconds elapsed between `start` and this time.
    func seconds(since start: DispatchTime) -> Double {
        Double(uptimeNanoseconds &- start.uptimeNanoseconds) / 1e9
    }
}
