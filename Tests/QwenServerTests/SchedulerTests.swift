import QwenKit
import QwenServer
import Testing

@Suite(.serialized) struct SchedulerTests {
    static func scheduler(maxInFlight: Int = 4, slots: Int = 1) throws -> Scheduler {
        let model = try #require(ServerHarness.model)
        var configuration = ServerConfiguration(modelName: "tiny")
        configuration.parallelSequences = slots
        return Scheduler(
            model: model, engine: try configuration.makeEngine(for: model), maxInFlight: maxInFlight, retryAfter: 2)
    }

    static func gauge(_ name: String, in metrics: ServerMetrics) -> String? {
        metrics.exposition().split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
    }

    @Test func admissionsAreCountedAndFreed() throws {
        let scheduler = try Self.scheduler(maxInFlight: 2)
        do {
            let held = (try scheduler.admit(), try scheduler.admit())
            _ = withExtendedLifetime(held) {
                #expect(throws: APIError.queueFull(retryAfter: 2)) { try scheduler.admit() }
            }
        }
        let again = (try? scheduler.admit(), try? scheduler.admit())
        #expect(again.0 != nil && again.1 != nil, "both places are free again")
    }

    /// On one slot, a generation runs to its limit while a cancelled one, queued behind it, ends
    /// and leaves the gauges at rest.
    @Test func cancelledGenerationLeavesTheQueue() async throws {
        let scheduler = try Self.scheduler()
        var parameters = SamplingParameters.greedy
        parameters.maxTokens = 200
        let prompt = [9707, 11, 1879]
        let running = Task {
            var tokens = 0
            for try await (_, event) in scheduler.generate([GenerationRequest(prompt: prompt, parameters: parameters)]) {
                if case .token = event { tokens += 1 }
            }
            return tokens
        }
        let waiting = Task {
            for try await _ in scheduler.generate([GenerationRequest(prompt: prompt, parameters: .greedy)]) {}
        }
        waiting.cancel()
        try await waiting.value
        #expect(try await running.value == 200)
        for _ in 0..<5000 where Self.gauge("qwen_running_sequences", in: scheduler.metrics) != "0" {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(Self.gauge("qwen_queue_depth", in: scheduler.metrics) == "0")
        #expect(Self.gauge("qwen_running_sequences", in: scheduler.metrics) == "0")
        #expect(Self.gauge("qwen_kv_cache_used_tokens", in: scheduler.metrics) == "0")
    }
}
