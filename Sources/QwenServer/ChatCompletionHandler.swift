import Hummingbird
import QwenKit

/// Serves one `POST /v1/chat/completions`: generates each choice through the scheduler and
/// answers a `chat.completion` object, or `chat.completion.chunk` events when streaming.
struct ChatCompletionHandler: Sendable {
    let request: ChatCompletionRequest
    let promptTokens: [Int]
    let scheduler: Scheduler
    let modelName: String
    let admission: Scheduler.Admission
    let id = ResponseEncoding.id(prefix: "chatcmpl-")
    let created = ResponseEncoding.timestamp()

    private var tokenizer: Tokenizer { scheduler.model.tokenizer }

    /// The JSON-object constraint when `response_format` asks for one.
    private func constraint() -> JSONObjectConstraint? {
        request.isJSONMode ? scheduler.jsonConstraint() : nil
    }

    func respond() async throws -> Response {
        request.sampling.stream ? streamingResponse() : ResponseEncoding.json(try await completion())
    }

    /// One request per choice; run together, the choices share the prompt's cached prefix.
    private func requests() -> [GenerationRequest] {
        (0..<request.sampling.choiceCount).map { index in
            GenerationRequest(
                prompt: promptTokens, parameters: request.sampling.parameters(forChoice: index), constraint: constraint())
        }
    }

    private func completion() async throws -> JSONValue {
        let requests = requests()
        var choices: [JSONValue] = []
        var completionTokens = 0
        for (index, choice) in try await CompletedChoice.collect(scheduler.generate(requests), count: requests.count).enumerated() {
            completionTokens += choice.summary.completionTokens
            let (content, calls) = split(choice.text)
            var message: JSONObject = ["role": "assistant", "content": content.map(JSONValue.string) ?? .null]
            if !calls.isEmpty {
                message["tool_calls"] = .array(calls.map { ChatChoiceStream.toolCall(name: $0.name, arguments: $0.argumentsJSON) })
            }
            let logprobs = requests[index].parameters.logprobs
            choices.append([
                "index": .int(index), "message": .object(message),
                "logprobs": logprobs ? ["content": .array(choice.tokens.map { logprob($0) })] : .null,
                "finish_reason": ResponseEncoding.finishReason(choice.summary, hasToolCalls: !calls.isEmpty),
            ])
        }
        return [
            "id": .string(id), "object": "chat.completion", "created": created, "model": .string(modelName),
            "choices": .array(choices),
            "usage": ResponseEncoding.usage(promptTokens: promptTokens.count, completionTokens: completionTokens),
        ]
    }

    /// The reply's text (nil when it only made calls) and its tool calls.
    private func split(_ text: String) -> (String?, [ToolCall]) {
        guard request.parsesToolCalls else { return (text, []) }
        var content = ""
        var calls: [ToolCall] = []
        for segment in ToolCallParser.parse(request.forcedPrefix + text) {
            switch segment {
            case .text(let text): content += text
            case .toolCall(let call): calls.append(call)
            case .toolCallStart, .toolCallArguments: break
            }
        }
        return (calls.isEmpty || !content.isEmpty ? content : nil, calls)
    }

    /// Streams the choices as their tokens come, interleaved: content and tool-call deltas, each
    /// choice's `finish_reason` when it ends, then the usage chunk when asked.
    private func streamingResponse() -> Response {
        ResponseEncoding.eventStream(path: "/v1/chat/completions") { writer in
            _ = admission
            let requests = requests()
            var streams = requests.map { _ in
                ChatChoiceStream(parsesToolCalls: request.parsesToolCalls, forcedPrefix: request.forcedPrefix)
            }
            var pendingLogprobs = [[JSONValue]](repeating: [], count: requests.count)
            for index in requests.indices {
                try await writer.write(ResponseEncoding.event(chunk(index: index, delta: ["role": "assistant", "content": ""])))
            }
            var completionTokens = 0
            var finished = 0
            for try await (index, event) in scheduler.generate(requests) {
                let deltas: [JSONObject]
                switch event {
                case .token(let token):
                    if requests[index].parameters.logprobs { pendingLogprobs[index].append(logprob(token.sample)) }
                    deltas = streams[index].deltas(for: token.text)
                case .finished:
                    deltas = streams[index].finish()
                }
                for delta in deltas {
                    try await writer.write(ResponseEncoding.event(chunk(index: index, delta: delta, logprobs: pendingLogprobs[index])))
                    pendingLogprobs[index] = []
                }
                if case .finished(let summary) = event {
                    finished += 1
                    completionTokens += summary.completionTokens
                    let finish = ResponseEncoding.finishReason(summary, hasToolCalls: streams[index].callCount > 0)
                    try await writer.write(ResponseEncoding.event(
                        chunk(index: index, delta: [:], logprobs: pendingLogprobs[index], finishReason: finish)))
                }
            }
            guard finished == requests.count else { throw CancellationError() }
            if request.sampling.includeUsage {
                var usage = chunkHeader()
                usage["choices"] = []
                usage["usage"] = ResponseEncoding.usage(promptTokens: promptTokens.count, completionTokens: completionTokens)
                try await writer.write(ResponseEncoding.event(.object(usage)))
            }
        }
    }

    private func chunkHeader() -> JSONObject {
        var header: JSONObject = [
            "id": .string(id), "object": "chat.completion.chunk", "created": created, "model": .string(modelName),
        ]
        if request.sampling.includeUsage { header["usage"] = .null }
        return header
    }

    private func chunk(
        index: Int, delta: JSONObject, logprobs: [JSONValue] = [], finishReason: JSONValue = .null
    ) -> JSONValue {
        var chunk = chunkHeader()
        let logprobs: JSONValue = request.sampling.parameters.logprobs ? ["content": .array(logprobs)] : .null
        chunk["choices"] = [["index": .int(index), "delta": .object(delta), "logprobs": logprobs, "finish_reason": finishReason]]
        if request.sampling.includeUsage { chunk["usage"] = .null }
        return .object(chunk)
    }

    /// A chat `logprobs.content` entry.
    private func logprob(_ sample: SampledToken) -> JSONValue {
        func entry(id: Int, logprob: Float) -> JSONObject {
            let text = tokenizer.decode([id])
            return ["token": .string(text), "logprob": .double(Double(logprob)), "bytes": ResponseEncoding.bytes(text)]
        }
        var object = entry(id: sample.id, logprob: sample.logprob ?? 0)
        object["top_logprobs"] = .array(sample.topLogprobs.map { .object(entry(id: $0.id, logprob: $0.logprob)) })
        return .object(object)
    }
}
