import Foundation

/// Why JSON text could not be parsed; `offset` is the byte offset of the problem.
public enum JSONError: Error, CustomStringConvertible, Equatable {
    case unexpectedEnd(offset: Int)
    case unexpectedByte(UInt8, offset: Int, expected: String)
    case invalidNumber(offset: Int)
    case invalidEscape(offset: Int)
    case invalidUTF8(offset: Int)
    case trailingData(offset: Int)
    case tooDeep(offset: Int)

    public var description: String {
        switch self {
        case .unexpectedEnd(let offset):
            "JSON ends unexpectedly at byte \(offset)"
        case .unexpectedByte(let byte, let offset, let expected):
            "unexpected \(Self.show(byte)) at byte \(offset) of JSON, expected \(expected)"
        case .invalidNumber(let offset):
            "invalid JSON number at byte \(offset)"
        case .invalidEscape(let offset):
            "invalid escape in JSON string at byte \(offset)"
        case .invalidUTF8(let offset):
            "invalid UTF-8 in JSON string at byte \(offset)"
        case .trailingData(let offset):
            "unexpected data after the JSON value at byte \(offset)"
        case .tooDeep(let offset):
            "JSON nested too deeply at byte \(offset)"
        }
    }

    private static func show(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : String(format: "byte 0x%02X", byte)
    }
}

extension JSONValue {
    /// Parses JSON text (RFC 8259) as Python's `json.loads` does: object keys keep their order
    /// (a repeated key keeps its first position and its last value), integers stay ``int(_:)``
    /// unless they overflow `Int`, and numbers with a fraction or exponent become ``double(_:)``.
    ///
    /// ```swift
    /// let messages = try JSONValue(parsing: Data(#"[{"role": "user", "content": "hi"}]"#.utf8))
    /// ```
    public init(parsing data: Data) throws(JSONError) {
        var parser = JSONParser(bytes: [UInt8](data))
        self = try parser.parseDocument()
    }

    /// Parses JSON text given as a string; see ``init(parsing:)-(Data)``.
    public init(parsing text: String) throws(JSONError) {
        try self.init(parsing: Data(text.utf8))
    }
}

/// A recursive-descent JSON parser over UTF-8 bytes.
struct JSONParser {
    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    private static let maximumDepth = 512

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else { throw .trailingData(offset: position) }
        return value
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func peek() throws(JSONError) -> UInt8 {
        guard position < bytes.count else { throw .unexpectedEnd(offset: position) }
        return bytes[position]
    }

    private mutating func expect(_ byte: UInt8, _ expected: String) throws(JSONError) {
        let actual = try peek()
        guard actual == byte else { throw .unexpectedByte(actual, offset: position, expected: expected) }
        position += 1
    }

    private mutating func parseValue() throws(JSONError) -> JSONValue {
        skipWhitespace()
        let byte = try peek()
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw .unexpectedByte(byte, offset: position, expected: "a JSON value")
        }
    }

    private mutating func parseLiteral(_ word: StaticString) throws(JSONError) {
        let literal = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in literal {
            let actual = try peek()
            guard actual == expected else { throw .unexpectedByte(actual, offset: position, expected: "\(word)") }
            position += 1
        }
    }

    private mutating func enter() throws(JSONError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw .tooDeep(offset: position) }
    }

    private mutating func parseObject() throws(JSONError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var object = JSONObject()
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            let byte = try peek()
            guard byte == UInt8(ascii: "\"") else {
                throw .unexpectedByte(byte, offset: position, expected: "a string key")
            }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            object[key] = try parseValue()
            skipWhitespace()
            let separator = try peek()
            position += 1
            if separator == UInt8(ascii: "}") { return .object(object) }
            guard separator == UInt8(ascii: ",") else {
                throw .unexpectedByte(separator, offset: position - 1, expected: "',' or '}'")
            }
        }
    }

    private mutating func parseArray() throws(JSONError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            let separator = try peek()
            position += 1
            if separator == UInt8(ascii: "]") { return .array(elements) }
            guard separator == UInt8(ascii: ",") else {
                throw .unexpectedByte(separator, offset: position - 1, expected: "',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = position
        var isInteger = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard try digits() > 0 else { throw .invalidNumber(offset: start) }
        let integerDigitsStart = bytes[start] == UInt8(ascii: "-") ? start + 1 : start
        if bytes[integerDigitsStart] == UInt8(ascii: "0") && position - integerDigitsStart > 1 {
            throw .invalidNumber(offset: start)
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard try digits() > 0 else { throw .invalidNumber(offset: start) }
        }
        if position < bytes.count && (bytes[position] | 0x20) == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard try digits() > 0 else { throw .invalidNumber(offset: start) }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let int = Int(text) { return .int(int) }
        guard let double = Double(text) else { throw .invalidNumber(offset: start) }
        return .double(double)
    }

    private mutating func digits() throws(JSONError) -> Int {
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
        return position - start
    }

    private mutating func parseString() throws(JSONError) -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flushRun(_ end: Int) throws(JSONError) {
            guard runStart < end else { return }
            guard let run = String(validating: bytes[runStart..<end], as: UTF8.self) else {
                throw .invalidUTF8(offset: runStart)
            }
            scalars.append(contentsOf: run.unicodeScalars)
        }
        while true {
            guard position < bytes.count else { throw .unexpectedEnd(offset: position) }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                try flushRun(position)
                position += 1
                return String(scalars)
            }
            if byte < 0x20 {
                throw .unexpectedByte(byte, offset: position, expected: "an escaped control character")
            }
            if byte != UInt8(ascii: "\\") {
                position += 1
                continue
            }
            try flushRun(position)
            let escapeOffset = position
            position += 1
            guard position < bytes.count else { throw .unexpectedEnd(offset: position) }
            let escaped = bytes[position]
            position += 1
            switch escaped {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                let unit = try hexQuad(escapeOffset)
                if (0xD800..<0xDC00).contains(unit), position + 1 < bytes.count,
                    bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                {
                    let saved = position
                    position += 2
                    let low = try hexQuad(escapeOffset)
                    if (0xDC00..<0xE000).contains(low) {
                        let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        scalars.append(Unicode.Scalar(combined) ?? "\u{FFFD}")
                        break
                    }
                    position = saved
                }
                // A lone surrogate cannot live in a Swift string; it becomes U+FFFD.
                scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
            default:
                throw .invalidEscape(offset: escapeOffset)
            }
            runStart = position
        }
    }

    private mutating func hexQuad(_ escapeOffset: Int) throws(JSONError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw .unexpectedEnd(offset: bytes.count) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw .invalidEscape(offset: escapeOffset)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
