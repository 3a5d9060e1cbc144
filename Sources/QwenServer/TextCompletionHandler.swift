import Hummingbird
import QwenKit

/// Serves one `POST /v1/completions`: `n` choices for each prompt (choice index
/// `prompt * n + i`), as a `text_completion` object or a stream of them.
struct TextCompletionHandler: Sendable {
    let prompts: [[Int]]
    let sampling: SamplingRequest
    let scheduler: Scheduler
    let modelName: String
    let admission: Scheduler.Admission
    let id = ResponseEncoding.id(prefix: "cmpl-")
    let created = ResponseEncoding.timestamp()

    /// Reads `prompt` (a string, an array of strings, an array of token ids or an array of such
    /// arrays) and the sampling fields of `body`.
    init(
        body: JSONValue, scheduler: Scheduler, configuration: ServerConfiguration, admission: Scheduler.Admission
    ) throws(APIError) {
        let fields = try RequestFields(body)
        let model = scheduler.model
        _ = try fields.string("model")
        if try fields.bool("echo") == true { throw .unsupported(param: "echo", "echo is not supported") }
        if try fields.string("suffix") != nil { throw .unsupported(param: "suffix", "suffix is not supported") }
        guard let prompt = fields.value("prompt") else { throw .invalidValue(param: "prompt", "is required") }
        prompts = try Self.prompts(prompt, tokenizer: model.tokenizer, vocabularySize: model.model.configuration.vocabSize)
        sampling = try SamplingRequest(
            fields, defaults: model.defaultParameters, configuration: configuration,
            vocabularySize: model.model.configuration.vocabSize, logprobsStyle: .completions)
        self.scheduler = scheduler
        modelName = configuration.modelName
        self.admission = admission
    }

    private static func prompts(_ value: JSONValue, tokenizer: Tokenizer, vocabularySize: Int) throws(APIError) -> [[Int]] {
        let elements: [JSONValue]
        switch value {
        case .string: elements = [value]
        case .array(let array) where array.allSatisfy({ $0.intValue != nil }): elements = [value]
        case .array(let array): elements = array
        default: throw .invalidValue(param: "prompt", "must be a string, an array of strings or token ids")
        }
        var prompts: [[Int]] = []
        for (index, element) in elements.enumerated() {
            switch element {
            case .string(let text): prompts.append(tokenizer.encode(text))
            case .array(let ids):
                var tokens: [Int] = []
                for id in ids {
                    guard let id = id.intValue, (0..<vocabularySize).contains(id) else {
                        throw .invalidValue(param: "prompt[\(index)]", "must hold token ids in 0..<\(vocabularySize)")
                    }
                    tokens.append(id)
                }
                prompts.append(tokens)
            default: throw .invalidValue(param: "prompt[\(index)]", "must be a string or an array of token ids")
            }
        }
        guard !prompts.isEmpty, prompts.allSatisfy({ !$0.isEmpty }) else {
            throw .invalidValue(param: "prompt", "must not be empty")
        }
        return prompts
    }

    func respond() async throws -> Response {
        sampling.stream ? streamingResponse() : ResponseEncoding.json(try await completion())
    }

    /// Every choice of every prompt as one request (choice `i` of prompt `p` at `p * n + i`), to
    /// run together.
    private func requests() -> [GenerationRequest] {
        prompts.flatMap { prompt in
            (0..<sampling.choiceCount).map { GenerationRequest(prompt: prompt, parameters: sampling.parameters(forChoice: $0)) }
        }
    }

    private var promptTokenCount: Int { prompts.reduce(0) { $0 + $1.count } }

    private func completion() async throws -> JSONValue {
        let requests = requests()
        var choices: [JSONValue] = []
        var completionTokens = 0
        for (index, done) in try await CompletedChoice.collect(scheduler.generate(requests), count: requests.count).enumerated() {
            completionTokens += done.summary.completionTokens
            choices.append(choice(
                index: index, text: done.text, tokens: done.tokens, parameters: requests[index].parameters, finish: done.summary))
        }
        return [
            "id": .string(id), "object": "text_completion", "created": created, "model": .string(modelName),
            "choices": .array(choices),
            "usage": ResponseEncoding.usage(promptTokens: promptTokenCount, completionTokens: completionTokens),
        ]
    }

    /// Streams the choices of all prompts as their tokens come, interleaved, each choice's
    /// `finish_reason` when it ends, then the usage chunk when asked.
    private func streamingResponse() -> Response {
        ResponseEncoding.eventStream(path: "/v1/completions") { writer in
            _ = admission
            let requests = requests()
            var completionTokens = 0
            var finished = 0
            for try await (index, event) in scheduler.generate(requests) {
                let parameters = requests[index].parameters
                switch event {
                case .token(let token):
                    guard !token.text.isEmpty || parameters.logprobs else { continue }
                    let value = choice(index: index, text: token.text, tokens: [token.sample], parameters: parameters, finish: nil)
                    try await writer.write(ResponseEncoding.event(chunk([value])))
                case .finished(let summary):
                    finished += 1
                    completionTokens += summary.completionTokens
                    let value = choice(index: index, text: "", tokens: [], parameters: parameters, finish: summary)
                    try await writer.write(ResponseEncoding.event(chunk([value])))
                }
            }
            guard finished == requests.count else { throw CancellationError() }
            if sampling.includeUsage {
                var usage = header()
                usage["choices"] = []
                usage["usage"] = ResponseEncoding.usage(promptTokens: promptTokenCount, completionTokens: completionTokens)
                try await writer.write(ResponseEncoding.event(.object(usage)))
            }
        }
    }

    private func header() -> JSONObject {
        var header: JSONObject = [
            "id": .string(id), "object": "text_completion", "created": created, "model": .string(modelName),
        ]
        if sampling.includeUsage { header["usage"] = .null }
        return header
    }

    private func chunk(_ choices: [JSONValue]) -> JSONValue {
        var chunk = header()
        chunk["choices"] = .array(choices)
        if sampling.includeUsage { chunk["usage"] = .null }
        return .object(chunk)
    }

    private func choice(
        index: Int, text: String, tokens: [SampledToken], parameters: SamplingParameters, finish: GenerationSummary?
    ) -> JSONValue {
        [
            "index": .int(index), "text": .string(text),
            "logprobs": parameters.logprobs ? logprobs(tokens) : .null,
            "finish_reason": finish.map { ResponseEncoding.finishReason($0, hasToolCalls: false) } ?? .null,
        ]
    }

    /// The legacy completions `logprobs` object.
    private func logprobs(_ tokens: [SampledToken]) -> JSONValue {
        let tokenizer = scheduler.model.tokenizer
        var offset = 0
        var texts: [JSONValue] = []
        var offsets: [JSONValue] = []
        for token in tokens {
            let text = tokenizer.decode([token.id])
            texts.append(.string(text))
            offsets.append(.int(offset))
            offset += text.count
        }
        let top: [JSONValue] = tokens.map { token in
            var alternatives = JSONObject()
            for alternative in token.topLogprobs {
                alternatives[tokenizer.decode([alternative.id])] = .double(Double(alternative.logprob))
            }
            return .object(alternatives)
        }
        return [
            "tokens": .array(texts), "token_logprobs": .array(tokens.map { .double(Double($0.logprob ?? 0)) }),
            "top_logprobs": .array(top), "text_offset": .array(offsets),
        ]
    }
}
