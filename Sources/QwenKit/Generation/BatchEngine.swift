import Foundation

/// Generates many sequences at once by continuous batching: a fixed set of sequence slots, each
/// with its own KV cache, served by one loop thread. Each step admits waiting requests into free
/// slots, prefills new prompts in chunks (at most ``prefillTokenBudget`` tokens per step, so
/// running streams keep flowing), and decodes every running sequence with one row each in a
/// single forward pass (one batched matrix multiply per weight). Requests beyond the slots wait
/// in a first-come queue.
///
/// Prefix caching: a request takes the free slot whose retained tokens share the longest prefix
/// with its prompt (idle slots keep their keys and values until reused, least recently used
/// first), and copies the keys and values of a longer shared prefix from any other slot, running
/// or idle (a shared system prompt, the `n` choices of one request).
///
/// Batching does not change results: every sequence samples with its own state, decode rows and
/// prompt chunks run in separate passes, and chunk sizes depend only on the prompt, so a request
/// gets the same tokens alone or among others (given kernels whose rows are independent).
///
/// ```swift
/// let engine = try BatchEngine(model: model, tokenizer: tokenizer, slotCount: 8, contextLength: 4096)
/// for try await event in engine.generate(prompt: ids, parameters: .greedy) {
///     if case .token(let token) = event { print(token.text, terminator: "") }
/// }
/// ```
public final class BatchEngine: Sendable {
    /// What an engine holds at one moment.
    public struct Load: Sendable, Equatable {
        /// Requests queued for a slot.
        public var waiting = 0
        /// Sequences in slots (prefilling or decoding).
        public var running = 0
        /// KV-cache tokens held by running sequences.
        public var usedTokens = 0
        /// KV-cache tokens idle slots keep for prefix reuse.
        public var cachedTokens = 0
    }

    /// The model every sequence runs through.
    public let model: Qwen2Model
    /// The tokenizer that turns generated ids into text.
    public let tokenizer: Tokenizer
    /// Sequences that run at once.
    public let slotCount: Int
    /// Tokens one sequence's context holds: prompt and generated tokens together.
    public let contextLength: Int
    /// How each sequence's KV cache stores keys and values.
    public let cachePrecision: KVCachePrecision
    /// Most prompt tokens prefilled per step; also the size of a prefill chunk.
    public let prefillTokenBudget: Int
    private let loop: BatchLoop

    /// An engine with `slotCount` sequence slots of `contextLength` tokens each, keys and values
    /// stored in `cachePrecision`.
    ///
    /// Throws ``BatchEngineError`` for a slot count or prefill budget below 1 and
    /// ``ModelError/invalidContextLength(_:)`` for an unusable context length.
    public init(
        model: Qwen2Model, tokenizer: Tokenizer, slotCount: Int, contextLength: Int,
        cachePrecision: KVCachePrecision = .f32, prefillTokenBudget: Int = 256
    ) throws {
        guard slotCount >= 1 else { throw BatchEngineError.invalidSlotCount(slotCount) }
        guard prefillTokenBudget >= 1 else { throw BatchEngineError.invalidPrefillTokenBudget(prefillTokenBudget) }
        self.model = model
        self.tokenizer = tokenizer
        self.slotCount = slotCount
        self.contextLength = contextLength
        self.cachePrecision = cachePrecision
        self.prefillTokenBudget = prefillTokenBudget
        let loop = try BatchLoop(
            model: model, slotCount: slotCount, contextLength: contextLength, cachePrecision: cachePrecision,
            prefillTokenBudget: prefillTokenBudget)
        self.loop = loop
        // Compute runs on a thread of its own, never on Swift's cooperative pool.
        let thread = Thread { loop.run() }
        thread.name = "QwenKit.BatchEngine"
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// An engine with as many slots of `contextLength` tokens as a KV cache of `kvCacheMemory`
    /// bytes holds in `cachePrecision`, at most `maxSlotCount`.
    ///
    /// Throws ``BatchEngineError/kvCacheMemoryTooSmall(bytes:bytesPerSequence:)`` when not even
    /// one context fits, and the errors of
    /// ``init(model:tokenizer:slotCount:contextLength:cachePrecision:prefillTokenBudget:)``.
    ///
    /// ```swift
    /// let engine = try BatchEngine(
    ///     model: model, tokenizer: tokenizer, kvCacheMemory: 4 << 30, contextLength: 8192, cachePrecision: .q8_0)
    /// ```
    public convenience init(
        model: Qwen2Model, tokenizer: Tokenizer, kvCacheMemory: Int, contextLength: Int,
        cachePrecision: KVCachePrecision = .f32, maxSlotCount: Int = .max, prefillTokenBudget: Int = 256
    ) throws {
        guard contextLength >= 1 else { throw ModelError.invalidContextLength(contextLength) }
        let configuration = model.configuration
        let slots = Self.slotCount(
            kvCacheMemory: kvCacheMemory, contextLength: contextLength, configuration: configuration,
            cachePrecision: cachePrecision)
        guard slots >= 1 else {
            throw BatchEngineError.kvCacheMemoryTooSmall(
                bytes: kvCacheMemory,
                bytesPerSequence: Self.kvCacheBytes(
                    slotCount: 1, contextLength: contextLength, configuration: configuration,
                    cachePrecision: cachePrecision))
        }
        try self.init(
            model: model, tokenizer: tokenizer, slotCount: min(slots, maxSlotCount), contextLength: contextLength,
            cachePrecision: cachePrecision, prefillTokenBudget: prefillTokenBudget)
    }

    deinit {
        loop.stop()
    }

    /// How many sequences of `contextLength` tokens a KV cache of `kvCacheMemory` bytes holds for
    /// a model of `configuration` in `cachePrecision` (0 when not even one fits).
    public static func slotCount(
        kvCacheMemory: Int, contextLength: Int, configuration: Qwen2Configuration, cachePrecision: KVCachePrecision = .f32
    ) -> Int {
        let perSequence = kvCacheBytes(
            slotCount: 1, contextLength: contextLength, configuration: configuration, cachePrecision: cachePrecision)
        return perSequence > 0 ? max(kvCacheMemory, 0) / perSequence : 0
    }

    /// Bytes the KV caches of `slotCount` full sequences of `contextLength` tokens take for a model
    /// of `configuration` in `cachePrecision` (`Int.max` when that overflows).
    public static func kvCacheBytes(
        slotCount: Int, contextLength: Int, configuration: Qwen2Configuration, cachePrecision: KVCachePrecision = .f32
    ) -> Int {
        let (tokens, tokensOverflow) = slotCount.multipliedReportingOverflow(by: contextLength)
        let (bytes, bytesOverflow) = tokens.multipliedReportingOverflow(
            by: KVCache.bytesPerToken(for: configuration, precision: cachePrecision))
        return tokensOverflow || bytesOverflow ? .max : bytes
    }

    /// Bytes the slots' KV caches take when full.
    public var kvCacheBytes: Int {
        Self.kvCacheBytes(
            slotCount: slotCount, contextLength: contextLength, configuration: model.configuration,
            cachePrecision: cachePrecision)
    }

    /// The queue, the running sequences and the KV cache in use, as of the last step.
    public var load: Load { loop.load }

    /// Generates a continuation of `prompt` (token ids) once a slot is free. Dropping the stream
    /// (or cancelling the task that consumes it) frees its slot or queue place within one step.
    ///
    /// The stream throws ``ModelError/contextLengthExceeded(requested:capacity:)`` when the prompt
    /// does not fit ``contextLength``, ``ModelError/tokenOutOfRange(id:vocabularySize:)`` for an
    /// unknown id, ``ModelError/emptyInput`` for an empty prompt and ``SamplingParametersError``
    /// for parameters out of range. A `constraint` limits the output to one JSON object.
    public func generate(
        prompt: [Int], parameters: SamplingParameters, constraint: JSONObjectConstraint? = nil
    ) -> AsyncThrowingStream<GenerationEvent, any Error> {
        AsyncThrowingStream { continuation in
            start([GenerationRequest(prompt: prompt, parameters: parameters, constraint: constraint)],
                sinks: [GenerationSink(continuation)], onFailure: { continuation.finish(throwing: $0) },
                setTermination: { handler in continuation.onTermination = { _ in handler() } })
        }
    }

    /// Generates a continuation of each request together (the `n` choices of one API request),
    /// with the events of all of them in one stream, each tagged with the index of its request,
    /// in the order the engine produces them: the tokens of sequences decoded in the same step
    /// arrive one after the other, in request order, before any token of the next step. The
    /// requests are queued at once, so when enough slots are free they start in the same step.
    ///
    /// The stream ends after the last sequence's ``GenerationEvent/finished(_:)``; it throws the
    /// errors of ``generate(prompt:parameters:constraint:)`` (for any request, before any
    /// starts). Dropping it cancels every sequence.
    ///
    /// ```swift
    /// let requests = (0..<2).map { GenerationRequest(prompt: ids, parameters: .greedy) }
    /// for try await (index, event) in engine.generate(requests) { ... }
    /// ```
    public func generate(
        _ requests: [GenerationRequest]
    ) -> AsyncThrowingStream<(index: Int, event: GenerationEvent), any Error> {
        AsyncThrowingStream { continuation in
            guard !requests.isEmpty else { return continuation.finish() }
            start(requests, sinks: GenerationSink.group(count: requests.count, continuation),
                onFailure: { continuation.finish(throwing: $0) },
                setTermination: { handler in continuation.onTermination = { _ in handler() } })
        }
    }

    /// Checks `requests` and queues them as sequences reporting to `sinks`; on a bad request calls
    /// `onFailure` and queues none. `setTermination` installs what the stream runs when it ends:
    /// cancelling the sequences, which frees the slots of those still running (a consumer gone or
    /// a failed sibling) and does nothing to finished ones.
    private func start(
        _ requests: [GenerationRequest], sinks: [GenerationSink], onFailure: (any Error) -> Void,
        setTermination: (@escaping @Sendable () -> Void) -> Void
    ) {
        let vocabularySize = model.configuration.vocabSize
        let sequences: [BatchSequence]
        do {
            sequences = try zip(requests, sinks).map { request, sink in
                if let bad = request.prompt.first(where: { !(0..<vocabularySize).contains($0) }) {
                    throw ModelError.tokenOutOfRange(id: bad, vocabularySize: vocabularySize)
                }
                let decoder = try SequenceDecoder(
                    prompt: request.prompt, parameters: request.parameters, constraint: request.constraint,
                    tokenizer: tokenizer, vocabularySize: vocabularySize, contextLength: contextLength)
                return BatchSequence(prompt: request.prompt, decoder: decoder, sink: sink)
            }
        } catch {
            onFailure(error)
            return
        }
        // Holds the engine while the stream lives.
        setTermination { [self] in
            for sequence in sequences { sequence.cancel() }
            loop.wake()
        }
        loop.submit(sequences)
    }
}
