import Foundation

/// A function call the model asked for: the function's name and its arguments object.
public struct ToolCall: Sendable, Hashable {
    /// The function to call.
    public var name: String
    /// The arguments, as the JSON object the model wrote.
    public var arguments: JSONValue

    /// Creates a call of `name` with `arguments`.
    public init(name: String, arguments: JSONValue) {
        self.name = name
        self.arguments = arguments
    }

    /// How arguments are written as the JSON string OpenAI's API carries: Python's `json.dumps`
    /// layout, as Qwen2.5 itself writes them (`{"city": "北京", "days": 3}`).
    public static let argumentsFormat = JSONFormat.python()

    /// The arguments as a JSON string in ``argumentsFormat``.
    public var argumentsJSON: String { arguments.serialized(Self.argumentsFormat) }
}

/// Splits Qwen2.5 output into text and tool calls, as the model writes them:
/// `<tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>`, one block per call.
///
/// Feed text as it is generated with ``append(_:)`` and get segments back as soon as they are
/// certain; ``finish()`` flushes the rest. A block whose body is not a JSON object with a string
/// `name` (and an object `arguments`, if any) comes back as text, tags included: output that only
/// looks like a call is never an error. Whitespace between the text and a call, or between calls,
/// is layout and is dropped.
///
/// A parser made with `streamsArguments` reports a call as it is written, once its body begins
/// the way Qwen2.5 writes one, `{"name": "...", "arguments": {`: a ``Segment/toolCallStart(name:)``,
/// then ``Segment/toolCallArguments(_:)`` fragments that concatenate to the call's
/// ``ToolCall/argumentsJSON`` (re-serialized piece by piece as the text arrives). Calls written
/// otherwise (arguments first, no arguments) still come whole as ``Segment/toolCall(_:)``. The
/// trade-off: a streamed call cannot be taken back, so a body that breaks after its arguments
/// started (bad JSON, cut by the token limit, a repeated key) stays a call whose arguments are
/// what the model wrote (from the first byte at fault as written), where ``parse(_:)`` returns
/// the block as text (or the repeated key's last value once).
///
/// ```swift
/// let segments = ToolCallParser.parse(#"<tool_call>{"name": "f", "arguments": {"x": 1}}</tool_call>"#)
/// // [.toolCall(ToolCall(name: "f", arguments: ["x": 1]))]
/// ```
public struct ToolCallParser: Sendable {
    /// A piece of model output.
    public enum Segment: Sendable, Hashable {
        /// Plain text.
        case text(String)
        /// A complete, well-formed tool call.
        case toolCall(ToolCall)
        /// A streamed call begins: its arguments follow as ``toolCallArguments(_:)``.
        case toolCallStart(name: String)
        /// The next piece of the streamed call's arguments JSON string.
        case toolCallArguments(String)
    }

    /// The tag that opens a call.
    public static let openTag = "<tool_call>"
    /// The tag that closes a call.
    public static let closeTag = "</tool_call>"

    private let streamsArguments: Bool
    /// Unread text: inside a streamed call, only what its arguments have not read yet.
    private var buffer = ""
    private var isInsideCall = false
    /// The arguments of the call being streamed, once it has started.
    private var streamedArguments: StreamingJSONSerializer?
    /// Trailing whitespace held back until it is known not to precede a call.
    private var pendingSpace = ""
    private var followsCall = false

    /// A parser at the start of the output; with `streamsArguments`, calls are reported as
    /// they are written.
    public init(streamsArguments: Bool = false) {
        self.streamsArguments = streamsArguments
    }

    /// Splits complete output in one go; consecutive text comes back as one segment.
    public static func parse(_ text: String) -> [Segment] {
        var parser = ToolCallParser()
        var segments: [Segment] = []
        for segment in parser.append(text) + parser.finish() {
            if case .text(let text) = segment, case .text(let previous)? = segments.last {
                segments[segments.count - 1] = .text(previous + text)
            } else {
                segments.append(segment)
            }
        }
        return segments
    }

    /// Adds generated text; returns the segments it completes.
    public mutating func append(_ text: String) -> [Segment] {
        buffer += text
        var segments: [Segment] = []
        while true {
            if isInsideCall {
                guard let close = buffer.range(of: Self.closeTag) else {
                    if streamsArguments { segments += streamCall() }
                    break
                }
                segments += endCall(body: String(buffer[..<close.lowerBound]))
                buffer = String(buffer[close.upperBound...])
            } else if let open = buffer.range(of: Self.openTag) {
                segments += emitText(String(buffer[..<open.lowerBound]), isFinal: false)
                pendingSpace = ""
                isInsideCall = true
                buffer = String(buffer[open.upperBound...])
            } else {
                let held = Self.partialTagLength(of: Self.openTag, atEndOf: buffer)
                let ready = buffer.dropLast(held)
                segments += emitText(String(ready), isFinal: false)
                buffer = String(buffer.suffix(held))
                break
            }
        }
        return segments
    }

    /// Flushes what is left at the end of the output: held-back text, or an unterminated call
    /// (a call if its body is complete, text otherwise).
    public mutating func finish() -> [Segment] {
        defer { buffer = "" }
        if isInsideCall {
            if streamedArguments != nil { return endCall(body: buffer) }
            isInsideCall = false
            if let call = Self.toolCall(from: buffer) { return [.toolCall(call)] }
            return emitText(Self.openTag + buffer, isFinal: true)
        }
        return emitText(buffer, isFinal: true)
    }

    /// Streams the call in progress: starts it once its name and arguments are known to begin,
    /// then passes on its arguments as they are written (holding back what may begin the closing tag).
    private mutating func streamCall() -> [Segment] {
        var segments: [Segment] = []
        let held = Self.partialTagLength(of: Self.closeTag, atEndOf: buffer)
        if streamedArguments == nil {
            guard let (name, arguments) = Self.streamableStart(of: buffer.dropLast(held)) else { return [] }
            segments.append(.toolCallStart(name: name))
            streamedArguments = StreamingJSONSerializer(format: ToolCall.argumentsFormat)
            buffer = String(buffer[arguments...])
        }
        let fragment = streamedArguments?.append(buffer.dropLast(held)) ?? ""
        buffer = String(buffer.suffix(held))
        return fragment.isEmpty ? segments : segments + [.toolCallArguments(fragment)]
    }

    private mutating func endCall(body: String) -> [Segment] {
        isInsideCall = false
        if var arguments = streamedArguments {
            streamedArguments = nil
            followsCall = true
            let fragment = arguments.append(body) + arguments.finish()
            return fragment.isEmpty ? [] : [.toolCallArguments(fragment)]
        }
        if let call = Self.toolCall(from: body) {
            followsCall = true
            return [.toolCall(call)]
        }
        return emitText(Self.openTag + body + Self.closeTag, isFinal: false)
    }

    /// Emits `text`, dropping whitespace right after a call and holding trailing whitespace back
    /// (unless `isFinal`) in case a call follows.
    private mutating func emitText(_ text: String, isFinal: Bool) -> [Segment] {
        var text = pendingSpace + text
        pendingSpace = ""
        if followsCall {
            text = String(text.drop(while: \.isWhitespace))
            if text.isEmpty { return [] }
            followsCall = false
        }
        if !isFinal {
            let body = text.reversed().drop(while: \.isWhitespace).count
            pendingSpace = String(text.dropFirst(body))
            text = String(text.prefix(body))
        }
        return text.isEmpty ? [] : [.text(text)]
    }

    /// The length of the longest suffix of `text` that could begin `tag`.
    private static func partialTagLength(of tag: String, atEndOf text: String) -> Int {
        for length in stride(from: min(tag.count - 1, text.count), to: 0, by: -1)
        where text.hasSuffix(tag.prefix(length)) {
            return length
        }
        return 0
    }

    /// The name and the position of the arguments object when `body` begins the way Qwen2.5
    /// writes a call: `{"name": "...", "arguments": {` with any JSON whitespace between.
    private static func streamableStart(of body: Substring) -> (name: String, arguments: String.Index)? {
        let scalars = body.unicodeScalars
        var position = scalars.startIndex
        /// Reads `tokens`, each after optional whitespace.
        func skip(_ tokens: String...) -> Bool {
            for token in tokens {
                while position < scalars.endIndex, " \n\r\t".unicodeScalars.contains(scalars[position]) {
                    position = scalars.index(after: position)
                }
                for expected in token.unicodeScalars {
                    guard position < scalars.endIndex, scalars[position] == expected else { return false }
                    position = scalars.index(after: position)
                }
            }
            return true
        }
        guard skip("{", #""name""#, ":", "\"") else { return nil }
        let nameStart = scalars.index(before: position)
        var isEscaped = false
        while position < scalars.endIndex, isEscaped || scalars[position] != "\"" {
            isEscaped = !isEscaped && scalars[position] == "\\"
            position = scalars.index(after: position)
        }
        guard position < scalars.endIndex else { return nil }
        position = scalars.index(after: position)
        guard case .string(let name)? = try? JSONValue(parsing: String(Substring(scalars[nameStart..<position]))),
            skip(",", #""arguments""#, ":", "{")
        else { return nil }
        return (name, scalars.index(before: position))
    }

    /// The call in a block body, or nil when it is not a JSON object with a string `name` and
    /// object `arguments` (absent arguments mean none).
    static func toolCall(from body: String) -> ToolCall? {
        guard let value = try? JSONValue(parsing: body),
            let name = value["name"]?.stringValue
        else { return nil }
        switch value["arguments"] {
        case nil: return ToolCall(name: name, arguments: .object([:]))
        case .object(let arguments)?: return ToolCall(name: name, arguments: .object(arguments))
        default: return nil
        }
    }
}
