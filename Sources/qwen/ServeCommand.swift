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

            Examples:
              qwen serve --model ./Qwen2.5-0.5B-Instruct --port 8080 --api-key sk-local
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

    @Option(name: .customLong("max-tokens-limit"), help: "The most tokens one choice may generate.")
    var maxTokensLimit = 4096

    @Option(name: .customLong("max-body-bytes"), help: "The largest request body accepted.")
    var maxBodyBytes = 4 << 20

    @Option(name: .customLong("shutdown-timeout"), help: "Seconds requests in flight get to finish on shutdown.")
    var shutdownTimeout = 30

    @OptionGroup var loading: ModelLoadOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard maxConcurrent >= 1 else { throw ValidationError("--max-concurrent must be at least 1") }
        guard maxTokensLimit >= 1 else { throw ValidationError("--max-tokens-limit must be at least 1") }
        guard maxBodyBytes >= 1 else { throw ValidationError("--max-body-bytes must be at least 1") }
        guard shutdownTimeout >= 0 else { throw ValidationError("--shutdown-timeout must be >= 0") }
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
        try await OpenAIServer(model: qwen, configuration: configuration)
            .run(host: host, port: port, shutdownDeadline: .seconds(shutdownTimeout))
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
