import Foundation

/// Where a ``BatchSequence`` reports its events: a stream of its own, or its place in a group's
/// shared stream. Called on the engine's loop thread (and by `submit` on a stopping engine).
struct GenerationSink: Sendable {
    /// Reports an event.
    let yield: @Sendable (GenerationEvent) -> Void
    /// Ends the sequence: normally with nil, or with an error.
    let finish: @Sendable ((any Error)?) -> Void

    /// A sink feeding one sequence's own stream.
    init(_ continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation) {
        yield = { continuation.yield($0) }
        finish = { error in
            if let error { continuation.finish(throwing: error) } else { continuation.finish() }
        }
    }

    /// The sinks of `count` sequences sharing one stream: events carry the sequence's index, the
    /// stream ends when every sequence has ended, or at the first error.
    static func group(
        count: Int, _ continuation: AsyncThrowingStream<(index: Int, event: GenerationEvent), any Error>.Continuation
    ) -> [GenerationSink] {
        let remaining = LockedCounter(count)
        return (0..<count).map { index in
            GenerationSink(
                yield: { continuation.yield((index, $0)) },
                finish: { error in
                    if let error {
                        continuation.finish(throwing: error)
                    } else if remaining.decrement() == 0 {
                        continuation.finish()
                    }
                })
        }
    }

    private init(
        yield: @escaping @Sendable (GenerationEvent) -> Void, finish: @escaping @Sendable ((any Error)?) -> Void
    ) {
        self.yield = yield
        self.finish = finish
    }
}

/// A count shared across threads.
private final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int

    init(_ value: Int) {
        self.value = value
    }

    /// Lowers the count by one and returns the new value.
    func decrement() -> Int {
        lock.withLock {
            value -= 1
            return value
        }
    }
}
