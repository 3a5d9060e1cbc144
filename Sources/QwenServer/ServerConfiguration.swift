import Foundation
import QwenKit

/// What a ``OpenAIServer`` serves and the limits it enforces.
///
/// ```swift
/// var configuration = ServerConfiguration(modelName: "qwen2.5-0.5b-instruct")
/// configuration.apiKey = "sk-local"
/// configuration.parallelSequences = 8
/// configuration.contextLength = 4096
/// ```
public struct ServerConfiguration: Sendable {
    /// The model id `/v1/models` lists and responses carry.
    public var modelName: String
    /// The key clients must send as `Authorization: Bearer KEY` on `/v1/*`; nil serves everyone.
    public var apiKey: String?
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes: Int = 4 << 20
    /// The most tokens one choice may generate; also the default when a request sets no limit.
    public var maxCompletionTokens: Int = 4096
    /// The largest `n` (choices per request).
    public var maxChoices: Int = 16
    /// Requests served or waiting at once; past this, requests get 429 with `Retry-After`.
    public var maxRequestsInFlight: Int = 64
    /// The `Retry-After` sent with 429, in seconds.
    public var retryAfterSeconds: Int = 1
    /// The most sequences decoded together (each choice of each request is one sequence); fewer
    /// when ``kvCacheMemory`` cannot hold this many contexts.
    public var parallelSequences: Int = 16
    /// Tokens one sequence's context holds, prompt included; nil: the loaded model's context
    /// length (``LanguageModel/generator``).
    public var contextLength: Int?
    /// Bytes the KV caches of all sequences may take; nil: a quarter of the physical memory.
    public var kvCacheMemory: Int?
    /// Most prompt tokens prefilled per decode step, so running streams keep flowing.
    public var prefillTokenBudget: Int = 256
    /// How long a connection may wait with no request bytes arriving (and no response being
    /// written) before it is closed, so idle or stalled clients cannot hold connections open;
    /// nil keeps them open. A response being generated, however long, is never cut.
    public var idleTimeout: Duration? = .seconds(60)

    /// A configuration with default limits and no API key.
    public init(modelName: String) {
        self.modelName = modelName
    }

    /// The batch engine these settings ask for on `model`: ``parallelSequences`` slots of
    /// ``contextLength`` tokens, fewer when ``kvCacheMemory`` cannot hold that many, with the KV
    /// cache precision the model was loaded with (``Generator/cachePrecision``). Throws
    /// ``BatchEngineError`` or ``ModelError/invalidContextLength(_:)`` for unusable settings.
    public func makeEngine(for model: LanguageModel) throws -> BatchEngine {
        try BatchEngine(
            model: model.model, tokenizer: model.tokenizer,
            kvCacheMemory: kvCacheMemory ?? Int(clamping: ProcessInfo.processInfo.physicalMemory / 4),
            contextLength: contextLength ?? model.generator.contextLength,
            cachePrecision: model.generator.cachePrecision, maxSlotCount: parallelSequences,
            prefillTokenBudget: prefillTokenBudget)
    }
}
