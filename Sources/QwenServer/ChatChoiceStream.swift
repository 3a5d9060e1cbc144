import QwenKit

/// The deltas of one streamed chat choice: its text as `content`, and the `<tool_call>` blocks
/// in it (when the request offers tools) as OpenAI's tool-call deltas. A call's first delta
/// carries its `index`, `id`, `type` and `function.name` with empty `arguments`; the following
/// ones carry the `index` and the next piece of `function.arguments`.
///
/// ```swift
/// var stream = ChatChoiceStream(parsesToolCalls: true, forcedPrefix: "")
/// for delta in stream.deltas(for: token.text) { write(delta) }
/// ```
struct ChatChoiceStream {
    private var parser: ToolCallParser?
    /// Calls started so far.
    private(set) var callCount = 0

    /// A choice whose output starts with `forcedPrefix` (already part of the prompt); tool calls
    /// are parsed when `parsesToolCalls`.
    init(parsesToolCalls: Bool, forcedPrefix: String) {
        if parsesToolCalls {
            var parser = ToolCallParser(streamsArguments: true)
            _ = parser.append(forcedPrefix)
            self.parser = parser
        }
    }

    /// The deltas the next piece of generated text completes.
    mutating func deltas(for text: String) -> [JSONObject] {
        guard parser != nil else { return text.isEmpty ? [] : [["content": .string(text)]] }
        return (parser?.append(text) ?? []).map { delta(for: $0) }
    }

    /// The deltas of what is held back at the end of the output.
    mutating func finish() -> [JSONObject] {
        (parser?.finish() ?? []).map { delta(for: $0) }
    }

    private mutating func delta(for segment: ToolCallParser.Segment) -> JSONObject {
        let call: JSONValue
        switch segment {
        case .text(let text): return ["content": .string(text)]
        case .toolCall(let whole):
            call = Self.toolCall(name: whole.name, arguments: whole.argumentsJSON, index: callCount)
            callCount += 1
        case .toolCallStart(let name):
            call = Self.toolCall(name: name, arguments: "", index: callCount)
            callCount += 1
        case .toolCallArguments(let fragment):
            call = ["index": .int(callCount - 1), "function": ["arguments": .string(fragment)]]
        }
        return ["tool_calls": [call]]
    }

    /// A tool call in OpenAI's shape, arguments as a JSON string; streamed calls carry their index.
    static func toolCall(name: String, arguments: String, index: Int? = nil) -> JSONValue {
        var object: JSONObject = index.map { ["index": .int($0)] } ?? [:]
        object["id"] = .string(ResponseEncoding.id(prefix: "call_"))
        object["type"] = "function"
        object["function"] = ["name": .string(name), "arguments": .string(arguments)]
        return .object(object)
    }
}
