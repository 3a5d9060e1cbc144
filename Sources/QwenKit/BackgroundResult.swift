import Foundation

/// A value computed on a thread of its own, so that two loading steps overlap: the tokenizer
/// builds its tables while the weights are copied (those threads spend much of their time waiting
/// on fresh memory).
///
/// ```swift
/// let tokenizer = BackgroundResult { try Tokenizer(gguf: file) }
/// let model = try Qwen2Model(gguf: file)
/// let ready = try tokenizer.value()
/// ```
final class BackgroundResult<Value: Sendable>: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    /// Written once by the worker thread before `finished` is signalled, read only after waiting on it.
    private var result: Result<Value, any Error>?

    /// Starts `work` on a new thread.
    init(_ work: @escaping @Sendable () throws -> Value) {
        Thread {
            self.result = Result(catching: work)
            self.finished.signal()
        }.start()
    }

    /// The value `work` returned (waiting for it), or the error it threw.
    func value() throws -> Value {
        finished.wait()
        defer { finished.signal() }
        guard let result else { preconditionFailure("the background work finished without a result") }
        return try result.get()
    }
}
