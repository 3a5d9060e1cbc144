import Foundation
import Hummingbird
import HummingbirdTesting
import QwenKit
import QwenServer

/// The tiny fixture model behind an in-process router, and helpers to call it.
enum ServerHarness {
    /// Loaded once: every suite shares it; each server has its own batch engine over it.
    static let model: LanguageModel? = try? LanguageModel(
        path: Fixtures.url("models/tiny-qwen2.5").path, threadCount: 1, contextLength: 256)

    struct Reply {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var text: String

        var json: JSONValue? { try? JSONValue(parsing: text) }
        /// The `data:` payloads of a server-sent event stream.
        var events: [String] {
            text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { String($0.dropFirst("data: ".count)) }
        }
    }

    /// Runs `body` against a router for the fixture model.
    static func withServer(
        _ configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (TestClientProtocol) async throws -> Void
    ) async throws {
        guard let model else { throw HarnessError.modelNotLoaded }
        var configuration = ServerConfiguration(modelName: "tiny-qwen2.5")
        configure(&configuration)
        let server = try OpenAIServer(model: model, configuration: configuration)
        try await Application(router: server.router()).test(.router, body)
    }

    static func send(
        _ client: TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, body: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> Reply {
        try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            Reply(status: $0.status, headers: $0.headers, text: String(buffer: $0.body))
        }
    }

    enum HarnessError: Error {
        case modelNotLoaded
    }
}
