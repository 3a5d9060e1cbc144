import QwenKit

/// One choice of a non-streamed reply, generated to its end: its text, its sampled tokens and
/// how it ended.
///
/// ```swift
/// let choices = try await CompletedChoice.collect(scheduler.generate(requests), count: requests.count)
/// ```
struct CompletedChoice {
    var text = ""
    var tokens: [SampledToken] = []
    var summary: GenerationSummary

    /// Reads the interleaved events of `count` choices to their ends; throws `CancellationError`
    /// when the stream stops before every choice finished.
    static func collect(
        _ events: AsyncThrowingStream<(index: Int, event: GenerationEvent), any Error>, count: Int
    ) async throws -> [CompletedChoice] {
        var texts = [String](repeating: "", count: count)
        var tokens = [[SampledToken]](repeating: [], count: count)
        var summaries = [GenerationSummary?](repeating: nil, count: count)
        for try await (index, event) in events {
            switch event {
            case .token(let token):
                texts[index] += token.text
                tokens[index].append(token.sample)
            case .finished(let summary): summaries[index] = summary
            }
        }
        return try summaries.indices.map { index in
            guard let summary = summaries[index] else { throw CancellationError() }
            return CompletedChoice(text: texts[index], tokens: tokens[index], summary: summary)
        }
    }
}
