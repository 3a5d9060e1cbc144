import Foundation
import QwenKit

/// The server's counters, gauges and histograms, exposed as Prometheus text on `GET /metrics`.
///
/// Hand-written rather than swift-prometheus: the exposition format is a few lines of text, and
/// one lock-protected struct keeps the dependency list to Hummingbird alone.
///
/// ```swift
/// let metrics = ServerMetrics(engine: engine)
/// metrics.recordRequest(path: "/v1/chat/completions", status: 200)
/// print(metrics.exposition())
/// ```
public final class ServerMetrics: @unchecked Sendable {
    private struct State {
        var requests: [String: Int] = [:]
        var promptTokens = 0
        var completionTokens = 0
        var timeToFirstToken = Histogram(bounds: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
        var interTokenLatency = Histogram(bounds: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1])
    }

    private let lock = NSLock()
    private var state = State()
    /// The engine whose queue, sequences and KV cache the gauges show.
    public let engine: BatchEngine

    /// Metrics for a server generating with `engine`.
    public init(engine: BatchEngine) {
        self.engine = engine
    }

    private func update(_ change: (inout State) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        change(&state)
    }

    /// Counts a finished request by route and status code.
    public func recordRequest(path: String, status: Int) {
        let key = "path=\"\(path)\",status=\"\(status)\""
        update { $0.requests[key, default: 0] += 1 }
    }

    /// Counts the tokens of one generation.
    func recordTokens(prompt: Int, completion: Int) {
        update {
            $0.promptTokens += prompt
            $0.completionTokens += completion
        }
    }

    func observeTimeToFirstToken(_ seconds: Double) {
        update { $0.timeToFirstToken.observe(seconds) }
    }

    func observeInterTokenLatency(_ seconds: Double) {
        update { $0.interTokenLatency.observe(seconds) }
    }

    /// The Prometheus text exposition (format 0.0.4).
    public func exposition() -> String {
        lock.lock()
        let s = state
        lock.unlock()
        let load = engine.load
        let kvCacheTokens = engine.slotCount * engine.contextLength
        var lines = [
            "# HELP qwen_requests_total HTTP requests by route and status code.",
            "# TYPE qwen_requests_total counter",
        ]
        lines += s.requests.keys.sorted().map { "qwen_requests_total{\($0)} \(s.requests[$0] ?? 0)" }
        lines += [
            "# HELP qwen_prompt_tokens_total Prompt tokens of finished generations.",
            "# TYPE qwen_prompt_tokens_total counter",
            "qwen_prompt_tokens_total \(s.promptTokens)",
            "# HELP qwen_completion_tokens_total Generated tokens.",
            "# TYPE qwen_completion_tokens_total counter",
            "qwen_completion_tokens_total \(s.completionTokens)",
            "# HELP qwen_time_to_first_token_seconds From the request reaching the scheduler to its first token.",
            "# TYPE qwen_time_to_first_token_seconds histogram",
        ]
        lines += s.timeToFirstToken.lines(name: "qwen_time_to_first_token_seconds")
        lines += [
            "# HELP qwen_inter_token_latency_seconds Time between consecutive tokens of a sequence.",
            "# TYPE qwen_inter_token_latency_seconds histogram",
        ]
        lines += s.interTokenLatency.lines(name: "qwen_inter_token_latency_seconds")
        lines += [
            "# HELP qwen_queue_depth Sequences waiting for a slot.",
            "# TYPE qwen_queue_depth gauge",
            "qwen_queue_depth \(load.waiting)",
            "# HELP qwen_running_sequences Sequences being prefilled or decoded.",
            "# TYPE qwen_running_sequences gauge",
            "qwen_running_sequences \(load.running)",
            "# HELP qwen_parallel_sequences Sequence slots: the most sequences decoded together.",
            "# TYPE qwen_parallel_sequences gauge",
            "qwen_parallel_sequences \(engine.slotCount)",
            "# HELP qwen_kv_cache_used_tokens KV cache rows held by running sequences.",
            "# TYPE qwen_kv_cache_used_tokens gauge",
            "qwen_kv_cache_used_tokens \(load.usedTokens)",
            "# HELP qwen_kv_cache_cached_tokens KV cache rows idle slots keep for prefix reuse.",
            "# TYPE qwen_kv_cache_cached_tokens gauge",
            "qwen_kv_cache_cached_tokens \(load.cachedTokens)",
            "# HELP qwen_kv_cache_capacity_tokens KV cache rows of all slots.",
            "# TYPE qwen_kv_cache_capacity_tokens gauge",
            "qwen_kv_cache_capacity_tokens \(kvCacheTokens)",
            "# HELP qwen_kv_cache_capacity_bytes Bytes the KV caches of all slots take when full.",
            "# TYPE qwen_kv_cache_capacity_bytes gauge",
            "qwen_kv_cache_capacity_bytes \(engine.kvCacheBytes)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
