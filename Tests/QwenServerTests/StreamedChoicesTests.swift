import Foundation
import QwenKit
import Testing

/// `n` > 1 streamed: the choices of a request start in the same engine step and decode in the
/// same steps, so the engine reports their tokens alternately and the chunks interleave (no
/// timing involved); each choice streams what the non-streamed request returns with the seed.
@Suite(.serialized) struct StreamedChoicesTests {
    typealias H = ServerHarness

    /// The chunks of a stream ending with `[DONE]`.
    static func chunks(_ reply: H.Reply) throws -> [JSONValue] {
        let events = reply.events
        #expect(events.last == "[DONE]")
        return try events.dropLast().map { try JSONValue(parsing: $0) }
    }

    /// Whether some chunk of each later choice comes before the last chunk of choice 0.
    static func interleave(_ order: [Int], choices: Int) -> Bool {
        guard let lastOfFirst = order.lastIndex(of: 0) else { return false }
        return (1..<choices).allSatisfy { choice in order.firstIndex(of: choice).map { $0 < lastOfFirst } ?? false }
    }

    @Test func chatChoicesInterleaveAndEqualTheNonStreamedOnes() async throws {
        try await H.withServer { client in
            let body = #"{"messages": [{"role": "user", "content": "Hello"}], "n": 3, "max_tokens": 8, "seed": 11, "temperature": 1, "logprobs": true}"#
            let whole = try #require(try await H.send(client, .post, "/v1/chat/completions", body: body).json)
            let streamBody = body.dropLast() + #", "stream": true, "stream_options": {"include_usage": true}}"#
            let chunks = try Self.chunks(try await H.send(client, .post, "/v1/chat/completions", body: String(streamBody)))
            let choices = chunks.dropLast().compactMap { $0["choices"]?[0] }
            #expect(choices.count == chunks.count - 1, "one choice per chunk, then usage")
            let tokenChunks = choices.filter { $0["delta"]?["content"] != nil && $0["delta"]?["role"] == nil }
            let order = tokenChunks.compactMap { $0["index"]?.intValue }
            #expect(Self.interleave(order, choices: 3), "chunk order by choice: \(order)")
            for index in 0..<3 {
                let own = choices.filter { $0["index"] == .int(index) }
                let text = own.compactMap { $0["delta"]?["content"]?.stringValue }.joined()
                #expect(text == whole["choices"]?[index]?["message"]?["content"]?.stringValue)
                #expect(own.first?["delta"]?["role"] == "assistant")
                #expect(own.filter { $0["finish_reason"] != .null }.count == 1)
                #expect(own.last?["finish_reason"] == "length")
                let logprobs = own.flatMap { $0["logprobs"]?["content"]?.arrayValue ?? [] }
                #expect(logprobs.count == 8, "every token's logprob, once")
            }
            #expect(chunks.last?["choices"] == [])
            #expect(chunks.last?["usage"]?["completion_tokens"] == 24)
        }
    }

    @Test func completionChoicesOfSeveralPromptsInterleaveAndEqualTheNonStreamedOnes() async throws {
        try await H.withServer { client in
            let body = #"{"prompt": ["Once upon", [9707, 11]], "max_tokens": 6, "n": 2, "seed": 5, "temperature": 1, "logprobs": 1}"#
            let whole = try #require(try await H.send(client, .post, "/v1/completions", body: body).json)
            let streamBody = body.dropLast() + #", "stream": true, "stream_options": {"include_usage": true}}"#
            let chunks = try Self.chunks(try await H.send(client, .post, "/v1/completions", body: String(streamBody)))
            let choices = chunks.dropLast().compactMap { $0["choices"]?[0] }
            let order = choices.filter { $0["finish_reason"] == .null }.compactMap { $0["index"]?.intValue }
            #expect(Self.interleave(order, choices: 4), "chunk order by choice: \(order)")
            for index in 0..<4 {
                let own = choices.filter { $0["index"] == .int(index) }
                #expect(own.compactMap { $0["text"]?.stringValue }.joined() == whole["choices"]?[index]?["text"]?.stringValue)
                #expect(own.filter { $0["finish_reason"] != .null }.count == 1)
                #expect(own.last?["finish_reason"] == "length")
            }
            #expect(chunks.last?["usage"]?["completion_tokens"] == 24)
        }
    }
}
