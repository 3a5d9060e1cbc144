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
/// for try await event in scheduler.generate(prompt: ids, parameters: parameters) { ... }
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

    /// Generates a continuation of `prompt` as one sequence of the engine, recording time to
    /// first token, inter-token latency and token counts; a `constraint` limits it to one JSON
    /// object. The sequence starts at once (or queues), whether or not the stream is read yet.
    public func generate(
        prompt: [Int], parameters: SamplingParameters, constraint: JSONObjectConstraint? = nil
    ) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let start = DispatchTime.now()
        let events = engine.generate(prompt: prompt, parameters: parameters, constraint: constraint)
        return AsyncThrowingStream { continuation in
            let task = Task { [metrics] in
                do {
                    var last: DispatchTime?
                    for try await event in events {
                        let now = DispatchTime.now()
                        switch event {
                        case .token:
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
}

extension DispatchTime {
    func seconds(since start: DispatchTime) -> Double {
        Double(uptimeNanoseconds &- start.uptimeNanoseconds) / 1e9
    }
}
