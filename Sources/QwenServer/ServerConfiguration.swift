/// What a ``OpenAIServer`` serves and the limits it enforces.
///
/// ```swift
/// var configuration = ServerConfiguration(modelName: "qwen2.5-0.5b-instruct")
/// configuration.apiKey = "sk-local"
/// configuration.maxRequestsInFlight = 32
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

    /// A configuration with default limits and no API key.
    public init(modelName: String) {
        self.modelName = modelName
    }
}
