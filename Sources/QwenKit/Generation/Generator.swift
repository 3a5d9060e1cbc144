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
    /// capped by available memory) whose KV cache stores keys and values in `cachePrecision`.
    public init(
        model: Qwen2Model, tokenizer: Tokenizer, contextLength: Int? = nil, cachePrecision: KVCachePrecision = .f32
    ) throws {
        self.model = model
        self.tokenizer = tokenizer
        cache = try model.makeCache(contextLength: contextLength, precision: cachePrecision)
    }

    /// The number of tokens the context holds: prompt and generated tokens together.
    public var contextLength: Int { cache.capacity }

    /// How the KV cache stores keys and values.
    public var cachePrecision: KVCachePrecision { cache.precision }

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
        var decoder = try SequenceDecoder(
            prompt: prompt, parameters: parameters, constraint: constraint, tokenizer: tokenizer,
            vocabularySize: model.configuration.vocabSize, contextLength: cache.capacity)
        lock.lock()
        defer { lock.unlock() }

        let prefillStart = DispatchTime.now()
        let reused = try reusePrefix(of: prompt)
        var logits = try model.forward(Array(prompt[reused...]), cache: cache)
        cachedTokens = prompt
        let prefillSeconds = DispatchTime.now().seconds(since: prefillStart)

        let decodeStart = DispatchTime.now()
        while !Task.isCancelled {
            let token = logits.withMutableRow(logits.rowCount - 1) { decoder.decode(logits: $0) }
            onToken(token)
            if decoder.isFinished { break }
            try model.forward([token.id], cache: cache, into: &logits)
            cachedTokens.append(token.id)
        }
        return decoder.summary(
            prefilledTokens: prompt.count - reused, prefillSeconds: prefillSeconds,
            decodeSeconds: DispatchTime.now().seconds(since: decodeStart))
    }

    /// Keeps the cached keys and values of the longest prefix shared with `prompt`, leaving
    /// at least one prompt token to run so that there are logits to sample from.
    private func reusePrefix(of prompt: [Int]) throws -> Int {
        let shared = min(cachedTokens.commonPrefixLength(with: prompt), cache.count, prompt.count - 1)
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
