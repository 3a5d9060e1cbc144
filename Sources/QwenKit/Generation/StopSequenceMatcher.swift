/// Finds stop strings in streamed text: fed the text deltas of a streaming detokenizer, it
/// returns the text that is safe to show now, holding back any tail that could be the start of a
/// stop string, so that a stop string split over several tokens is still found and never shown.
///
/// Matching is exact on Unicode code points (as Python's `str.find` in vLLM), the earliest match
/// wins (the first listed one when several start at the same place), and neither the stop string
/// nor anything after it is returned.
///
/// ```swift
/// var matcher = StopSequenceMatcher(stopStrings: ["lo w"])
/// matcher.append("Hel").text     // ""       ("l" could start "lo w")
/// matcher.append("lo wor").text  // "Hel"    and isStopped is true
/// ```
public struct StopSequenceMatcher: Sendable {
    /// What to emit after one delta.
    public struct Output: Sendable, Equatable {
        /// Text that can be shown now.
        public var text: String
        /// The stop string that ended the text, if one was found; nothing more will be emitted.
        public var stopString: String?

        /// Whether a stop string was found.
        public var isStopped: Bool { stopString != nil }

        /// Creates an output.
        public init(text: String, stopString: String? = nil) {
            self.text = text
            self.stopString = stopString
        }
    }

    private let stopStrings: [[UInt8]]
    private var held: [UInt8] = []
    /// Whether a stop string has been found; later deltas are ignored.
    public private(set) var isStopped = false

    /// Creates a matcher for `stopStrings`; empty strings are ignored.
    public init(stopStrings: [String]) {
        self.stopStrings = stopStrings.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Adds the next piece of generated text and returns what can be shown.
    public mutating func append(_ delta: String) -> Output {
        guard !isStopped else { return Output(text: "") }
        held.append(contentsOf: delta.utf8)
        if let (start, stop) = earliestMatch() {
            isStopped = true
            let text = String(decoding: held[..<start], as: UTF8.self)
            held.removeAll()
            return Output(text: text, stopString: String(decoding: stop, as: UTF8.self))
        }
        let keep = longestTailThatStartsAStopString()
        let text = String(decoding: held[..<(held.count - keep)], as: UTF8.self)
        held.removeFirst(held.count - keep)
        return Output(text: text)
    }

    /// Ends the stream: returns the held-back text (empty after a stop string).
    public mutating func finish() -> String {
        defer { held.removeAll() }
        return isStopped ? "" : String(decoding: held, as: UTF8.self)
    }

    /// Start offset in `held` of the earliest stop string, with that stop string.
    private func earliestMatch() -> (Int, [UInt8])? {
        var best: (Int, [UInt8])?
        for stop in stopStrings where stop.count <= held.count {
            let lastStart = min(held.count - stop.count, (best?.0 ?? Int.max) - 1)
            guard lastStart >= 0 else { continue }
            for start in 0...lastStart where held[start..<(start + stop.count)].elementsEqual(stop) {
                best = (start, stop)
                break
            }
        }
        return best
    }

    /// Length of the longest suffix of `held` that is a proper prefix of some stop string.
    /// UTF-8 is self-synchronising, so such a suffix starts on a code point boundary.
    private func longestTailThatStartsAStopString() -> Int {
        var longest = 0
        for stop in stopStrings {
            for length in stride(from: min(stop.count - 1, held.count), to: longest, by: -1)
            where held[(held.count - length)...].elementsEqual(stop[..<length]) {
                longest = length
                break
            }
        }
        return longest
    }
}
