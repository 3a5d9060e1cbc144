import Foundation
import QwenKit

/// Admits requests and hands their generations to the continuous-batching engine.
///
/// A request first takes an ``Admission`` (429 past ``ServerConfiguration/maxRequestsInFlight``
/// requests served or queued); each of its generations (one per choice) is then a sequence of
/// the ``BatchEngine``, which decodes up to ``BatchEngine/slotCount`` of them together and queues
/// the rest first come, first served, without blocking a thread. Ending the consuming task (a
/// client that disconnects) frees the sequence's slot or queue place within one step.
///
/// ```swift
/// let admission = try scheduler.admit()
/// for try await (choice, event) in scheduler.generate([GenerationRequest(prompt: ids, parameters: parameters)]) { ... }
/// ```
public final class Scheduler: @unchecked Sendable {
    /// Proof that a request was admitted; the place frees when it is released.
    public final class Admission: Sendable {
        private let scheduler: Scheduler

        fileprivate init(scheduler: Scheduler) {
            self.scheduler = scheduler
        }

        deinit { scheduler.leave() }
    }

    /// The model, its tokenizer and sampling defaults.
    public let model: LanguageModel
    /// The engine sequences run on.
    public let engine: BatchEngine
    /// Where queue depth, latencies and token counts are recorded.
    public let metrics: ServerMetrics
    private let maxInFlight: Int
    private let retryAfter: Int
    private let lock = NSLock()
    private var inFlight = 0
    /// The token bytes JSON mode checks, built on first use.
    private var jsonVocabulary: JSONObjectConstraint.Vocabulary?

    /// A scheduler over `engine` (running `model`) admitting at most `maxInFlight` requests at once.
    public init(model: LanguageModel, engine: BatchEngine, maxInFlight: Int, retryAfter: Int) {
        self.model = model
        self.engine = engine
        metrics = ServerMetrics(engine: engine)
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
        lock.withLock { inFlight -= 1 }
    }

    /// A constraint to one JSON object for this model.
    public func jsonConstraint() -> JSONObjectConstraint {
        lock.withLock {
            let vocabulary = jsonVocabulary ?? JSONObjectConstraint.Vocabulary(
                tokenizer: model.tokenizer, size: model.model.configuration.vocabSize)
            jsonVocabulary = vocabulary
            return JSONObjectConstraint(vocabulary: vocabulary)
        }
    }

    /// Generates a continuation of each request (the choices of one API request) as sequences of
    /// the engine, their events in one stream in the order the engine produces them (see
    /// ``BatchEngine/generate(_:)``), recording each one's time to first token, inter-token
    /// latency and token counts. The sequences start at once (or queue), whether or not the stream
    /// is read yet.
    public func generate(
        _ requests: [GenerationRequest]
    ) -> AsyncThrowingStream<(index: Int, event: GenerationEvent), any Error> {
        let start = DispatchTime.now()
        let events = engine.generate(requests)
        return AsyncThrowingStream { continuation in
            let task = Task { [metrics] in
                do {
                    var last = [DispatchTime?](repeating: nil, count: requests.count)
                    for try await (index, event) in events {
                        let now = DispatchTime.now()
                        switch event {
                        case .token:
                            if let previous = last[index] {
                                metrics.observeInterTokenLatency(now.seconds(since: previous))
                            } else {
                                metrics.observeTimeToFirstToken(now.seconds(since: start))
                            }
                            last[index] = now
                        case .finished(let summary):
                            metrics.recordTokens(prompt: summary.promptTokens, completion: summary.completionTokens)
                        }
                        continuation.yield((index, event))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

extension DispatchTime {
    func seconds(since start: DispatchTime) -> Double {
        Double(uptimeNanoseconds &- start.uptimeNanoseconds) / 1e9
    }
}
