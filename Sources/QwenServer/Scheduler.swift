import Foundation
import QwenKit

/// Admits requests and gives them the model in turn.
///
/// A request first takes an ``Admission`` (429 past ``ServerConfiguration/maxRequestsInFlight``),
/// then each of its generations waits in a first-come queue for the model. The model's
/// ``Generator`` holds one KV cache, so one sequence decodes at a time; waiting is asynchronous,
/// so no thread blocks while a request queues. Ending the consuming task (a client that
/// disconnects) leaves the queue or stops the generation within one token.
///
/// ```swift
/// let admission = try scheduler.admit()
/// for try await event in scheduler.generate(prompt: ids, parameters: parameters) { ... }
/// ```
public final class Scheduler: @unchecked Sendable {
    /// Proof that a request was admitted; the slot frees when it is released.
    public final class Admission: Sendable {
        private let scheduler: Scheduler

        fileprivate init(scheduler: Scheduler) {
            self.scheduler = scheduler
        }

        deinit { scheduler.leave() }
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    /// The model generations run on.
    public let model: LanguageModel
    /// Where queue depth, latencies and token counts are recorded.
    public let metrics: ServerMetrics
    private let maxInFlight: Int
    private let retryAfter: Int
    private let lock = NSLock()
    private var inFlight = 0
    private var isModelBusy = false
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0

    /// A scheduler over `model` admitting at most `maxInFlight` requests at once.
    public init(model: LanguageModel, metrics: ServerMetrics, maxInFlight: Int, retryAfter: Int) {
        self.model = model
        self.metrics = metrics
        self.maxInFlight = maxInFlight
        self.retryAfter = retryAfter
    }

    /// Admits one more request, or throws 429 when ``ServerConfiguration/maxRequestsInFlight`` are in flight.
    public func admit() throws(APIError) -> Admission {
        lock.lock()
        defer { lock.unlock() }
        guard inFlight < maxInFlight else { throw .queueFull(retryAfter: retryAfter) }
        inFlight += 1
        return Admission(scheduler: self)
    }

    private func leave() {
        lock.lock()
        inFlight -= 1
        lock.unlock()
    }

    /// The token bytes JSON mode checks, built on first use.
    private var jsonVocabulary: JSONObjectConstraint.Vocabulary?

    /// A constraint to one JSON object for this model.
    public func jsonConstraint() -> JSONObjectConstraint {
        lock.withLock {
            let vocabulary = jsonVocabulary ?? JSONObjectConstraint.Vocabulary(
                tokenizer: model.tokenizer, size: model.model.configuration.vocabSize)
            jsonVocabulary = vocabulary
            return JSONObjectConstraint(vocabulary: vocabulary)
        }
    }

    /// Generates a continuation of `prompt` once the model is free, recording time to first
    /// token, inter-token latency and token counts; a `constraint` limits it to one JSON object.
    public func generate(
        prompt: [Int], parameters: SamplingParameters, constraint: JSONObjectConstraint? = nil
    ) -> AsyncThrowingStream<GenerationEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task { [self] in
                do {
                    let start = DispatchTime.now()
                    try await waitForModel()
                    defer { releaseModel() }
                    metrics.setLoad(running: 1, kvCacheUsed: prompt.count)
                    var last: DispatchTime?
                    var generated = 0
                    for try await event in model.generate(prompt: prompt, parameters: parameters, constraint: constraint) {
                        let now = DispatchTime.now()
                        switch event {
                        case .token:
                            generated += 1
                            metrics.setLoad(kvCacheUsed: prompt.count + generated)
                            if let last {
                                metrics.observeInterTokenLatency(now.seconds(since: last))
                            } else {
                                metrics.observeTimeToFirstToken(now.seconds(since: start))
                            }
                            last = now
                        case .finished(let summary):
                            metrics.recordTokens(prompt: summary.promptTokens, completion: summary.completionTokens)
                        }
                        continuation.yield(event)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func waitForModel() async throws {
        let id = lock.withLock {
            nextWaiterID += 1
            return nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                lock.lock()
                defer { lock.unlock() }
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else if !isModelBusy {
                    isModelBusy = true
                    continuation.resume()
                } else {
                    waiters.append(Waiter(id: id, continuation: continuation))
                    metrics.setLoad(queueDepth: waiters.count)
                }
            }
        } onCancel: {
            lock.lock()
            let index = waiters.firstIndex { $0.id == id }
            let waiter = index.map { waiters.remove(at: $0) }
            metrics.setLoad(queueDepth: waiters.count)
            lock.unlock()
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func releaseModel() {
        lock.lock()
        metrics.setLoad(running: 0, kvCacheUsed: 0)
        guard !waiters.isEmpty else {
            isModelBusy = false
            lock.unlock()
            return
        }
        let next = waiters.removeFirst()
        metrics.setLoad(queueDepth: waiters.count)
        lock.unlock()
        next.continuation.resume()
    }
}

extension DispatchTime {
    func seconds(since start: DispatchTime) -> Double {
        Double(uptimeNanoseconds &- start.uptimeNanoseconds) / 1e9
    }
}
