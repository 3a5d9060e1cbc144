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
    }

    /// The tag that opens a call.
    public static let openTag = "<tool_call>"
    /// The tag that closes a call.
    public static let closeTag = "</tool_call>"

    private var buffer = ""
    private var isInsideCall = false
    /// Trailing whitespace held back until it is known not to precede a call.
    private var pendingSpace = ""
    private var followsCall = false

    /// A parser at the start of the output.
    public init() {}

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
                guard let close = buffer.range(of: Self.closeTag) else { break }
                segments += endCall(body: String(buffer[..<close.lowerBound]))
                buffer = String(buffer[close.upperBound...])
            } else if let open = buffer.range(of: Self.openTag) {
                segments += emitText(String(buffer[..<open.lowerBound]), isFinal: false)
                pendingSpace = ""
                isInsideCall = true
                buffer = String(buffer[open.upperBound...])
            } else {
                let held = Self.partialTagLength(atEndOf: buffer)
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
            isInsideCall = false
            if let call = Self.toolCall(from: buffer) { return [.toolCall(call)] }
            return emitText(Self.openTag + buffer, isFinal: true)
        }
        return emitText(buffer, isFinal: true)
    }

    private mutating func endCall(body: String) -> [Segment] {
        isInsideCall = false
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

    /// The length of the longest suffix of `text` that could begin an opening tag.
    private static func partialTagLength(atEndOf text: String) -> Int {
        for length in stride(from: min(openTag.count - 1, text.count), to: 0, by: -1)
        where text.hasSuffix(openTag.prefix(length)) {
            return length
        }
        return 0
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
