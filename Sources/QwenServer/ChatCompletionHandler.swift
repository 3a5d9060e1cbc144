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

    /// Starts every choice at once, as parallel sequences sharing the prompt's cached prefix.
    private func startChoices() -> [(parameters: SamplingParameters, events: AsyncThrowingStream<GenerationEvent, any Error>)] {
        (0..<request.sampling.choiceCount).map { index in
            let parameters = request.sampling.parameters(forChoice: index)
            return (parameters, scheduler.generate(prompt: promptTokens, parameters: parameters, constraint: constraint()))
        }
    }

    private func completion() async throws -> JSONValue {
        var choices: [JSONValue] = []
        var completionTokens = 0
        for (index, (parameters, events)) in startChoices().enumerated() {
            var text = ""
            var logprobs: [JSONValue] = []
            var summary: GenerationSummary?
            for try await event in events {
                switch event {
                case .token(let token):
                    text += token.text
                    if parameters.logprobs { logprobs.append(logprob(token.sample)) }
                case .finished(let finished): summary = finished
                }
            }
            guard let summary else { throw CancellationError() }
            completionTokens += summary.completionTokens
            let (content, calls) = split(text)
            var message: JSONObject = ["role": "assistant", "content": content.map(JSONValue.string) ?? .null]
            if !calls.isEmpty { message["tool_calls"] = .array(calls.map { toolCall($0) }) }
            choices.append([
                "index": .int(index), "message": .object(message),
                "logprobs": parameters.logprobs ? ["content": .array(logprobs)] : .null,
                "finish_reason": ResponseEncoding.finishReason(summary, hasToolCalls: !calls.isEmpty),
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
            }
        }
        return (calls.isEmpty || !content.isEmpty ? content : nil, calls)
    }

    private func streamingResponse() -> Response {
        ResponseEncoding.eventStream(path: "/v1/chat/completions") { writer in
            _ = admission
            var completionTokens = 0
            for (index, (parameters, events)) in startChoices().enumerated() {
                try await writer.write(ResponseEncoding.event(chunk(index: index, delta: ["role": "assistant", "content": ""])))
                completionTokens += try await streamChoice(index: index, parameters: parameters, events: events, into: &writer)
            }
            if request.sampling.includeUsage {
                var usage = chunkHeader()
                usage["choices"] = []
                usage["usage"] = ResponseEncoding.usage(promptTokens: promptTokens.count, completionTokens: completionTokens)
                try await writer.write(ResponseEncoding.event(.object(usage)))
            }
        }
    }

    /// Streams choice `index` as content and tool-call deltas; returns its completion tokens.
    private func streamChoice(
        index: Int, parameters: SamplingParameters, events: AsyncThrowingStream<GenerationEvent, any Error>,
        into writer: inout any ResponseBodyWriter
    ) async throws -> Int {
        var parser = request.parsesToolCalls ? ToolCallParser() : nil
        _ = parser?.append(request.forcedPrefix)
        var callCount = 0
        var pendingLogprobs: [JSONValue] = []
        for try await event in events {
            let segments: [ToolCallParser.Segment]
            switch event {
            case .token(let token):
                if parameters.logprobs { pendingLogprobs.append(logprob(token.sample)) }
                if var active = parser {
                    segments = active.append(token.text)
                    parser = active
                } else {
                    segments = token.text.isEmpty ? [] : [.text(token.text)]
                }
                for segment in segments {
                    try await writer.write(ResponseEncoding.event(delta(for: segment, index: index, calls: &callCount, logprobs: &pendingLogprobs)))
                }
            case .finished(let summary):
                for segment in parser?.finish() ?? [] {
                    try await writer.write(ResponseEncoding.event(delta(for: segment, index: index, calls: &callCount, logprobs: &pendingLogprobs)))
                }
                let finish = ResponseEncoding.finishReason(summary, hasToolCalls: callCount > 0)
                try await writer.write(ResponseEncoding.event(chunk(index: index, delta: [:], logprobs: pendingLogprobs, finishReason: finish)))
                return summary.completionTokens
            }
        }
        throw CancellationError()
    }

    private func delta(
        for segment: ToolCallParser.Segment, index: Int, calls: inout Int, logprobs: inout [JSONValue]
    ) -> JSONValue {
        defer { logprobs = [] }
        switch segment {
        case .text(let text):
            return chunk(index: index, delta: ["content": .string(text)], logprobs: logprobs)
        case .toolCall(let call):
            defer { calls += 1 }
            return chunk(index: index, delta: ["tool_calls": [toolCall(call, streamIndex: calls)]], logprobs: logprobs)
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

    /// A tool call in OpenAI's shape, arguments as a JSON string; streamed calls carry their index.
    private func toolCall(_ call: ToolCall, streamIndex: Int? = nil) -> JSONValue {
        var object: JSONObject = streamIndex.map { ["index": .int($0)] } ?? [:]
        object["id"] = .string(ResponseEncoding.id(prefix: "call_"))
        object["type"] = "function"
        object["function"] = ["name": .string(call.name), "arguments": .string(call.arguments.serialized(.python()))]
        return .object(object)
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
