import Foundation

/// A request to a ``BatchEngine`` from its arrival to its last event: the prompt, its decode
/// state and the sink its events go to. Mutated only on the engine's loop thread, except for
/// ``cancel()``.
final class BatchSequence: @unchecked Sendable {
    let prompt: [Int]
    private(set) var decoder: SequenceDecoder
    private let sink: GenerationSink
    /// The token the next decode row runs: the prompt's last token, then each sampled token;
    /// nil while the rest of the prompt is being prefilled.
    private(set) var nextToken: Int?
    /// Prompt tokens run through the model (the rest were reused from a cache).
    private(set) var prefilledTokens = 0
    private var started = DispatchTime.now()
    private var firstToken: DispatchTime?
    private let lock = NSLock()
    private var cancelled = false

    init(prompt: [Int], decoder: SequenceDecoder, sink: GenerationSink) {
        self.prompt = prompt
        self.decoder = decoder
        self.sink = sink
    }

    /// Whether the consumer went away; set from any thread.
    var isCancelled: Bool {
        lock.withLock { cancelled }
    }

    /// Marks the sequence as abandoned by its consumer; the loop frees its slot at the next step.
    func cancel() {
        lock.withLock { cancelled = true }
    }

    /// Whether the sequence takes part in decode steps (its prompt is prefilled up to its last token).
    var isDecoding: Bool { nextToken != nil }

    /// Records that the sequence got a slot now.
    func didStart() {
        started = DispatchTime.now()
    }

    /// Records that `count` more prompt tokens were run; once only the last one is left, it
    /// becomes the first decode row.
    func didPrefill(_ count: Int, cached: Int) {
        prefilledTokens += count
        if cached == prompt.count - 1 {
            nextToken = prompt[cached]
            prefilledTokens += 1
        }
    }

    /// Samples from the logits of the decode row that ran ``nextToken`` and reports the token;
    /// when it is the last, also the summary, and ends the stream. Returns whether the sequence
    /// is finished.
    func decode(logits: UnsafeMutableBufferPointer<Float>) -> Bool {
        let token = decoder.decode(logits: logits)
        let now = DispatchTime.now()
        if firstToken == nil { firstToken = now }
        sink.yield(.token(token))
        guard decoder.isFinished else {
            nextToken = token.id
            return false
        }
        let first = firstToken ?? now
        sink.yield(.finished(decoder.summary(
            prefilledTokens: prefilledTokens, prefillSeconds: first.seconds(since: started),
            decodeSeconds: now.seconds(since: first))))
        sink.finish(nil)
        return true
    }

    /// Ends the stream with `error`.
    func fail(_ error: any Error) {
        sink.finish(error)
    }
}
