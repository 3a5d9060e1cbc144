import Foundation
import Hummingbird
import QwenKit
import ServiceLifecycle

/// An OpenAI-compatible HTTP server for one model: `POST /v1/chat/completions`,
/// `POST /v1/completions`, `GET /v1/models`, `GET /health` and `GET /metrics`.
///
/// ```swift
/// let model = try LanguageModel(path: "Qwen2.5-0.5B-Instruct")
/// let server = try OpenAIServer(model: model, configuration: ServerConfiguration(modelName: "qwen2.5"))
/// try await server.run(host: "127.0.0.1", port: 8080)
/// ```
public struct OpenAIServer: Sendable {
    /// The limits and identity the server runs with.
    public let configuration: ServerConfiguration
    /// The queue every generation goes through.
    public let scheduler: Scheduler

    /// A server for `model`, with the batch engine ``ServerConfiguration/makeEngine(for:)`` makes.
    public init(model: LanguageModel, configuration: ServerConfiguration) throws {
        self.configuration = configuration
        scheduler = Scheduler(
            model: model, engine: try configuration.makeEngine(for: model),
            maxInFlight: configuration.maxRequestsInFlight, retryAfter: configuration.retryAfterSeconds)
    }

    /// The routes, with error mapping and metrics on all of them and the API key check on `/v1`.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware(metrics: scheduler.metrics))
        router.get("/health") { _, _ in ResponseEncoding.json(["status": "ok"]) }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: scheduler.metrics.exposition())))
        }
        let api = router.group("v1")
        if let key = configuration.apiKey { api.add(middleware: APIKeyMiddleware(key: key)) }
        api.get("models") { _, _ in
            ResponseEncoding.json([
                "object": "list",
                "data": [
                    [
                        "id": .string(configuration.modelName), "object": "model", "created": .int(0),
                        "owned_by": "qwenkit",
                    ]
                ],
            ])
        }
        api.post("chat/completions") { request, _ in
            let body = try await readJSON(request)
            let chat = try ChatCompletionRequest(body: body, model: scheduler.model, configuration: configuration)
            let prompt = scheduler.model.tokenizer.encode(chat.prompt)
            try checkContext(prompt.count, param: "messages")
            let handler = ChatCompletionHandler(
                request: chat, promptTokens: prompt, scheduler: scheduler, modelName: configuration.modelName,
                admission: try scheduler.admit())
            return try await handler.respond()
        }
        api.post("completions") { request, _ in
            let body = try await readJSON(request)
            let handler = try TextCompletionHandler(
                body: body, scheduler: scheduler, configuration: configuration, admission: try scheduler.admit())
            for prompt in handler.prompts { try checkContext(prompt.count, param: "prompt") }
            return try await handler.respond()
        }
        return router
    }

    /// Serves on `host:port` until SIGINT or SIGTERM, then stops accepting connections, lets
    /// requests in flight finish for up to `shutdownDeadline`, and cancels the rest.
    public func run(host: String, port: Int, shutdownDeadline: Duration = .seconds(30)) async throws {
        let app = Application(
            router: router(), server: .http1(configuration: .init(idleTimeout: configuration.idleTimeout.map { .init($0) })),
            configuration: .init(address: .hostname(host, port: port), serverName: "qwen"))
        var group = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: app.logger)
        group.maximumGracefulShutdownDuration = shutdownDeadline
        try await ServiceGroup(configuration: group).run()
    }

    /// The request's body as JSON: 413 past ``ServerConfiguration/maxBodyBytes`` (at once when
    /// `Content-Length` says so), 400 for a body that cannot be read (cut short, bad chunked
    /// framing) or is not JSON.
    private func readJSON(_ request: Request) async throws -> JSONValue {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > configuration.maxBodyBytes {
            throw APIError.bodyTooLarge(limit: configuration.maxBodyBytes)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: configuration.maxBodyBytes)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw APIError.unreadableBody(error)
        }
        do {
            return try JSONValue(parsing: Data(buffer.readableBytesView))
        } catch {
            throw APIError.invalidJSON(error)
        }
    }

    private func checkContext(_ promptTokens: Int, param: String) throws(APIError) {
        let contextLength = scheduler.engine.contextLength
        guard promptTokens < contextLength else {
            throw .contextLengthExceeded(promptTokens: promptTokens, contextLength: contextLength, param: param)
        }
    }
}
