import Foundation
import QwenKit
import Testing

/// The decode loop end to end on the fixture models: golden greedy continuations, stop
/// conditions, limits, prefix reuse, seeds and cancellation.
@Suite struct GeneratorTests {
    static let stopIDs: Set<Int> = [151645, 151643]

    static func generator(_ name: String = "tiny-qwen2.5", contextLength: Int = 1024) throws -> Generator {
        let directory = Fixtures.url("models/\(name)")
        return try Generator(
            model: Qwen2Model(directory: directory), tokenizer: Tokenizer(directory: directory),
            contextLength: contextLength)
    }

    static func collect(
        _ generator: Generator, prompt: [Int], parameters: SamplingParameters
    ) throws -> (ids: [Int], text: String, summary: GenerationSummary) {
        var ids: [Int] = []
        var text = ""
        let summary = try generator.run(prompt: prompt, parameters: parameters) { token in
            ids.append(token.id)
            text += token.text
        }
        return (ids, text, summary)
    }

    static func greedy(maxTokens: Int) -> SamplingParameters {
        SamplingParameters(temperature: 0, maxTokens: maxTokens, stopTokenIds: stopIDs)
    }

    @Test(arguments: Qwen2ModelGoldenTests.modelNames)
    func greedyContinuationsMatchTransformers(modelName: String) throws {
        let generator = try Self.generator(modelName)
        let golden = try Qwen2ModelGoldenTests.load(modelName).1
        // One generator for every prompt: the second and later runs reuse or drop cached prefixes.
        for prompt in golden.prompts + golden.prompts.reversed() {
            let result = try Self.collect(generator, prompt: prompt.input_ids, parameters: Self.greedy(maxTokens: 24))
            #expect(result.ids == prompt.greedy_new_ids, "\(modelName) \(prompt.name)")
            #expect(result.text == generator.tokenizer.decode(prompt.greedy_new_ids), "\(prompt.name)")
            #expect(result.summary.finishReason == .length)
            #expect(result.summary.completionTokens == 24)
            #expect(result.summary.promptTokens == prompt.input_ids.count)
        }
    }

    @Test func repeatedPromptReusesTheCache() throws {
        let generator = try Self.generator()
        let prompt = try Qwen2ModelGoldenTests.load("tiny-qwen2.5").1.prompts[0]
        let first = try Self.collect(generator, prompt: prompt.input_ids, parameters: Self.greedy(maxTokens: 8))
        #expect(first.summary.prefilledTokens == prompt.input_ids.count)
        // The prompt plus the tokens generated so far: only the last token is new work.
        let extended = prompt.input_ids + first.ids
        let second = try Self.collect(generator, prompt: extended, parameters: Self.greedy(maxTokens: 4))
        #expect(second.summary.prefilledTokens == 1)
        #expect(second.ids == Array(prompt.greedy_new_ids[8..<12]))
    }

    @Test func stopTokenEndsGenerationAndStaysOutOfTheText() throws {
        let generator = try Self.generator()
        let prompt = try Qwen2ModelGoldenTests.load("tiny-qwen2.5").1.prompts[0]
        // Make the third greedy token a stop token.
        let third = prompt.greedy_new_ids[2]
        var parameters = Self.greedy(maxTokens: 24)
        parameters.stopTokenIds.insert(third)
        let result = try Self.collect(generator, prompt: prompt.input_ids, parameters: parameters)
        #expect(result.ids == Array(prompt.greedy_new_ids[0..<3]))
        #expect(result.summary.finishReason == .stop)
        #expect(result.text == generator.tokenizer.decode(Array(prompt.greedy_new_ids[0..<2])))
    }

    @Test func stopStringSplitAcrossTokensIsCutFromTheText() throws {
        let generator = try Self.generator()
        let prompt = try Qwen2ModelGoldenTests.load("tiny-qwen2.5").1.prompts[0]
        let ids = prompt.greedy_new_ids
        let full = Array(generator.tokenizer.decode(ids))
        // The first token i whose text is at least 2 characters after a non-empty prefix: the stop
        // string is the prefix's last character and token i's first, so it spans two tokens.
        let prefixLengths = (0...ids.count).map { generator.tokenizer.decode(Array(ids[..<$0])).count }
        let i = try #require((1..<ids.count).first { prefixLengths[$0] >= 1 && prefixLengths[$0 + 1] >= prefixLengths[$0] + 2 })
        let cut = prefixLengths[i] - 1
        let stop = String(full[cut...cut + 1])
        var parameters = Self.greedy(maxTokens: 24)
        parameters.stopStrings = ["never generated", stop]
        let result = try Self.collect(generator, prompt: prompt.input_ids, parameters: parameters)
        #expect(result.summary.finishReason == .stop)
        #expect(result.summary.stopString == stop)
        #expect(result.text == String(full[..<cut]))
        #expect(result.ids == Array(ids[...i]))
    }

    @Test func fullContextEndsWithLength() throws {
        let generator = try Self.generator(contextLength: 20)
        let prompt = try Qwen2ModelGoldenTests.load("tiny-qwen2.5").1.prompts[0]  // 18 tokens
        let result = try Self.collect(generator, prompt: prompt.input_ids, parameters: Self.greedy(maxTokens: 24))
        #expect(result.summary.finishReason == .length)
        #expect(result.ids == Array(prompt.greedy_new_ids[0..<3]))
    }

    @Test func promptLongerThanTheContextIsAnError() throws {
        let generator = try Self.generator(contextLength: 8)
        #expect(throws: ModelError.contextLengthExceeded(requested: 10, capacity: 8)) {
            _ = try Self.collect(generator, prompt: Array(repeating: 9707, count: 10), parameters: .greedy)
        }
        #expect(throws: ModelError.emptyInput) {
            _ = try Self.collect(generator, prompt: [], parameters: .greedy)
        }
    }

    @Test func sameSeedSameTokens() throws {
        let generator = try Self.generator()
        let prompt = [9707, 11, 1879]
        var parameters = SamplingParameters(temperature: 1, topK: 50, topP: 0.95, seed: 7, maxTokens: 16)
        let a = try Self.collect(generator, prompt: prompt, parameters: parameters)
        let b = try Self.collect(generator, prompt: prompt, parameters: parameters)
        parameters.seed = 8
        let c = try Self.collect(generator, prompt: prompt, parameters: parameters)
        #expect(a.ids == b.ids)
        #expect(a.ids != c.ids)
    }

    @Test func invalidParametersAreRejected() throws {
        let generator = try Self.generator()
        #expect(throws: SamplingParametersError.self) {
            _ = try Self.collect(generator, prompt: [9707], parameters: SamplingParameters(topP: 1.5))
        }
    }

    @Test func streamDeliversTokensThenSummary() async throws {
        let generator = try Self.generator()
        var ids: [Int] = []
        var summary: GenerationSummary?
        for try await event in generator.generate(prompt: [9707, 11], parameters: Self.greedy(maxTokens: 5)) {
            switch event {
            case .token(let token):
                #expect(summary == nil)
                ids.append(token.id)
            case .finished(let finished): summary = finished
            }
        }
        #expect(ids.count == 5)
        #expect(summary?.completionTokens == 5)
    }

    @Test func cancellationStopsWithinOneToken() async throws {
        let generator = try Self.generator(contextLength: 4096)
        let run = Task {
            var count = 0
            return try generator.run(prompt: [9707], parameters: SamplingParameters(temperature: 0)) { _ in
                count += 1
                if count == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        let summary = try await run.value
        #expect(summary.finishReason == .cancelled)
        #expect(summary.completionTokens == 3)
    }

    /// A consumer whose task is cancelled ends the stream, which cancels the generating task: it
    /// stops before its next token and frees the generator. Read from the prefix the generator
    /// keeps: a probe prompt of the run's prompt and its greedy continuation's first two tokens
    /// reuses the prompt when the cancelled run generated nothing, one token more when it generated
    /// any. The 3000-token prompt keeps the run in prefill while the consumer cancels. (Counting the
    /// tokens a cancelling consumer still receives cannot tell: a starved consumer finds the whole
    /// run buffered.)
    @Test func droppingTheStreamFreesTheGenerator() async throws {
        var random = SplitMix64(seed: 5)
        let prompt = (0..<3000).map { _ in random.index(below: 1000) }
        let greedy = try Self.collect(Self.generator(contextLength: 4096), prompt: prompt, parameters: Self.greedy(maxTokens: 2)).ids
        let generator = try Self.generator(contextLength: 4096)
        let consumer = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            var count = 0
            for try await event in generator.generate(prompt: prompt, parameters: SamplingParameters(temperature: 0)) {
                if case .token = event { count += 1 }
            }
            return count
        }
        _ = try? await consumer.value
        let probe = try Self.collect(generator, prompt: prompt + greedy, parameters: Self.greedy(maxTokens: 1))
        #expect(probe.summary.prefilledTokens == 2, "the cancelled run generated tokens")
        #expect(probe.ids.count == 1)
    }
}
