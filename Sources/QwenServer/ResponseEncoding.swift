import Foundation
import Hummingbird
import QwenKit

/// Pieces of OpenAI responses both completion routes use: ids, timestamps, usage, server-sent
/// events.
enum ResponseEncoding {
    /// An id like OpenAI's: `prefix` and 24 random alphanumerics.
    static func id(prefix: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return prefix + String((0..<24).map { _ in alphabet.randomElement() ?? "0" })
    }

    /// Seconds since 1970, as `created` carries.
    static func timestamp() -> JSONValue {
        .int(Int(Date().timeIntervalSince1970))
    }

    static func usage(promptTokens: Int, completionTokens: Int) -> JSONValue {
        [
            "prompt_tokens": .int(promptTokens), "completion_tokens": .int(completionTokens),
            "total_tokens": .int(promptTokens + completionTokens),
        ]
    }

    /// `finish_reason`: `tool_calls` when the model stopped after calls, else the generator's reason.
    static func finishReason(_ summary: GenerationSummary, hasToolCalls: Bool) -> JSONValue {
        .string(hasToolCalls && summary.finishReason == .stop ? FinishReason.toolCalls.rawValue : summary.finishReason.rawValue)
    }

    static func json(_ value: JSONValue) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: value.serialized())))
    }

    /// A server-sent event carrying `value`.
    static func event(_ value: JSONValue) -> ByteBuffer {
        ByteBuffer(string: "data: \(value.serialized())\n\n")
    }

    /// The event that ends every stream.
    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    /// A streaming response whose events `produce` writes; a failure midway is sent as an error
    /// event, and the stream always ends with `[DONE]`.
    static func eventStream(
        path: String, _ produce: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void
    ) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                do {
                    try await produce(&writer)
                } catch is CancellationError {
                    return
                } catch {
                    try await writer.write(event(APIError.from(error, path: path).json))
                }
                try await writer.write(done)
                try await writer.finish(nil)
            })
    }

    /// The UTF-8 bytes of a token's text, as logprob entries carry them.
    static func bytes(_ text: String) -> JSONValue {
        .array(text.utf8.map { .int(Int($0)) })
    }
}
