import Foundation

/// Measures a model the way `llama-bench` does: load time, prefill speed on a prompt of
/// `promptTokens` tokens and decode speed for `generatedTokens` tokens after it, as medians
/// over repetitions (after one untimed warm-up), plus the peak resident memory. With a
/// `batchSize` above 1, that many sequences (each its own prompt) decode together, one row
/// each per forward pass (passes of at most `Kernels.batchInvariantRowLimit` rows) as continuous
/// batching runs them, and the decode speed is their aggregate (as `llama-batched-bench` reports it).
///
/// ```swift
/// let report = try Benchmark(promptTokens: 512, generatedTokens: 128, repetitions: 3).run(path: "Qwen2.5-0.5B")
/// print(report.decodeTokensPerSecond)
/// ```
public struct Benchmark: Sendable {
    /// Tokens in the prompt that is prefilled as one pass.
    public var promptTokens: Int
    /// Tokens decoded one at a time after the prompt.
    public var generatedTokens: Int
    /// Timed repetitions; the report gives medians.
    public var repetitions: Int
    /// Threads to run on (nil: the physical cores).
    public var threadCount: Int?
    /// How the KV cache stores keys and values.
    public var cachePrecision: KVCachePrecision
    /// Sequences decoded together, one row each per forward pass.
    public var batchSize: Int

    /// A benchmark of a `promptTokens` prefill and `generatedTokens` decode steps, timed
    /// `repetitions` times on `threadCount` threads with a KV cache of `cachePrecision`, for
    /// `batchSize` sequences decoding together.
    public init(
        promptTokens: Int, generatedTokens: Int, repetitions: Int = 3, threadCount: Int? = nil,
        cachePrecision: KVCachePrecision = .f32, batchSize: Int = 1
    ) {
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.repetitions = repetitions
        self.threadCount = threadCount
        self.cachePrecision = cachePrecision
        self.batchSize = batchSize
    }

    /// What a benchmark run measured.
    public struct Report: Sendable, Equatable {
        /// Seconds from the start of loading to a model ready to run.
        public var loadSeconds: Double
        /// Median prompt tokens per second (each sequence's prompt a pass of its own).
        public var prefillTokensPerSecond: Double
        /// Median generated tokens per second, summed over the batch's sequences.
        public var decodeTokensPerSecond: Double
        /// The most resident memory the process used, in bytes.
        public var peakResidentBytes: Int
    }

    /// Loads the model at `path` and measures it. Prompt tokens are a fixed pseudo-random
    /// sequence per sequence of the batch; each decode step feeds back the most likely token.
    public func run(path: String) throws -> Report {
        guard promptTokens >= 1, generatedTokens >= 1, repetitions >= 1, batchSize >= 1 else {
            throw BenchmarkError.invalidArgument(
                "prompt tokens, generated tokens, repetitions and batch size must be at least 1")
        }
        let loadStart = DispatchTime.now()
        let model = try Qwen2Model(location: ModelLocation.resolve(path), threadCount: threadCount)
        let loadSeconds = DispatchTime.now().seconds(since: loadStart)

        let caches = try (0..<batchSize).map { _ in
            try model.makeCache(contextLength: promptTokens + generatedTokens, precision: cachePrecision)
        }
        var generator = Xoshiro256StarStar(seed: 42)
        let vocabularySize = model.configuration.vocabSize
        let prompts = caches.map { _ in (0..<promptTokens).map { _ in Int(generator.next() % UInt64(vocabularySize)) } }
        var logits = Logits(vocabularySize: vocabularySize)
        var next = [Int](repeating: 0, count: batchSize)
        var prefillRates: [Double] = []
        var decodeRates: [Double] = []
        for repetition in 0...repetitions {
            let prefillStart = DispatchTime.now()
            for (sequence, cache) in caches.enumerated() {
                cache.reset()
                try model.forward(prompts[sequence], cache: cache, into: &logits)
                next[sequence] = logits.withMutableRow(0) { Self.argmax($0) }
            }
            let prefillSeconds = DispatchTime.now().seconds(since: prefillStart)
            let decodeStart = DispatchTime.now()
            for _ in 0..<generatedTokens {
                for pass in DecodePasses.ranges(count: batchSize) {
                    try model.forward(pass.map { SequenceInput(tokens: [next[$0]], cache: caches[$0]) }, into: &logits)
                    for sequence in pass {
                        next[sequence] = logits.withMutableRow(sequence - pass.lowerBound) { Self.argmax($0) }
                    }
                }
            }
            let decodeSeconds = DispatchTime.now().seconds(since: decodeStart)
            guard repetition > 0 else { continue }
            prefillRates.append(Double(batchSize * promptTokens) / prefillSeconds)
            decodeRates.append(Double(batchSize * generatedTokens) / decodeSeconds)
        }
        return Report(
            loadSeconds: loadSeconds, prefillTokensPerSecond: Self.median(prefillRates),
            decodeTokensPerSecond: Self.median(decodeRates), peakResidentBytes: ProcessMemory.peakResidentBytes)
    }

    private static func argmax(_ row: UnsafeMutableBufferPointer<Float>) -> Int {
        var best = 0
        for i in row.indices where row[i] > row[best] { best = i }
        return best
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// Why a benchmark could not run.
public enum BenchmarkError: Error, CustomStringConvertible, Equatable {
    /// A count is below 1; the text says which.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidArgument(let reason): "benchmark: \(reason)"
        }
    }
}
