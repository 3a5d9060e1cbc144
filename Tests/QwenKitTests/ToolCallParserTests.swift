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
