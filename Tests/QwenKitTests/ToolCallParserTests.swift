import QwenKit
import Testing

@Suite struct ToolCallParserTests {
    let weather = ToolCall(name: "get_weather", arguments: ["city": "Hangzhou", "unit": "celsius"])
    let beijing = ToolCall(name: "get_weather", arguments: ["city": "北京"])
    /// What Qwen2.5 writes for two calls in one turn.
    let twoCalls = """
        <tool_call>
        {"name": "get_weather", "arguments": {"city": "Hangzhou", "unit": "celsius"}}
        </tool_call>
        <tool_call>
        {"name": "get_weather", "arguments": {"city": "北京"}}
        </tool_call>
        """

    @Test func plainTextIsOneSegment() {
        #expect(ToolCallParser.parse("Hello, <world>!\n") == [.text("Hello, <world>!\n")])
    }

    @Test func twoCallsInOneTurn() {
        #expect(ToolCallParser.parse(twoCalls) == [.toolCall(weather), .toolCall(beijing)])
    }

    @Test func textBeforeACallKeepsItsWordsNotTheLayout() {
        let output = "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\"}}\n</tool_call>"
        #expect(ToolCallParser.parse(output) == [.text("Let me check."), .toolCall(beijing)])
    }

    @Test func badJSONComesBackAsText() {
        let output = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": }\n</tool_call>"
        #expect(ToolCallParser.parse(output) == [.text(output)])
    }

    @Test func callWithoutNameOrWithNonObjectArgumentsIsText() {
        for body in [#"{"arguments": {}}"#, #"{"name": "f", "arguments": "x"}"#, #"[1, 2]"#] {
            let output = "<tool_call>\(body)</tool_call>"
            #expect(ToolCallParser.parse(output) == [.text(output)])
        }
    }

    @Test func missingArgumentsMeanNone() {
        #expect(ToolCallParser.parse(#"<tool_call>{"name": "now"}</tool_call>"#) == [.toolCall(ToolCall(name: "now", arguments: [:]))])
    }

    @Test func unterminatedCompleteCallIsACall() {
        #expect(ToolCallParser.parse("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\"}}\n") == [.toolCall(beijing)])
    }

    @Test func truncatedCallIsText() {
        let output = "<tool_call>\n{\"name\": \"get_weather\", \"argu"
        #expect(ToolCallParser.parse(output) == [.text(output)])
    }

    @Test func partialTagAtTheEndIsText() {
        #expect(ToolCallParser.parse("a <tool_ca") == [.text("a <tool_ca")])
    }

    @Test func streamingInAnySplitGivesTheSameSegments() {
        let outputs = [twoCalls, "Sure: <tool_call>{\"name\": \"f\"}</tool_call> done <tool", "x<tool_call>{bad}</tool_call>\n\ny  "]
        for output in outputs {
            let whole = ToolCallParser.parse(output)
            let characters = Array(output)
            for step in [1, 2, 3, 7] {
                var parser = ToolCallParser()
                var segments: [ToolCallParser.Segment] = []
                var start = 0
                while start < characters.count {
                    let end = min(start + step, characters.count)
                    segments += parser.append(String(characters[start..<end]))
                    start = end
                }
                segments += parser.finish()
                #expect(Self.merged(segments) == whole, "split every \(step) characters of \(output)")
            }
        }
    }

    @Test func streamingReportsACallAsSoonAsItCloses() {
        var parser = ToolCallParser()
        #expect(parser.append("<tool_call>\n{\"name\": \"get_weather\", ") == [])
        #expect(parser.append("\"arguments\": {\"city\": \"北京\"}}\n</tool_call>") == [.toolCall(beijing)])
        #expect(parser.finish() == [])
    }

    // MARK: Streaming arguments

    /// A streamed reply reassembled as a client accumulating OpenAI deltas does.
    struct Reassembled: Equatable {
        var content = ""
        var calls: [(name: String, arguments: String)] = []
        /// Argument fragments sent per call.
        var fragments: [Int] = []

        static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.content == rhs.content && lhs.calls.map(\.name) == rhs.calls.map(\.name)
                && lhs.calls.map(\.arguments) == rhs.calls.map(\.arguments)
        }
    }

    /// The tokenizer of the fixture model, to cut outputs where the model's tokens end.
    static let tokenizer = try? Tokenizer(directory: Fixtures.url("models/tiny-qwen2.5"))

    /// `output` as the model streams it: the texts its tokens complete.
    static func tokenTexts(_ output: String) throws -> [String] {
        let tokenizer = try #require(tokenizer)
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        let texts = tokenizer.encode(output).map { detokenizer.append($0) } + [detokenizer.finish()]
        #expect(texts.joined() == output)
        return texts
    }

    /// Feeds `pieces` to a streaming parser and reassembles what it reports.
    static func streamed(_ pieces: [String]) -> Reassembled {
        var parser = ToolCallParser(streamsArguments: true)
        var result = Reassembled()
        for segment in pieces.flatMap({ parser.append($0) }) + parser.finish() {
            switch segment {
            case .text(let text): result.content += text
            case .toolCall(let call):
                result.calls.append((call.name, call.argumentsJSON))
                result.fragments.append(1)
            case .toolCallStart(let name):
                result.calls.append((name, ""))
                result.fragments.append(0)
            case .toolCallArguments(let fragment):
                result.calls[result.calls.count - 1].arguments += fragment
                result.fragments[result.fragments.count - 1] += 1
            }
        }
        return result
    }

    /// What the non-streaming reply carries for `output`.
    static func whole(_ output: String) -> Reassembled {
        var result = Reassembled()
        for segment in ToolCallParser.parse(output) {
            switch segment {
            case .text(let text): result.content += text
            case .toolCall(let call): result.calls.append((call.name, call.argumentsJSON))
            case .toolCallStart, .toolCallArguments: Issue.record("parse(_:) streams nothing")
            }
        }
        return result
    }

    /// Model-like outputs whose streamed calls equal the non-streamed ones, token by token and
    /// in other cuts, with the arguments sent in several fragments.
    @Test(arguments: [
        // One call.
        "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Hangzhou\", \"unit\": \"celsius\"}}\n</tool_call>",
        // Text before a call.
        "Let me check the weather.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\"}}\n</tool_call>",
        // Nested objects, strings holding braces, tags, escaped quotes and unicode escapes.
        #"<tool_call> {"name": "run_query", "arguments": {"sql": "SELECT '}' FROM t WHERE a = \"x\" -- </tool>", "options": {"limit": 10, "tags": ["a}", "\u00e9\ud83d\ude00", "日本"], "deep": {"x": [1.50, -0.0, 2E3, true, null, {}, [], [[]]]}}}}"# + "\n</tool_call>",
        // Compact layout and escapes the serializer rewrites.
        #"<tool_call>{"name":"f","arguments":{"path":"a\/b\\c","n":100000000000000000000,"t":"\t"}}</tool_call>"#,
    ])
    func streamedCallsEqualTheNonStreamedOnes(output: String) throws {
        let whole = Self.whole(output)
        #expect(!whole.calls.isEmpty, "the fixture is a well-formed call")
        let byToken = Self.streamed(try Self.tokenTexts(output))
        #expect(byToken == whole)
        #expect(byToken.fragments.allSatisfy { $0 > 1 }, "arguments come in several fragments: \(byToken.fragments)")
        for step in [1, 2, 5, 1000] {
            let characters = Array(output)
            let pieces = stride(from: 0, to: characters.count, by: step).map {
                String(characters[$0 ..< min($0 + step, characters.count)])
            }
            #expect(Self.streamed(pieces) == whole, "cut every \(step) characters")
        }
    }

    @Test func twoCallsStreamEachWithItsOwnFragments() throws {
        let streamed = Self.streamed(try Self.tokenTexts(twoCalls))
        #expect(streamed == Self.whole(twoCalls))
        #expect(streamed.calls.map(\.arguments) == [#"{"city": "Hangzhou", "unit": "celsius"}"#, #"{"city": "北京"}"#])
        #expect(streamed.fragments.allSatisfy { $0 > 1 })
        #expect(streamed.content == "")
    }

    @Test func nameIsReportedBeforeTheArgumentsAreWritten() {
        var parser = ToolCallParser(streamsArguments: true)
        #expect(parser.append("<tool_call>\n{\"name\": \"get_weather\"") == [])
        #expect(parser.append(", \"arguments\": {\"ci") == [.toolCallStart(name: "get_weather"), .toolCallArguments("{\"ci")])
        #expect(parser.append("ty\": \"北") == [.toolCallArguments("ty\": \"北")])
        // A number is certain only once it ends; the closing tag is held until it is whole.
        #expect(parser.append("\", \"days\": 3") == [.toolCallArguments("\", \"days\": ")])
        #expect(parser.append("}}\n</tool") == [.toolCallArguments("3}")])
        #expect(parser.append("_call>") == [])
        #expect(parser.finish() == [])
    }

    /// Bad JSON that looks like a call, or a call not in the streamed shape, is never streamed:
    /// it comes back as the non-streaming parse gives it.
    @Test(arguments: [
        "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": 1}\"}\n</tool_call>",
        "<tool_call>\n{\"name\": get_weather, \"arguments\": {\"city\": 1}}\n</tool_call>",
        "<tool_call>\n{\"arguments\": {\"city\": \"北京\"}, \"name\": \"get_weather\"}\n</tool_call>",
        "<tool_call>\n{\"name\": \"now\"}\n</tool_call> and then some text",
        "<tool_call>\n[\"get_weather\", {\"city\": 1}]\n</tool_call>",
        "<tool_call>\n{\"name\": \"get_weather\", \"argu",
    ])
    func callsNotInTheStreamedShapeComeBackAsTheWholeParseGivesThem(output: String) throws {
        #expect(Self.streamed(try Self.tokenTexts(output)) == Self.whole(output))
        #expect(Self.streamed(try Self.tokenTexts(output)).fragments.allSatisfy { $0 <= 1 })
    }

    /// The trade-off of streaming: once arguments started, a call stays a call. Cut by the token
    /// limit, its arguments are what was written (as OpenAI returns a truncated call); broken
    /// later, the rest follows as written.
    @Test func streamedCallCutOrBrokenKeepsWhatWasWritten() throws {
        let cut = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Hang"
        #expect(Self.whole(cut).content == cut, "the non-streaming reply returns it as text")
        let streamedCut = Self.streamed(try Self.tokenTexts(cut))
        #expect(streamedCut.calls.map(\.name) == ["get_weather"])
        #expect(streamedCut.calls.map(\.arguments) == [#"{"city": "Hang"#])
        #expect(streamedCut.content == "")
        let number = Self.streamed(["<tool_call>{\"name\": \"f\", \"arguments\": {\"n\": 12"])
        #expect(number.calls.map(\.arguments) == [#"{"n": 12"#], "a number cut short is passed on as written")
        let broken = "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1 2}}\n</tool_call>\nDone."
        let streamedBroken = Self.streamed(try Self.tokenTexts(broken))
        #expect(streamedBroken.calls.map(\.arguments) == ["{\"a\": 1 2}}\n"])
        #expect(streamedBroken.content == "Done.")
    }

    @Test func nonStreamingParserIgnoresTheStreamedShape() {
        var parser = ToolCallParser()
        #expect(parser.append("<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": ") == [])
        #expect(parser.append("1}}</tool_call>") == [.toolCall(ToolCall(name: "f", arguments: ["a": 1]))])
    }

    /// Adjacent text segments joined, since streaming may cut text anywhere.
    static func merged(_ segments: [ToolCallParser.Segment]) -> [ToolCallParser.Segment] {
        var result: [ToolCallParser.Segment] = []
        for segment in segments {
            if case .text(let text) = segment, case .text(let previous)? = result.last {
                result[result.count - 1] = .text(previous + text)
            } else {
                result.append(segment)
            }
        }
        return result
    }
}
