import Foundation
import Hummingbird
import HummingbirdTesting
import QwenKit
import QwenServer
import Testing

@Suite(.serialized) struct OpenAIServerTests {
    typealias H = ServerHarness
    static let greedyChat = #"{"model": "tiny-qwen2.5", "messages": [{"role": "user", "content": "Hello"}], "temperature": 0, "repetition_penalty": 1, "max_tokens": 8}"#

    @Test func healthModelsAndMetrics() async throws {
        try await H.withServer { client in
            #expect(try await H.send(client, .get, "/health").json == ["status": "ok"])
            let models = try await H.send(client, .get, "/v1/models").json
            #expect(models?["object"] == "list")
            #expect(models?["data"]?[0]?["id"] == "tiny-qwen2.5")
            let metrics = try await H.send(client, .get, "/metrics").text
            #expect(metrics.contains(#"qwen_requests_total{path="/v1/models",status="200"} 1"#))
            // 16 slots of the harness model's 256-token context.
            #expect(metrics.contains("qwen_parallel_sequences 16"))
            #expect(metrics.contains("qwen_kv_cache_capacity_tokens 4096"))
            #expect(metrics.contains("qwen_queue_depth 0"))
            #expect(metrics.contains("# TYPE qwen_time_to_first_token_seconds histogram"))
        }
    }

    @Test func chatCompletionHasOpenAIShape() async throws {
        try await H.withServer { client in
            let reply = try await H.send(client, .post, "/v1/chat/completions", body: Self.greedyChat)
            #expect(reply.status == .ok)
            let json = try #require(reply.json)
            #expect(json["object"] == "chat.completion")
            #expect(json["id"]?.stringValue?.hasPrefix("chatcmpl-") == true)
            #expect(json["model"] == "tiny-qwen2.5")
            #expect(json["created"]?.intValue != nil)
            let choice = try #require(json["choices"]?[0])
            #expect(choice["message"]?["role"] == "assistant")
            #expect(choice["message"]?["content"]?.stringValue != nil)
            #expect(choice["finish_reason"] == "length")
            #expect(json["usage"]?["completion_tokens"] == 8)
            let prompt = try #require(json["usage"]?["prompt_tokens"]?.intValue)
            #expect(json["usage"]?["total_tokens"] == .int(prompt + 8))
        }
    }

    @Test func streamedChatEqualsTheNonStreamedReply() async throws {
        try await H.withServer { client in
            let whole = try await H.send(client, .post, "/v1/chat/completions", body: Self.greedyChat).json
            let streamBody = Self.greedyChat.dropLast() + #", "stream": true, "stream_options": {"include_usage": true}}"#
            let reply = try await H.send(client, .post, "/v1/chat/completions", body: String(streamBody))
            #expect(reply.headers[.contentType] == "text/event-stream")
            let events = reply.events
            #expect(events.last == "[DONE]")
            let chunks = events.dropLast().compactMap { try? JSONValue(parsing: $0) }
            #expect(chunks.count == events.count - 1)
            #expect(chunks.first?["choices"]?[0]?["delta"]?["role"] == "assistant")
            #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" })
            let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
            #expect(text == whole?["choices"]?[0]?["message"]?["content"]?.stringValue)
            #expect(chunks.dropLast().last?["choices"]?[0]?["finish_reason"] == "length")
            #expect(chunks.last?["choices"] == [])
            #expect(chunks.last?["usage"]?["completion_tokens"] == 8)
        }
    }

    /// A streamed call in OpenAI's delta shape. The random-weight model is steered into one: a
    /// named `tool_choice` opens the call, JSON mode with "{" (90) and "}" (92) favoured writes
    /// the arguments `{}` in two tokens, which stream as two fragments.
    @Test func streamedToolCallHasOpenAIDeltaShape() async throws {
        try await H.withServer { client in
            let body = #"""
                {"messages": [{"role": "user", "content": "Weather?"}], "stream": true, "max_tokens": 8, "temperature": 0,
                 "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
                 "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
                 "response_format": {"type": "json_object"}, "logit_bias": {"90": 100, "92": 100}}
                """#
            let events = try await H.send(client, .post, "/v1/chat/completions", body: body).events
            #expect(events.last == "[DONE]")
            let choices = events.dropLast().compactMap { try? JSONValue(parsing: $0) }.compactMap { $0["choices"]?[0] }
            let calls = choices.compactMap { $0["delta"]?["tool_calls"]?[0] }
            let id = calls.first?["id"]?.stringValue
            #expect(id?.hasPrefix("call_") == true)
            #expect(calls.first == ["index": 0, "id": .string(id ?? ""), "type": "function", "function": ["name": "get_weather", "arguments": ""]])
            #expect(Array(calls.dropFirst()) == [["index": 0, "function": ["arguments": "{"]], ["index": 0, "function": ["arguments": "}"]]])
            #expect(choices.last?["finish_reason"] == "tool_calls")
        }
    }

    @Test func completionsWithLogprobsAndSeveralChoices() async throws {
        try await H.withServer { client in
            let body = #"{"prompt": ["Once upon", [9707, 11]], "max_tokens": 3, "n": 2, "logprobs": 2, "seed": 7}"#
            let json = try #require(try await H.send(client, .post, "/v1/completions", body: body).json)
            #expect(json["object"] == "text_completion")
            let choices = try #require(json["choices"]?.arrayValue)
            #expect(choices.map { $0["index"] } == [0, 1, 2, 3])
            let logprobs = try #require(choices[0]["logprobs"])
            #expect(logprobs["tokens"]?.arrayValue?.count == 3)
            #expect(logprobs["token_logprobs"]?.arrayValue?.count == 3)
            #expect(logprobs["top_logprobs"]?[0]?.objectValue?.count == 2)
            #expect(json["usage"]?["completion_tokens"] == 12)
            let again = try await H.send(client, .post, "/v1/completions", body: body).json
            #expect(again?["choices"] == json["choices"], "same seed, same choices")
        }
    }

    @Test func chatLogprobs() async throws {
        try await H.withServer { client in
            let body = Self.greedyChat.dropLast() + #", "logprobs": true, "top_logprobs": 3}"#
            let json = try await H.send(client, .post, "/v1/chat/completions", body: String(body)).json
            let content = try #require(json?["choices"]?[0]?["logprobs"]?["content"]?.arrayValue)
            #expect(content.count == 8)
            #expect(content[0]["top_logprobs"]?.arrayValue?.count == 3)
            #expect(content[0]["bytes"]?.arrayValue != nil)
            #expect((content[0]["logprob"]?.doubleValue ?? 1) <= 0)
        }
    }

    @Test func wrongKeyIsRefusedAndHealthNeedsNone() async throws {
        try await H.withServer({ $0.apiKey = "sk-test" }) { client in
            let missing = try await H.send(client, .get, "/v1/models")
            #expect(missing.status == .unauthorized)
            #expect(missing.json?["error"]?["code"] == "invalid_api_key")
            let wrong = try await H.send(client, .get, "/v1/models", headers: [.authorization: "Bearer sk-tesT"])
            #expect(wrong.status == .unauthorized)
            let right = try await H.send(client, .get, "/v1/models", headers: [.authorization: "Bearer sk-test"])
            #expect(right.status == .ok)
            #expect(try await H.send(client, .get, "/health").status == .ok)
        }
    }

    /// Six concurrent requests on two sequence slots: the rest queue, and each gets the text it
    /// gets alone (greedy).
    @Test func requestsBeyondTheSlotsQueueAndEqualEachAlone() async throws {
        try await H.withServer({ $0.parallelSequences = 2 }) { client in
            let bodies = (0..<6).map { #"{"prompt": [9707, 11, \#(1879 + $0)], "max_tokens": \#(6 + 2 * $0), "temperature": 0}"# }
            var alone: [JSONValue?] = []
            for body in bodies {
                alone.append(try await H.send(client, .post, "/v1/completions", body: body).json?["choices"]?[0]?["text"])
            }
            let together = try await withThrowingTaskGroup(of: (Int, H.Reply).self) { group in
                for (index, body) in bodies.enumerated() {
                    group.addTask { (index, try await H.send(client, .post, "/v1/completions", body: body)) }
                }
                var replies = [H.Reply?](repeating: nil, count: bodies.count)
                for try await (index, reply) in group { replies[index] = reply }
                return replies
            }
            #expect(together.map { $0?.status } == Array(repeating: .ok, count: bodies.count))
            #expect(together.map { $0?.json?["choices"]?[0]?["text"] } == alone)
        }
    }

    @Test func fullServerAnswers429WithRetryAfter() async throws {
        try await H.withServer({ $0.maxRequestsInFlight = 0 }) { client in
            let reply = try await H.send(client, .post, "/v1/chat/completions", body: Self.greedyChat)
            #expect(reply.status == .tooManyRequests)
            #expect(reply.headers[.retryAfter] == "1")
            #expect(reply.json?["error"]?["type"] == "rate_limit_error")
        }
    }

    /// Each bad request gets its status and an OpenAI error naming the field, and the server
    /// answers a good request afterwards.
    @Test(arguments: [
        ("{\"messages\": [", 400, nil),
        ("[1, 2]", 400, nil),
        (#"{"messages": "hi"}"#, 400, "messages"),
        (#"{"messages": []}"#, 400, "messages"),
        (#"{"messages": [{"role": "pirate", "content": "arr"}]}"#, 400, "messages[0].role"),
        (#"{"messages": [{"role": "user", "content": 5}]}"#, 400, "messages[0].content"),
        (#"{"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}"#, 400, "messages[0].content[0].type"),
        (#"{"messages": [{"role": "user", "content": "a"}], "temperature": "hot"}"#, 400, "temperature"),
        (#"{"messages": [{"role": "user", "content": "a"}], "temperature": -1}"#, 400, "temperature"),
        (#"{"messages": [{"role": "user", "content": "a"}], "top_p": 0}"#, 400, "top_p"),
        (#"{"messages": [{"role": "user", "content": "a"}], "n": 0}"#, 400, "n"),
        (#"{"messages": [{"role": "user", "content": "a"}], "max_tokens": 0}"#, 400, "max_tokens"),
        (#"{"messages": [{"role": "user", "content": "a"}], "max_tokens": 100000}"#, 400, "max_tokens"),
        (#"{"messages": [{"role": "user", "content": "a"}], "stop": [1]}"#, 400, "stop[0]"),
        (#"{"messages": [{"role": "user", "content": "a"}], "logit_bias": {"x": 1}}"#, 400, "logit_bias.x"),
        (#"{"messages": [{"role": "user", "content": "a"}], "logit_bias": {"5": 500}}"#, 400, "logit_bias[5]"),
        (#"{"messages": [{"role": "user", "content": "a"}], "top_logprobs": 2}"#, 400, "top_logprobs"),
        (#"{"messages": [{"role": "user", "content": "a"}], "response_format": {"type": "json_schema"}}"#, 400, "response_format.type"),
        (#"{"messages": [{"role": "user", "content": "a"}], "response_format": {"type": 3}}"#, 400, "response_format.type"),
        (#"{"messages": [{"role": "user", "content": "a"}], "tool_choice": "required"}"#, 400, "tool_choice"),
        (#"{"messages": [{"role": "user", "content": "a"}], "stream": "yes"}"#, 400, "stream"),
        (#"{"messages": [{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "{oops"}}]}]}"#, 400, "messages[0].tool_calls[0].function.arguments"),
    ] as [(String, Int, String?)])
    func badChatRequestIsRefused(body: String, status: Int, param: String?) async throws {
        try await H.withServer { client in
            let reply = try await H.send(client, .post, "/v1/chat/completions", body: body)
            #expect(reply.status.code == status, "\(body)")
            let error = try #require(reply.json?["error"], "\(reply.text)")
            #expect(error["param"] == (param.map(JSONValue.string) ?? .null), "\(body)")
            #expect(error["message"]?.stringValue?.isEmpty == false)
            #expect(error["type"] == "invalid_request_error")
            #expect(try await H.send(client, .post, "/v1/chat/completions", body: Self.greedyChat).status == .ok)
        }
    }

    @Test func badCompletionRequestsAreRefused() async throws {
        try await H.withServer { client in
            for (body, param) in [
                (#"{"max_tokens": 2}"#, "prompt"), (#"{"prompt": 3}"#, "prompt"), (#"{"prompt": [[999999999]]}"#, "prompt[0]"),
                (#"{"prompt": ""}"#, "prompt"), (#"{"prompt": [""]}"#, "prompt"), (#"{"prompt": []}"#, "prompt"),
                (#"{"prompt": "a", "logprobs": 9}"#, "logprobs"), (#"{"prompt": "a", "echo": true}"#, "echo"),
            ] {
                let reply = try await H.send(client, .post, "/v1/completions", body: body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.json?["error"]?["param"] == .string(param), "\(body)")
            }
        }
    }

    /// The error names the field that holds the prompt: `messages` for chat, `prompt` for completions.
    @Test func promptLongerThanTheContextIsRefused() async throws {
        try await H.withServer { client in
            let long = String(repeating: "word ", count: 400)
            for (route, body, param) in [
                ("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "\#(long)"}]}"#, "messages"),
                ("/v1/completions", #"{"prompt": "\#(long)"}"#, "prompt"),
            ] {
                let reply = try await H.send(client, .post, route, body: body)
                #expect(reply.status == .badRequest)
                #expect(reply.json?["error"]?["code"] == "context_length_exceeded")
                #expect(reply.json?["error"]?["param"] == .string(param))
            }
            #expect(try await H.send(client, .post, "/v1/chat/completions", body: Self.greedyChat).status == .ok)
        }
    }

    @Test func oversizedBodyAndUnknownRoute() async throws {
        try await H.withServer({ $0.maxBodyBytes = 64 }) { client in
            let reply = try await H.send(client, .post, "/v1/chat/completions", body: Self.greedyChat)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.json?["error"]?["message"]?.stringValue?.contains("64 bytes") == true)
            // A Content-Length past the limit is refused before any of the body is read (no body is
            // sent: the test client would overwrite the header with the body's length).
            let declared = try await H.send(client, .post, "/v1/chat/completions", headers: [.contentLength: "1000000000000"])
            #expect(declared.status == .contentTooLarge)
            let missing = try await H.send(client, .get, "/v1/nothing")
            #expect(missing.status == .notFound)
            #expect(missing.json?["error"]?["code"] == "not_found")
        }
    }
}

@Suite(.serialized) struct JSONModeTests {
    typealias H = ServerHarness

    static func body(_ extra: String) -> String {
        #"{"messages": [{"role": "user", "content": "Reply in JSON"}], "response_format": {"type": "json_object"}, "#
            + extra + "}"
    }

    /// Whatever the model writes under JSON mode is the beginning of a JSON object.
    @Test func outputIsAJSONObjectPrefix() async throws {
        try await H.withServer { client in
            for seed in 1...3 {
                let json = try await H.send(client, .post, "/v1/chat/completions", body: Self.body(#""max_tokens": 24, "temperature": 1, "seed": \#(seed)"#)).json
                let content = try #require(json?["choices"]?[0]?["message"]?["content"]?.stringValue)
                var validator = JSONPrefixValidator()
                #expect(content.utf8.allSatisfy { validator.consume($0) }, "\(content)")
                #expect(validator.isComplete == (json?["choices"]?[0]?["finish_reason"] == "stop"), "\(content)")
            }
        }
    }

    /// With `}` (id 92) strongly favoured, the object closes at once and generation stops.
    @Test func completeObjectEndsGeneration() async throws {
        try await H.withServer { client in
            let body = Self.body(#""max_tokens": 24, "temperature": 0, "logit_bias": {"92": 100}"#)
            let json = try await H.send(client, .post, "/v1/chat/completions", body: body).json
            #expect(json?["choices"]?[0]?["message"]?["content"] == "{}")
            #expect(json?["choices"]?[0]?["finish_reason"] == "stop")
            #expect(json?["usage"]?["completion_tokens"] == 3)
        }
    }
}
