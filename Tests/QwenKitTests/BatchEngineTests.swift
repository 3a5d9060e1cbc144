import Foundation
import QwenKit
import Testing

/// Continuous batching on the tiny fixture model: a request gets the same tokens (bitwise ids)
/// alone or among others, joining mid-decode, queued, reusing a cached prefix or sampling with a
/// seed; cancelled consumers free their slot; bad requests and configurations are typed errors.
@Suite struct BatchEngineTests {
    static let directory = Fixtures.url("models/tiny-qwen2.5")
    static let model = try? Qwen2Model(directory: directory, threadCount: 2)
    static let tokenizer = try? Tokenizer(directory: directory)
    static let golden = try? Qwen2ModelGoldenTests.load("tiny-qwen2.5").1

    static func engine(slots: Int, contextLength: Int = 512, prefillTokenBudget: Int = 256) throws -> BatchEngine {
        try BatchEngine(
            model: #require(model), tokenizer: #require(tokenizer), slotCount: slots, contextLength: contextLength,
            prefillTokenBudget: prefillTokenBudget)
    }

    static func greedy(maxTokens: Int) -> SamplingParameters {
        SamplingParameters(temperature: 0, maxTokens: maxTokens)
    }

    struct Result: Equatable {
        var ids: [Int] = []
        var text = ""
        var summary: GenerationSummary?
    }

    static func collect(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws -> Result {
        var result = Result()
        for try await event in stream {
            switch event {
            case .token(let token):
                result.ids.append(token.id)
                result.text += token.text
            case .finished(let summary): result.summary = summary
            }
        }
        return result
    }

    /// Each request run alone, one after the other, on a fresh one-slot engine.
    static func alone(_ requests: [(prompt: [Int], parameters: SamplingParameters)]) async throws -> [Result] {
        var results: [Result] = []
        for request in requests {
            let engine = try engine(slots: 1)
            results.append(try await collect(engine.generate(prompt: request.prompt, parameters: request.parameters)))
        }
        return results
    }

    /// Runs `requests` at once on `engine` and returns their results in order.
    static func together(
        _ requests: [(prompt: [Int], parameters: SamplingParameters)], on engine: BatchEngine
    ) async throws -> [Result] {
        let streams = requests.map { engine.generate(prompt: $0.prompt, parameters: $0.parameters) }
        return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            for (index, stream) in streams.enumerated() {
                group.addTask { (index, try await collect(stream)) }
            }
            var results = [Result](repeating: Result(), count: streams.count)
            for try await (index, result) in group { results[index] = result }
            return results
        }
    }

    /// Sixteen requests over the four golden prompts, with different lengths to stop at.
    static func sixteenRequests() throws -> [(prompt: [Int], parameters: SamplingParameters)] {
        let prompts = try #require(golden).prompts.map(\.input_ids)
        return (0..<16).map { (prompts[$0 % prompts.count], greedy(maxTokens: 8 + 3 * $0)) }
    }

    @Test func aloneItFollowsTheGoldenGreedyContinuations() async throws {
        let engine = try Self.engine(slots: 1)
        for prompt in try #require(Self.golden).prompts {
            let result = try await Self.collect(engine.generate(prompt: prompt.input_ids, parameters: Self.greedy(maxTokens: 24)))
            #expect(result.ids == prompt.greedy_new_ids, "\(prompt.name)")
            #expect(result.summary?.finishReason == .length)
            #expect(result.summary?.completionTokens == 24)
        }
    }

    @Test func sixteenConcurrentGreedyRequestsEqualEachAlone() async throws {
        let requests = try Self.sixteenRequests()
        let expected = try await Self.alone(requests)
        let results = try await Self.together(requests, on: Self.engine(slots: 16))
        for (index, (result, alone)) in zip(results, expected).enumerated() {
            #expect(result.ids == alone.ids, "request \(index)")
            #expect(result.text == alone.text, "request \(index)")
        }
    }

    @Test func requestsJoiningMidDecodeEqualEachAlone() async throws {
        let requests = try Self.sixteenRequests().prefix(6).map { $0 }
        let expected = try await Self.alone(requests)
        let engine = try Self.engine(slots: 8)
        var first = engine.generate(prompt: requests[0].prompt, parameters: requests[0].parameters).makeAsyncIterator()
        var ids: [Int] = []
        // Three tokens in, the others join.
        while ids.count < 3, case .token(let token)? = try await first.next() { ids.append(token.id) }
        let others = try await Self.together(Array(requests.dropFirst()), on: engine)
        while case .token(let token)? = try await first.next() { ids.append(token.id) }
        #expect(ids == expected[0].ids)
        #expect(others.map(\.ids) == expected.dropFirst().map(\.ids))
    }

    @Test func requestsBeyondTheSlotsEqualEachAlone() async throws {
        let requests = try Self.sixteenRequests().prefix(5).map { $0 }
        let expected = try await Self.alone(requests)
        let engine = try Self.engine(slots: 2)
        let results = try await Self.together(requests, on: engine)
        #expect(results.map(\.ids) == expected.map(\.ids))
        #expect(try await Self.eventually { engine.load.running == 0 && engine.load.waiting == 0 })
    }

    /// Polls `condition` for up to two seconds.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<2000 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(1))
        }
        return condition()
    }

    @Test func requestsBeyondTheSlotsQueueFirstComeFirstServed() async throws {
        // The tiny model decodes thousands of tokens a second: "endless" must outlast a starved test task.
        let engine = try Self.engine(slots: 1, contextLength: 32768)
        let endless = Self.greedy(maxTokens: 32000)
        var first: AsyncThrowingStream<GenerationEvent, any Error>.AsyncIterator? =
            engine.generate(prompt: [9707], parameters: endless).makeAsyncIterator()
        _ = try await first?.next()
        var second: AsyncThrowingStream<GenerationEvent, any Error>.AsyncIterator? =
            engine.generate(prompt: [9707, 11], parameters: endless).makeAsyncIterator()
        let third = engine.generate(prompt: [9707, 11, 1879], parameters: Self.greedy(maxTokens: 3))
        // The load is published after each step.
        #expect(try await Self.eventually { engine.load.running == 1 && engine.load.waiting == 2 })
        _ = try await first?.next()
        #expect(engine.load.running == 1 && engine.load.waiting == 2, "the first request holds the only slot")
        // Dropping the first consumer frees the slot for the second, which came before the third.
        first = nil
        _ = try await second?.next()
        #expect(try await Self.eventually { engine.load.running == 1 && engine.load.waiting == 1 }, "the third still waits")
        second = nil
        let result = try await Self.collect(third)
        #expect(result.ids.count == 3)
        #expect(try await Self.eventually { engine.load.running == 0 && engine.load.waiting == 0 })
    }

    @Test func aCancelledConsumerFreesItsSlot() async throws {
        let engine = try Self.engine(slots: 1, contextLength: 4096)
        let endless = Task {
            var count = 0
            for try await event in engine.generate(prompt: [9707], parameters: Self.greedy(maxTokens: 4000)) {
                if case .token = event { count += 1 }
                if count == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return count
        }
        #expect(try await endless.value < 4000)
        // The only slot is free again: a second request runs to its end.
        let next = try await Self.collect(engine.generate(prompt: [9707], parameters: Self.greedy(maxTokens: 2)))
        #expect(next.ids.count == 2)
        #expect(try await Self.eventually { engine.load.running == 0 })
    }

    @Test func aSharedPrefixIsReusedAndGivesTheSameTokens() async throws {
        let golden = try #require(Self.golden)
        let chat = try #require(golden.prompts.first { $0.name == "chat" }).input_ids
        let followUp = chat + [9707, 11, 1879, 0]
        let expected = try await Self.alone([(followUp, Self.greedy(maxTokens: 16))])[0]
        let engine = try Self.engine(slots: 2)
        let first = try await Self.collect(engine.generate(prompt: chat, parameters: Self.greedy(maxTokens: 16)))
        #expect(first.summary?.prefilledTokens == chat.count)
        let second = try await Self.collect(engine.generate(prompt: followUp, parameters: Self.greedy(maxTokens: 16)))
        #expect(second.summary?.prefilledTokens == 4)
        #expect(second.ids == expected.ids)
        #expect(try await Self.eventually { engine.load.running == 0 && engine.load.cachedTokens > 0 })
    }

    @Test func parallelChoicesShareThePromptAndEqualEachAlone() async throws {
        let prompt = try #require(Self.golden?.prompts.first { $0.name == "chat-tools" }).input_ids
        var requests: [(prompt: [Int], parameters: SamplingParameters)] = []
        for seed in 0..<4 {
            requests.append((prompt, SamplingParameters(temperature: 1, topK: 40, seed: UInt64(seed), maxTokens: 12)))
        }
        let expected = try await Self.alone(requests)
        let results = try await Self.together(requests, on: Self.engine(slots: 4))
        #expect(results.map(\.ids) == expected.map(\.ids))
        // The first choice prefills the prompt; the others copy its keys and values.
        let prefilled = results.compactMap(\.summary?.prefilledTokens).sorted()
        #expect(prefilled == [1, 1, 1, prompt.count])
    }

    @Test func seededSamplingIsReproducibleInAnyBatch() async throws {
        let prompts = try #require(Self.golden).prompts.map(\.input_ids)
        let requests = (0..<8).map { index in
            (prompts[index % prompts.count],
             SamplingParameters(temperature: 0.9, topP: 0.9, seed: UInt64(100 + index), maxTokens: 20))
        }
        let expected = try await Self.alone(requests)
        let results = try await Self.together(requests, on: Self.engine(slots: 3))
        #expect(results.map(\.ids) == expected.map(\.ids))
    }

    @Test func longPromptsArePrefilledInChunks() async throws {
        let prompt = try #require(Self.golden?.prompts.first { $0.name == "chat-tools" })
        let engine = try Self.engine(slots: 2, prefillTokenBudget: 16)
        let short = engine.generate(prompt: [9707, 11], parameters: Self.greedy(maxTokens: 40))
        let long = try await Self.collect(engine.generate(prompt: prompt.input_ids, parameters: Self.greedy(maxTokens: 24)))
        #expect(long.ids == prompt.greedy_new_ids)
        #expect(try await Self.collect(short).ids.count == 40)
    }

    @Test func badRequestsEndTheirStreamWithTypedErrors() async throws {
        let engine = try Self.engine(slots: 1, contextLength: 16)
        await #expect(throws: ModelError.contextLengthExceeded(requested: 20, capacity: 16)) {
            _ = try await Self.collect(engine.generate(prompt: Array(repeating: 9707, count: 20), parameters: .greedy))
        }
        await #expect(throws: ModelError.emptyInput) {
            _ = try await Self.collect(engine.generate(prompt: [], parameters: .greedy))
        }
        await #expect(throws: ModelError.tokenOutOfRange(id: 151936, vocabularySize: 151936)) {
            _ = try await Self.collect(engine.generate(prompt: [1, 151936], parameters: .greedy))
        }
        await #expect(throws: SamplingParametersError.self) {
            _ = try await Self.collect(engine.generate(prompt: [1], parameters: SamplingParameters(topP: 0)))
        }
        // A prompt that fills the context still gets one token.
        let full = try await Self.collect(engine.generate(prompt: Array(repeating: 9707, count: 16), parameters: .greedy))
        #expect(full.ids.count == 1 && full.summary?.finishReason == .length)
    }

    @Test func badConfigurationsAreTypedErrors() throws {
        let model = try #require(Self.model), tokenizer = try #require(Self.tokenizer)
        #expect(throws: BatchEngineError.invalidSlotCount(0)) {
            try BatchEngine(model: model, tokenizer: tokenizer, slotCount: 0, contextLength: 64)
        }
        #expect(throws: BatchEngineError.invalidPrefillTokenBudget(0)) {
            try BatchEngine(model: model, tokenizer: tokenizer, slotCount: 1, contextLength: 64, prefillTokenBudget: 0)
        }
        #expect(throws: ModelError.invalidContextLength(0)) {
            try BatchEngine(model: model, tokenizer: tokenizer, slotCount: 1, contextLength: 0)
        }
        // 512 bytes per token (see KVCacheTests): 64 tokens take 32 KiB.
        #expect(throws: BatchEngineError.kvCacheMemoryTooSmall(bytes: 1000, bytesPerSequence: 32768)) {
            try BatchEngine(model: model, tokenizer: tokenizer, kvCacheMemory: 1000, contextLength: 64)
        }
        let engine = try BatchEngine(model: model, tokenizer: tokenizer, kvCacheMemory: 100_000, contextLength: 64)
        #expect(engine.slotCount == 3)
        #expect(engine.kvCacheBytes == 3 * 32768)
    }
}
