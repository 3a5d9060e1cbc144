import QwenKit
import QwenServer
import Testing

@Suite(.serialized) struct SchedulerTests {
    static func scheduler(maxInFlight: Int = 4) throws -> Scheduler {
        let model = try #require(ServerHarness.model)
        return Scheduler(
            model: model, metrics: ServerMetrics(kvCacheCapacity: model.generator.contextLength),
            maxInFlight: maxInFlight, retryAfter: 2)
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

    @Test func generationsQueueAndAWaiterThatLeavesFreesItsPlace() async throws {
        let scheduler = try Self.scheduler()
        var parameters = SamplingParameters.greedy
        parameters.maxTokens = 200
        let prompt = [9707, 11, 1879]
        var running = scheduler.generate(prompt: prompt, parameters: parameters).makeAsyncIterator()
        _ = try await running.next()
        #expect(Self.gauge("qwen_running_sequences", in: scheduler.metrics) == "1")
        let waiting = Task {
            for try await _ in scheduler.generate(prompt: prompt, parameters: .greedy) {}
        }
        while Self.gauge("qwen_queue_depth", in: scheduler.metrics) != "1" { await Task.yield() }
        waiting.cancel()
        try await waiting.value
        for _ in 0..<1000 where Self.gauge("qwen_queue_depth", in: scheduler.metrics) != "0" {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(Self.gauge("qwen_queue_depth", in: scheduler.metrics) == "0", "the waiter left the queue")
        var tokens = 1
        while let event = try await running.next() {
            if case .token = event { tokens += 1 }
        }
        #expect(tokens == 200)
        #expect(Self.gauge("qwen_running_sequences", in: scheduler.metrics) == "0")
        #expect(Self.gauge("qwen_completion_tokens_total", in: scheduler.metrics) == "200")
    }
}
