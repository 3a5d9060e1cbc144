import Foundation
import QwenKernels

/// A Qwen2 / Qwen2.5 causal language model in float32 compute, numerically following Hugging Face
/// transformers' `Qwen2ForCausalLM`:
/// `logits = lm_head(norm(blockₙ(…block₁(embed(tokens)))))`.
///
/// A forward pass takes a run of tokens of one sequence, appends their keys and values to that
/// sequence's ``KVCache`` and returns logits. A prompt is processed as one matrix of rows (in
/// chunks of at most ``maxChunkRows``), decoding one token per call. Calls are serialized: the
/// model owns one set of scratch buffers.
///
/// ```swift
/// let model = try Qwen2Model(directory: URL(fileURLWithPath: "Qwen2.5-0.5B-Instruct"))
/// let cache = try model.makeCache(contextLength: 4096)
/// var logits = try model.forward(promptIDs, cache: cache)
/// var sampler = try Sampler(parameters: SamplingParameters())
/// let next = logits.withMutableRow(0) { sampler.sample(logits: $0, history: history) }
/// try model.forward([next.id], cache: cache, into: &logits)
/// ```
public final class Qwen2Model: @unchecked Sendable {
    /// The hyperparameters from `config.json`.
    public let configuration: Qwen2Configuration
    /// The most token rows one pass of the layers processes; longer inputs are split.
    public static let maxChunkRows = 512

    private let weights: WeightStore
    private let embedding: WeightMatrix
    private let blocks: [Qwen2Block]
    private let finalNorm: [Float]
    private let lmHead: WeightMatrix
    private let rope: RotaryEmbedding
    private let pool: ThreadPool
    private let buffers: ForwardBuffers
    private let lock = NSLock()

    /// Loads `config.json` and the safetensors weights of a Hugging Face model directory, and
    /// runs on `threadCount` threads (default: ``ThreadPool/defaultThreadCount``).
    public init(directory: URL, threadCount: Int? = nil) throws {
        if let threadCount, threadCount < 1 {
            throw ModelError.invalidThreadCount(threadCount)
        }
        let c = try Qwen2Configuration.load(from: directory.appendingPathComponent("config.json"))
        configuration = c
        let weights = try WeightStore(directory: directory)
        self.weights = weights
        embedding = try weights.matrix("model.embed_tokens.weight", rows: c.vocabSize, columns: c.hiddenSize)
        blocks = try (0..<c.numHiddenLayers).map { try Qwen2Block(weights: weights, layer: $0, configuration: c) }
        finalNorm = try weights.vector("model.norm.weight", count: c.hiddenSize)
        if c.tieWordEmbeddings || !weights.contains("lm_head.weight") {
            lmHead = embedding
        } else {
            lmHead = try weights.matrix("lm_head.weight", rows: c.vocabSize, columns: c.hiddenSize)
        }
        rope = try RotaryEmbedding(configuration: c)
        pool = ThreadPool(threadCount: threadCount ?? ThreadPool.defaultThreadCount)
        buffers = ForwardBuffers(configuration: c)
    }

    /// A KV cache for one sequence of up to `contextLength` tokens (default:
    /// ``KVCache/defaultContextLength(for:memoryBudget:)``).
    public func makeCache(contextLength: Int? = nil) throws -> KVCache {
        try KVCache(configuration: configuration, contextLength: contextLength)
    }

    /// Runs `tokens` (the continuation of the sequence in `cache`) through the model, appends
    /// them to `cache`, and writes the logits of `positions` into `logits`, reusing its storage.
    ///
    /// Throws ``ModelError/contextLengthExceeded(requested:capacity:)`` when the cache cannot
    /// hold the tokens, ``ModelError/tokenOutOfRange(id:vocabularySize:)`` for an unknown id;
    /// the cache is unchanged when it throws.
    public func forward(
        _ tokens: [Int], cache: KVCache, positions: LogitPositions = .last, into logits: inout Logits
    ) throws {
        try validate(tokens, cache: cache)
        let vocabularySize = configuration.vocabSize
        if logits.vocabularySize != vocabularySize { logits = Logits(vocabularySize: vocabularySize) }
        logits.resize(rows: positions == .all ? tokens.count : 1)

        lock.lock()
        defer { lock.unlock() }
        buffers.reserve(rows: min(tokens.count, Self.maxChunkRows))
        var start = 0
        while start < tokens.count {
            let rowCount = min(buffers.rowCapacity, tokens.count - start)
            runLayers(tokens[start ..< start + rowCount], cache: cache)
            switch positions {
            case .all:
                project(rows: 0 ..< rowCount, into: &logits, firstRow: start)
            case .last where start + rowCount == tokens.count:
                project(rows: rowCount - 1 ..< rowCount, into: &logits, firstRow: 0)
            case .last:
                break
            }
            start += rowCount
        }
    }

    /// Runs `tokens` through the model like ``forward(_:cache:positions:into:)`` and returns
    /// newly allocated logits.
    @discardableResult
    public func forward(_ tokens: [Int], cache: KVCache, positions: LogitPositions = .last) throws -> Logits {
        var logits = Logits(vocabularySize: configuration.vocabSize)
        try forward(tokens, cache: cache, positions: positions, into: &logits)
        return logits
    }

    private func validate(_ tokens: [Int], cache: KVCache) throws {
        guard !tokens.isEmpty else { throw ModelError.emptyInput }
        guard cache.fits(configuration) else { throw ModelError.cacheShapeMismatch }
        let vocabularySize = configuration.vocabSize
        if let bad = tokens.first(where: { !(0 ..< vocabularySize).contains($0) }) {
            throw ModelError.tokenOutOfRange(id: bad, vocabularySize: vocabularySize)
        }
        let (end, overflow) = cache.count.addingReportingOverflow(tokens.count)
        guard !overflow, end <= cache.capacity else {
            throw ModelError.contextLengthExceeded(requested: overflow ? Int.max : end, capacity: cache.capacity)
        }
    }

    /// Embeds the chunk into `buffers.hidden`, runs every block, and commits the chunk to `cache`.
    private func runLayers(_ tokens: ArraySlice<Int>, cache: KVCache) {
        let hiddenSize = configuration.hiddenSize
        for (row, token) in tokens.enumerated() {
            Kernels.row(token, of: embedding, into: buffers.hidden + row * hiddenSize)
        }
        rope.fillTables(positions: cache.count ..< cache.count + tokens.count, cos: buffers.cos, sin: buffers.sin)
        for block in blocks {
            block(rowCount: tokens.count, cache: cache, buffers: buffers, pool: pool)
        }
        cache.advance(by: tokens.count)
    }

    /// Final norm and `lm_head` of the residual `rows`, written to logits rows from `firstRow`.
    private func project(rows: Range<Int>, into logits: inout Logits, firstRow: Int) {
        let hiddenSize = configuration.hiddenSize
        let normed = buffers.normed
        Kernels.rmsNorm(
            buffers.hidden + rows.lowerBound * hiddenSize, weight: finalNorm, epsilon: Float(configuration.rmsNormEps),
            rowCount: rows.count, dimension: hiddenSize, into: normed)
        logits.withMutableRows(firstRow ..< firstRow + rows.count) { output in
            guard let output = output.baseAddress else { return }
            Kernels.linear(normed, rowCount: rows.count, weight: lmHead, bias: nil, into: output, pool: pool)
        }
    }
}
