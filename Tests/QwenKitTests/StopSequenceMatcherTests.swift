import QwenKit
import Testing

@Suite struct StopSequenceMatcherTests {
    /// Feeds `deltas` and returns the emitted pieces, the stop string found and what `finish` flushed.
    private func run(_ stops: [String], _ deltas: [String]) -> (pieces: [String], stop: String?, flushed: String) {
        var matcher = StopSequenceMatcher(stopStrings: stops)
        var pieces: [String] = []
        var stop: String?
        for delta in deltas {
            let output = matcher.append(delta)
            pieces.append(output.text)
            if output.isStopped { stop = output.stopString }
        }
        return (pieces, stop, matcher.finish())
    }

    @Test func stopStringSplitAcrossDeltas() {
        let result = run(["lo w"], ["Hel", "lo wor", "ld"])
        #expect(result.pieces == ["He", "l", ""])
        #expect(result.stop == "lo w")
        #expect(result.flushed == "")
    }

    @Test func earliestOfTwoStopStringsWins() {
        let result = run(["world", "o w"], ["Hello world"])
        #expect(result.pieces == ["Hell"])
        #expect(result.stop == "o w")
    }

    @Test func firstListedWinsAtTheSameStart() {
        let result = run(["ab", "abc"], ["xabcd"])
        #expect(result.pieces == ["x"])
        #expect(result.stop == "ab")
    }

    @Test func stopAtTheStart() {
        let result = run(["<|im_end|>"], ["<|im_", "end|>more"])
        #expect(result.pieces == ["", ""])
        #expect(result.stop == "<|im_end|>")
    }

    @Test func heldTextIsReleasedWhenItStopsMatching() {
        let result = run(["STOP"], ["go ST", "O", "P? no: STO", "RM"])
        #expect(result.pieces == ["go ", "", "", ""])
        #expect(result.stop == "STOP")

        let released = run(["STOP"], ["go ST", "ORM", " S"])
        #expect(released.pieces == ["go ", "STORM", " "])
        #expect(released.stop == nil)
        #expect(released.flushed == "S")
    }

    @Test func finishFlushesAPartialMatch() {
        let result = run(["</answer>"], ["42 </ans"])
        #expect(result.pieces == ["42 "])
        #expect(result.flushed == "</ans")
    }

    @Test func textWithoutStopStringsPassesThrough() {
        let result = run([], ["a", "b"])
        #expect(result.pieces == ["a", "b"])
        #expect(result.flushed == "")
    }

    @Test func unicodeStopStrings() {
        let result = run(["😀 fin", "終わり"], ["café 😀", " fi", "n!"])
        #expect(result.pieces == ["café ", "", ""])
        #expect(result.stop == "😀 fin")

        let japanese = run(["終わり"], ["これで終", "わりです"])
        #expect(japanese.pieces == ["これで", ""])
        #expect(japanese.stop == "終わり")
    }

    @Test func nothingIsEmittedAfterTheStop() {
        var matcher = StopSequenceMatcher(stopStrings: ["x"])
        #expect(matcher.append("axb") == .init(text: "a", stopString: "x"))
        #expect(matcher.isStopped)
        #expect(matcher.append("more") == .init(text: ""))
        #expect(matcher.finish() == "")
    }
}
