import Foundation
import QwenKernels

/// A Qwen2 / Qwen2.5 causal language model in float32 compute, numerically following Hugging Face
/// transformers' `Qwen2ForCausalLM`:
/// `logits = lm_head(norm(blockₙ(…block₁(embed(tokens)))))`. Llama models (SmolLM2) are the same
/// network without q/k/v biases (see ``ModelArchitecture``).
///
/// A forward pass takes a run of tokens of one sequence, appends their keys and values to that
/// sequence's ``KVCache`` and returns logits. A prompt is processed as one matrix of rows (in
/// chunks of at most ``maxChunkRows``), decoding one token per call; several sequences can share
/// one pass (``forward(_:positions:into:)``). Calls are serialized: the model owns one set of
/// scratch buffers.
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

    /// Keeps the memory-mapped weight files alive for the matrices below.
    private let weights: any WeightSource
    private let embedding: WeightMatrix
    private let blocks: [Qwen2Block]
    private let finalNorm: [Float]
    private let lmHead: WeightMatrix
    private let rope: RotaryEmbedding
    private let pool: ThreadPool
    private let buffers: ForwardBuffers
    private let lock = NSLock()

    /// Loads `config.json` and the safetensors weights of a Hugging Face model directory, and
    /// runs on `threadCount` threads (default: QwenKernels' `ThreadPool.defaultThreadCount`). `progress`, when
    /// given, is called after each part of the model is ready (see ``LoadProgress``).
    public convenience init(
        directory: URL, threadCount: Int? = nil, progress: ((LoadProgress) -> Void)? = nil
    ) throws {
        try Self.checkThreadCount(threadCount)
        let configuration = try Qwen2Configuration.load(from: directory.appendingPathComponent("config.json"))
        try self.init(
            configuration: configuration, weights: WeightStore(directory: directory), threadCount: threadCount,
            progress: progress)
    }

    /// Loads a Qwen2 or Llama GGUF file (hyperparameters from its metadata, float or
    /// block-quantized tensors used in place) and runs on `threadCount` threads.
    ///
    /// ```swift
    /// let model = try Qwen2Model(gguf: GGUFFile(url: URL(fileURLWithPath: "qwen2.5-0.5b-q8_0.gguf")))
    /// ```
    public convenience init(
        gguf: GGUFFile, threadCount: Int? = nil, progress: ((LoadProgress) -> Void)? = nil
    ) throws {
        try Self.checkThreadCount(threadCount)
        try self.init(
            configuration: Qwen2Configuration(gguf: gguf), weights: GGUFWeights(file: gguf), threadCount: threadCount,
            progress: progress)
    }

    /// Loads the model at a ``ModelLocation``: a Hugging Face directory or a GGUF file.
    public convenience init(
        location: ModelLocation, threadCount: Int? = nil, progress: ((LoadProgress) -> Void)? = nil
    ) throws {
        switch location {
        case .directory(let directory): try self.init(directory: directory, threadCount: threadCount, progress: progress)
        case .gguf(let url): try self.init(gguf: GGUFFile(url: url), threadCount: threadCount, progress: progress)
        }
    }

    /// A model of `configuration` whose tensors, under their Hugging Face names, come from `weights`;
    /// `progress`, when given, is called after each part is ready.
    public init(
        configuration c: Qwen2Configuration, weights: any WeightSource, threadCount: Int? = nil,
        progress: ((LoadProgress) -> Void)? = nil
    ) throws {
        try Self.checkThreadCount(threadCount)
        let total = c.numHiddenLayers + 2
        var completed = 0
        func finished(_ step: LoadProgress.Step) {
            completed += 1
            progress?(LoadProgress(step: step, completed: completed, total: total))
        }
        configuration = c
        self.weights = weights
        embedding = try weights.matrix("model.embed_tokens.weight", rows: c.vocabSize, columns: c.hiddenSize)
        finished(.embedding)
        blocks = try (0..<c.numHiddenLayers).map { layer in
            let block = try Qwen2Block(weights: weights, layer: layer, configuration: c)
            finished(.layer(layer))
            return block
        }
        finalNorm = try weights.vector("model.norm.weight", count: c.hiddenSize)
        if c.tieWordEmbeddings || !weights.contains("lm_head.weight") {
            lmHead = embedding
        } else {
            lmHead = try weights.matrix("lm_head.weight", rows: c.vocabSize, columns: c.hiddenSize)
        }
        finished(.outputHead)
        rope = try RotaryEmbedding(configuration: c)
        pool = ThreadPool(threadCount: threadCount ?? ThreadPool.defaultThreadCount)
        buffers = ForwardBuffers(configuration: c)
    }

    private static func checkThreadCount(_ threadCount: Int?) throws {
        if let threadCount, threadCount < 1 {
            throw ModelError.invalidThreadCount(threadCount)
        }
    }

    /// A KV cache for one sequence of up to `contextLength` tokens (default:
    /// ``KVCache/defaultContextLength(for:precision:memoryBudget:)``), storing keys and values in
    /// `precision`.
    public func makeCache(contextLength: Int? = nil, precision: KVCachePrecision = .f32) throws -> KVCache {
        try KVCache(configuration: configuration, contextLength: contextLength, precision: precision)
    }

    /// Runs one token through every layer on a throwaway cache, so that the pages of memory-mapped
    /// weight files are read and the scratch buffers sized before the first real request: a server
    /// calls it at start, and its first client then waits for its own prompt only. Changes no state
    /// a later call can observe.
    ///
    /// ```swift
    /// try model.warmUp()
    /// ```
    public func warmUp() throws {
        try forward([0], cache: makeCache(contextLength: 1))
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
        try run(CollectionOfOne(SequenceInput(tokens: tokens, cache: cache)), positions: positions, into: &logits)
    }

    /// Runs `tokens` through the model like ``forward(_:cache:positions:into:)`` and returns
    /// newly allocated logits.
    @discardableResult
    public func forward(_ tokens: [Int], cache: KVCache, positions: LogitPositions = .last) throws -> Logits {
        var logits = Logits(vocabularySize: configuration.vocabSize)
        try forward(tokens, cache: cache, positions: positions, into: &logits)
        return logits
    }

    /// Runs several sequences in one pass, each input continuing its own cache (no cache may
    /// appear twice): the linear layers see all rows at once, attention stays per sequence.
    /// With `.last`, logits row `i` predicts the token after `inputs[i]`; with `.all`, the rows
    /// of every input follow each other in input order. Nothing changes when it throws.
    public func forward(_ inputs: [SequenceInput], positions: LogitPositions = .last, into logits: inout Logits) throws {
        try run(inputs, positions: positions, into: &logits)
    }

    private func run<Inputs: RandomAccessCollection<SequenceInput>>(
        _ inputs: Inputs, positions: LogitPositions, into logits: inout Logits
    ) throws where Inputs.Index == Int {
        try validate(inputs)
        let totalRows = inputs.reduce(0) { $0 + $1.tokens.count }
        let vocabularySize = configuration.vocabSize
        if logits.vocabularySize != vocabularySize { logits = Logits(vocabularySize: vocabularySize) }
        logits.resize(rows: positions == .all ? totalRows : inputs.count)

        lock.lock()
        defer { lock.unlock() }
        buffers.reserve(rows: min(totalRows, Self.maxChunkRows))
        var input = inputs.startIndex, offset = 0, logitsRow = 0
        while input < inputs.endIndex {
            let rowCount = planChunk(inputs, from: &input, offset: &offset)
            switch positions {
            case .all:
                let rows = runLayers(inputs, rowCount: rowCount, outputRows: nil)
                project(rows: rows, into: &logits, firstRow: logitsRow)
                logitsRow += rows
            case .last:
                buffers.outputRows.removeAll(keepingCapacity: true)
                for segment in buffers.segments where segment.endsInput {
                    buffers.outputRows.append(segment.rows.upperBound - 1)
                }
                let kept = runLayers(inputs, rowCount: rowCount, outputRows: buffers.outputRows)
                project(rows: kept, into: &logits, firstRow: logitsRow)
                logitsRow += kept
            }
        }
    }

    private func validate<Inputs: RandomAccessCollection<SequenceInput>>(_ inputs: Inputs) throws where Inputs.Index == Int {
        guard !inputs.isEmpty else { throw ModelError.emptyInput }
        let vocabularySize = configuration.vocabSize
        for (i, entry) in zip(inputs.indices, inputs) {
            let cache = entry.cache
            guard !entry.tokens.isEmpty else { throw ModelError.emptyInput }
            guard cache.fits(configuration) else { throw ModelError.cacheShapeMismatch }
            if let bad = entry.tokens.first(where: { !(0 ..< vocabularySize).contains($0) }) {
                throw ModelError.tokenOutOfRange(id: bad, vocabularySize: vocabularySize)
            }
            let (end, overflow) = cache.count.addingReportingOverflow(entry.tokens.count)
            guard !overflow, end <= cache.capacity else {
                throw ModelError.contextLengthExceeded(requested: overflow ? Int.max : end, capacity: cache.capacity)
            }
            if let j = inputs[..<i].firstIndex(where: { $0.cache === cache }) {
                throw ModelError.duplicateCache(first: j, second: i)
            }
        }
    }

    /// Fills `buffers.segments` with up to `buffers.rowCapacity` rows, taking the tokens of
    /// `inputs` from `input` / `offset` on and advancing them; returns the number of rows.
    private func planChunk<Inputs: RandomAccessCollection<SequenceInput>>(
        _ inputs: Inputs, from input: inout Int, offset: inout Int
    ) -> Int where Inputs.Index == Int {
        buffers.segments.removeAll(keepingCapacity: true)
        var rowCount = 0
        while input < inputs.endIndex, rowCount < buffers.rowCapacity {
            let tokenCount = inputs[input].tokens.count
            let take = min(tokenCount - offset, buffers.rowCapacity - rowCount)
            let endsInput = offset + take == tokenCount
            buffers.segments.append(ChunkSegment(
                cache: inputs[input].cache, rows: rowCount ..< rowCount + take, input: input,
                tokens: offset ..< offset + take, endsInput: endsInput))
            rowCount += take
            offset += take
            if endsInput {
                input += 1
                offset = 0
            }
        }
        return rowCount
    }

    /// Embeds the chunk planned in `buffers.segments` into `buffers.hidden`, runs every block,
    /// and commits the rows to their caches. With `outputRows`, the last block keeps only those
    /// rows (see ``Qwen2Block``); returns the rows left at the front of `buffers.hidden`.
    private func runLayers<Inputs: RandomAccessCollection<SequenceInput>>(
        _ inputs: Inputs, rowCount: Int, outputRows: [Int]?
    ) -> Int where Inputs.Index == Int {
        let hiddenSize = configuration.hiddenSize, half = configuration.headDim / 2
        for segment in buffers.segments {
            let tokens = inputs[segment.input].tokens[segment.tokens]
            for (row, token) in zip(segment.rows, tokens) {
                Kernels.row(token, of: embedding, into: buffers.hidden + row * hiddenSize)
            }
            let start = segment.cache.count, first = segment.rows.lowerBound
            rope.fillTables(
                positions: start ..< start + segment.rows.count,
                cos: buffers.cos + first * half, sin: buffers.sin + first * half)
        }
        var rowsLeft = rowCount
        for (index, block) in blocks.enumerated() {
            rowsLeft = block(
                rowCount: rowCount, segments: buffers.segments, buffers: buffers, pool: pool,
                outputRows: index == blocks.count - 1 ? outputRows : nil)
        }
        for segment in buffers.segments {
            segment.cache.advance(by: segment.rows.count)
        }
        return rowsLeft
    }

    /// Final norm and `lm_head` of the first `rows` rows of the residual stream, written to logits
    /// rows from `firstRow`.
    private func project(rows: Int, into logits: inout Logits, firstRow: Int) {
        guard rows > 0 else { return }
        let hiddenSize = configuration.hiddenSize
        Kernels.rmsNorm(
            buffers.hidden, weight: finalNorm, epsilon: Float(configuration.rmsNormEps),
            rowCount: rows, dimension: hiddenSize, into: buffers.normed)
        logits.withMutableRows(firstRow ..< firstRow + rows) { output in
            guard let output = output.baseAddress else { return }
            Kernels.linear(buffers.normed, rowCount: rows, weight: lmHead, bias: nil, into: output, pool: pool)
        }
    }
}
