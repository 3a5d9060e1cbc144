import ArgumentParser
import Foundation
import QwenKit
import QwenServer

/// `qwen serve`: the OpenAI-compatible HTTP server.
///
/// ```sh
/// qwen serve --model ./Qwen2.5-0.5B-Instruct --port 8080 --api-key sk-local
/// ```
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the model over the OpenAI API (chat completions, completions, models).",
        discussion: """
            Routes: POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health,
            GET /metrics (Prometheus). With --api-key or --api-key-file, /v1/* needs
            'Authorization: Bearer KEY'. SIGINT or SIGTERM stops accepting connections, lets requests
            in flight finish for --shutdown-timeout seconds, then cancels them.

            Continuous batching: up to --parallel sequences (each choice of each request is one)
            are decoded together, each with a KV cache of --context-length tokens stored as
            --kv-cache-type; all of them together may take at most --kv-cache-memory, which lowers
            --parallel when needed.
            Further requests queue first come, first served, up to --max-concurrent requests in
            flight; past that they get 429 with Retry-After. A prompt that shares a prefix with
            one cached (a system prompt, tools) reuses its keys and values.

            Examples:
              qwen serve --model ./Qwen2.5-0.5B-Instruct --port 8080 --api-key sk-local
              qwen serve --model qwen2.5-0.5b-q8_0.gguf --parallel 16 --context-length 1024
              curl http://127.0.0.1:8080/v1/chat/completions \\
                -H 'Authorization: Bearer sk-local' \\
                -d '{"model":"qwen","messages":[{"role":"user","content":"Hello"}]}'
            """)

    @Option(help: "A model directory, a .gguf file, or a Hub id (ORG/NAME[:QUANT]) in the Hugging Face cache.")
    var model: String

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(name: .customLong("api-key"), help: "The key clients must send as a Bearer token.")
    var apiKey: String?

    @Option(name: .customLong("api-key-file"), help: "A file whose first line is the API key.")
    var apiKeyFile: String?

    @Option(name: .customLong("served-model-name"), help: "The model id clients see (default: the directory name).")
    var servedModelName: String?

    @Option(name: .customLong("max-concurrent"), help: "Requests served or queued at once; more get 429.")
    var maxConcurrent = 64

    @Option(help: "The most sequences decoded together; fewer when --kv-cache-memory cannot hold them.")
    var parallel = 16

    @Option(
        name: .customLong("kv-cache-memory"),
        help: "Memory the KV caches of all sequences may take: bytes or a size such as 512M, 4G (default: a quarter of RAM).")
    var kvCacheMemory: String?

    @Option(name: .customLong("prefill-chunk"), help: "The most prompt tokens prefilled per decode step.")
    var prefillChunk = 256

    @Option(name: .customLong("max-tokens-limit"), help: "The most tokens one choice may generate.")
    var maxTokensLimit = 4096

    @Option(name: .customLong("max-body-bytes"), help: "The largest request body accepted.")
    var maxBodyBytes = 4 << 20

    @Option(name: .customLong("shutdown-timeout"), help: "Seconds requests in flight get to finish on shutdown.")
    var shutdownTimeout = 30

    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may send nothing before it is closed (0: never).")
    var idleTimeout = 60

    @OptionGroup var loading: ModelLoadOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard maxConcurrent >= 1 else { throw ValidationError("--max-concurrent must be at least 1") }
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard prefillChunk >= 1 else { throw ValidationError("--prefill-chunk must be at least 1") }
        _ = try kvCacheMemory.map(Self.byteCount)
        guard maxTokensLimit >= 1 else { throw ValidationError("--max-tokens-limit must be at least 1") }
        guard maxBodyBytes >= 1 else { throw ValidationError("--max-body-bytes must be at least 1") }
        guard shutdownTimeout >= 0 else { throw ValidationError("--shutdown-timeout must be >= 0") }
        guard idleTimeout >= 0 else { throw ValidationError("--idle-timeout must be >= 0") }
        if apiKey != nil && apiKeyFile != nil { throw ValidationError("give --api-key or --api-key-file, not both") }
    }

    func run() async throws {
        let key = try apiKeyFile.map(readKey) ?? apiKey
        let qwen = try loading.load(model: model)
        var configuration = ServerConfiguration(
            modelName: servedModelName ?? URL(fileURLWithPath: model).standardizedFileURL.lastPathComponent)
        configuration.apiKey = key
        configuration.maxRequestsInFlight = maxConcurrent
        configuration.maxCompletionTokens = maxTokensLimit
        configuration.maxBodyBytes = maxBodyBytes
        configuration.parallelSequences = parallel
        configuration.kvCacheMemory = try kvCacheMemory.map(Self.byteCount)
        configuration.prefillTokenBudget = prefillChunk
        configuration.idleTimeout = idleTimeout == 0 ? nil : .seconds(idleTimeout)
        let server = try OpenAIServer(model: qwen, configuration: configuration)
        try qwen.model.warmUp()
        let engine = server.scheduler.engine
        StandardStreams.writeError(
            "qwen serve: \(engine.slotCount) parallel sequences of \(engine.contextLength) tokens "
                + "(KV cache \(engine.cachePrecision.rawValue), \(engine.kvCacheBytes >> 20) MiB) on http://\(host):\(port)\n")
        try await server.run(host: host, port: port, shutdownDeadline: .seconds(shutdownTimeout))
    }

    /// Bytes in `text`: a whole number with an optional K, M or G (powers of 1024) suffix.
    static func byteCount(_ text: String) throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let upper = text.uppercased().replacingOccurrences(of: "IB", with: "").replacingOccurrences(of: "B", with: "")
        let unit = upper.last.flatMap { units[$0] }
        let digits = unit == nil ? upper : String(upper.dropLast())
        guard let value = Int(digits), value > 0 else {
            throw ValidationError("--kv-cache-memory: \"\(text)\" is not a size such as 1073741824, 512M or 4G")
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit ?? 1)
        guard !overflow else { throw ValidationError("--kv-cache-memory: \(text) is too large") }
        return bytes
    }

    private func readKey(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("--api-key-file: cannot read \(path)")
        }
        let key = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !key.isEmpty else { throw ValidationError("--api-key-file: \(path) holds no key") }
        return key
    }
}
