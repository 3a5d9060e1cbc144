import Foundation

/// A Qwen2.5 model ready to chat: weights, tokenizer, chat template and the sampling defaults of
/// its `generation_config.json`, behind one object.
///
/// ```swift
/// let qwen = try LanguageModel(path: "Qwen2.5-0.5B-Instruct")
/// let prompt = try qwen.chatPrompt(messages: [["role": "user", "content": "Who founded Alibaba?"]])
/// for try await event in qwen.generate(prompt: prompt, parameters: qwen.defaultParameters) {
///     if case .token(let token) = event { print(token.text, terminator: "") }
/// }
/// ```
public final class LanguageModel: Sendable {
    /// Where the model was loaded from.
    public let location: ModelLocation
    /// The network.
    public let model: Qwen2Model
    /// The tokenizer of the model directory or GGUF file.
    public let tokenizer: Tokenizer
    /// The chat template, when the model has one.
    public let chatTemplate: ChatTemplate?
    /// `generation_config.json`, when present.
    public let generationConfiguration: GenerationConfiguration?
    /// Runs the decode loop over the model's single KV cache.
    public let generator: Generator

    /// Loads the model at `path` (a Hugging Face model directory, a `.gguf` file, or a Hub id such
    /// as `Qwen/Qwen2.5-0.5B-Instruct` already in the Hugging Face cache) on
    /// `threadCount` threads with a context of `contextLength` tokens whose keys and values are
    /// stored in `cachePrecision` (defaults: physical cores; the model's maximum context capped by
    /// available memory; float32). A GGUF file brings its own
    /// tokenizer and chat template and has no `generation_config.json`. `progress`, when given, is
    /// called after each part of the model is ready, the tokenizer last (see ``LoadProgress``).
    public init(
        path: String, threadCount: Int? = nil, contextLength: Int? = nil, cachePrecision: KVCachePrecision = .f32,
        progress: ((LoadProgress) -> Void)? = nil
    ) throws {
        location = try ModelLocation.resolve(path)
        let modelProgress = progress.map { report in
            { (step: LoadProgress) in
                report(LoadProgress(step: step.step, completed: step.completed, total: step.total + 1))
            }
        }
        switch location {
        case .directory(let directory):
            let tokenizerResult = BackgroundResult { try Tokenizer(directory: directory) }
            model = try Qwen2Model(directory: directory, threadCount: threadCount, progress: modelProgress)
            tokenizer = try tokenizerResult.value()
            chatTemplate = location.existingFile("tokenizer_config.json") == nil ? nil : try ChatTemplate(location: location)
            generationConfiguration = try location.existingFile("generation_config.json").map(GenerationConfiguration.load(from:))
        case .gguf(let url):
            let file = try GGUFFile(url: url)
            let tokenizerResult = BackgroundResult { try Tokenizer(gguf: file) }
            model = try Qwen2Model(gguf: file, threadCount: threadCount, progress: modelProgress)
            tokenizer = try tokenizerResult.value()
            chatTemplate = try file.chatTemplate() == nil ? nil : ChatTemplate(gguf: file)
            generationConfiguration = nil
        }
        guard tokenizer.vocabularySize <= model.configuration.vocabSize else {
            throw ModelError.tokenizerBeyondModel(
                file: location.existingFile("tokenizer.json")?.path ?? location.url.path,
                tokenizerSize: tokenizer.vocabularySize, vocabularySize: model.configuration.vocabSize)
        }
        let steps = model.configuration.numHiddenLayers + 3
        progress?(LoadProgress(step: .tokenizer, completed: steps, total: steps))
        generator = try Generator(
            model: model, tokenizer: tokenizer, contextLength: contextLength, cachePrecision: cachePrecision)
    }

    /// The sampling parameters `generation_config.json` asks for (greedy without one), stopping at
    /// the model's end-of-sequence ids.
    public var defaultParameters: SamplingParameters {
        let eos = generationConfiguration?.eosTokenIds ?? []
        let stopIDs = eos.isEmpty ? model.configuration.eosTokenIds : eos
        guard let config = generationConfiguration else {
            return SamplingParameters(temperature: 0, stopTokenIds: Set(stopIDs))
        }
        return SamplingParameters.generationDefaults(
            doSample: config.doSample, temperature: Float(config.temperature), topK: config.topK,
            topP: Float(config.topP), minP: config.minP.map(Float.init),
            repetitionPenalty: Float(config.repetitionPenalty), eosTokenIds: stopIDs)
    }

    /// The token ids of the prompt the chat template renders for `messages` and `tools`.
    public func chatPrompt(
        messages: [JSONValue], tools: [JSONValue]? = nil, addGenerationPrompt: Bool = true
    ) throws -> [Int] {
        guard let chatTemplate else { throw LanguageModelError.noChatTemplate(location.url.path) }
        let text = try chatTemplate.render(messages: messages, tools: tools, addGenerationPrompt: addGenerationPrompt)
        let ids = tokenizer.encodePrompt(text)
        guard !ids.isEmpty else { throw ChatTemplateError.emptyPrompt }
        return ids
    }

    /// Generates a continuation of `prompt` (token ids) as a stream of events; see
    /// ``Generator/generate(prompt:parameters:constraint:)``.
    public func generate(
        prompt: [Int], parameters: SamplingParameters, constraint: JSONObjectConstraint? = nil
    ) -> AsyncThrowingStream<GenerationEvent, Error> {
        generator.generate(prompt: prompt, parameters: parameters, constraint: constraint)
    }
}

/// Why a ``LanguageModel`` cannot do what was asked.
public enum LanguageModelError: Error, CustomStringConvertible, Equatable {
    /// The model has no chat template, so chat messages cannot be rendered.
    case noChatTemplate(String)

    public var description: String {
        switch self {
        case .noChatTemplate(let path):
            "\(path) has no chat template (tokenizer_config.json has no chat_template); use a raw prompt"
        }
    }
}
