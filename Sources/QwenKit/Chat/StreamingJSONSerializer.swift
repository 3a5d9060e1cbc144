/// Re-serializes one JSON object or array as its text arrives, in a one-line ``JSONFormat``: the output
/// of each piece is written as soon as it is certain, and the pieces concatenate to exactly what
/// parsing the whole text and calling ``JSONValue/serialized(_:)`` gives.
///
/// Structure and string characters go out at once; a number or literal when it ends (`1.50`
/// becomes `1.5` only then); an escape when it is complete (a high surrogate with its low one).
/// Two differences with parse-then-serialize remain, since output cannot be taken back: a
/// repeated object key is written twice (the parser keeps its last value once), and nesting is
/// not limited.
///
/// Text that stops being JSON is passed on as written from the first byte at fault (and the
/// whitespace before it), so nothing of it is lost; text after the value is complete is ignored.
///
/// ```swift
/// var serializer = StreamingJSONSerializer(format: .python())
/// serializer.append(#"{"a":[1,"#)   // {"a": [1,
/// serializer.append(#"2.0]}"#)      //  2.0]}
/// ```
struct StreamingJSONSerializer {
    private enum Expectation {
        case value, valueOrClose, key, keyOrClose, colon, commaOrClose
    }

    private enum Token {
        case string(isKey: Bool)
        case number
        case literal
    }

    private let format: JSONFormat
    /// Whether each open container is an object.
    private var containers: [Bool] = []
    private var expectation = Expectation.value
    private var token: Token?
    /// Text of the token in progress not written yet (for a string, its raw characters).
    private var pending = String.UnicodeScalarView()
    /// Whitespace read since the last token, passed on if the text turns out not to be JSON.
    private var layout = String.UnicodeScalarView()
    private var isEscaped = false
    private(set) var isComplete = false
    /// Whether the text stopped being JSON, so it is passed on as written.
    private(set) var isInvalid = false

    /// A serializer writing `format`, which must be on one line and keep key order.
    init(format: JSONFormat) {
        precondition(format.indent == nil && !format.sortKeys, "streamed JSON keeps one line and key order")
        self.format = format
    }

    /// Reads more text and returns the output it makes certain.
    mutating func append(_ text: some StringProtocol) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            if isComplete { break }
            if isInvalid {
                output.unicodeScalars.append(scalar)
            } else if !read(scalar, into: &output) {
                isInvalid = true
                output.unicodeScalars += layout + pending + CollectionOfOne(scalar)
                pending = String.UnicodeScalarView()
            }
        }
        if case .string? = token, !isInvalid, !flushString(isEnd: false, into: &output) {
            isInvalid = true
            output.unicodeScalars += pending
            pending = String.UnicodeScalarView()
        }
        return output
    }

    /// Ends the text: returns what is held back (an unfinished number, literal or escape) as written.
    mutating func finish() -> String {
        defer { pending = String.UnicodeScalarView() }
        return isComplete || isInvalid ? "" : String(pending)
    }

    /// Reads one scalar; false when the text can no longer be JSON.
    private mutating func read(_ scalar: Unicode.Scalar, into output: inout String) -> Bool {
        switch token {
        case .string(let isKey)?:
            if isEscaped {
                isEscaped = false
            } else if scalar == "\\" {
                isEscaped = true
            } else if scalar == "\"" {
                guard flushString(isEnd: true, into: &output) else { return false }
                output += "\""
                token = nil
                expectation = isKey ? .colon : .commaOrClose
                return true
            } else if scalar.value < 0x20 {
                return false
            }
            pending.append(scalar)
            return true
        case .number?:
            if "0123456789+-.eE".unicodeScalars.contains(scalar) {
                pending.append(scalar)
                return true
            }
            guard case let value? = try? JSONValue(parsing: String(pending)), value.doubleValue != nil else { return false }
            JSONSerializer(format: format).write(value, level: 0, to: &output)
            endToken()
        case .literal?:
            if ("a"..."z").contains(scalar) {
                pending.append(scalar)
                return true
            }
            guard ["true", "false", "null"].contains(String(pending)) else { return false }
            output += String(pending)
            endToken()
        case nil:
            break
        }
        return readStructure(scalar, into: &output)
    }

    /// Reads a scalar between tokens.
    private mutating func readStructure(_ scalar: Unicode.Scalar, into output: inout String) -> Bool {
        if scalar == " " || scalar == "\n" || scalar == "\r" || scalar == "\t" {
            layout.append(scalar)
            return true
        }
        guard readToken(scalar, into: &output) else { return false }
        layout = String.UnicodeScalarView()
        return true
    }

    /// Reads the first scalar of a token.
    private mutating func readToken(_ scalar: Unicode.Scalar, into output: inout String) -> Bool {
        switch expectation {
        case .value, .valueOrClose:
            if expectation == .valueOrClose && scalar == "]" { return close(isObject: false, into: &output) }
            if containers.isEmpty && scalar != "{" && scalar != "[" { return false }
            switch scalar {
            case "{", "[":
                containers.append(scalar == "{")
                expectation = scalar == "{" ? .keyOrClose : .valueOrClose
                output.unicodeScalars.append(scalar)
            case "\"":
                token = .string(isKey: false)
                output += "\""
            case "-", "0"..."9":
                token = .number
                pending.append(scalar)
            case "t", "f", "n":
                token = .literal
                pending.append(scalar)
            default: return false
            }
            return true
        case .key, .keyOrClose:
            if expectation == .keyOrClose && scalar == "}" { return close(isObject: true, into: &output) }
            guard scalar == "\"" else { return false }
            token = .string(isKey: true)
            output += "\""
            return true
        case .colon:
            guard scalar == ":" else { return false }
            output += format.keySeparator
            expectation = .value
            return true
        case .commaOrClose:
            guard let isObject = containers.last else { return false }
            if scalar == "," {
                output += format.itemSeparator
                expectation = isObject ? .key : .value
                return true
            }
            switch scalar {
            case "}": return close(isObject: true, into: &output)
            case "]": return close(isObject: false, into: &output)
            default: return false
            }
        }
    }

    private mutating func endToken() {
        token = nil
        pending = String.UnicodeScalarView()
        expectation = .commaOrClose
    }

    /// Closes the innermost container if it is an object (`isObject`) or an array as asked.
    private mutating func close(isObject: Bool, into output: inout String) -> Bool {
        guard containers.last == isObject else { return false }
        containers.removeLast()
        output += isObject ? "}" : "]"
        expectation = .commaOrClose
        isComplete = containers.isEmpty
        return true
    }

    /// Writes the string characters read so far that are certain (all of them at the string's
    /// end); false when they are not valid JSON string content.
    private mutating func flushString(isEnd: Bool, into output: inout String) -> Bool {
        let scalars = Array(pending)
        let count = isEnd ? scalars.count : Self.certainLength(of: scalars)
        guard count > 0 else { return true }
        let literal = "\"" + String(String.UnicodeScalarView(scalars[..<count])) + "\""
        guard case .string(let text)? = try? JSONValue(parsing: literal) else { return false }
        JSONSerializer(format: format).writeStringContents(text, to: &output)
        pending = String.UnicodeScalarView(scalars[count...])
        return true
    }

    /// How many scalars of raw string content decode the same whatever follows: up to the last
    /// complete escape, keeping a `\u` high surrogate with the escape after it, which may be its
    /// low half.
    private static func certainLength(of scalars: [Unicode.Scalar]) -> Int {
        var index = 0
        var certain = 0
        while index < scalars.count {
            guard scalars[index] == "\\" else {
                index += 1
                certain = index
                continue
            }
            guard index + 1 < scalars.count else { break }
            guard scalars[index + 1] == "u" else {
                index += 2
                certain = index
                continue
            }
            guard index + 6 <= scalars.count else { break }
            let unit = hexValue(scalars[index + 2 ..< index + 6])
            index += 6
            if let unit, (0xD800..<0xDC00).contains(unit) {
                let next = Array(scalars[index...].prefix(6))
                let isUnknown = next.isEmpty || (next[0] == "\\" && (next.count == 1 || (next[1] == "u" && next.count < 6)))
                if isUnknown { break }
                if next.count == 6, next[0] == "\\", next[1] == "u", let low = hexValue(next[2...]),
                    (0xDC00..<0xE000).contains(low)
                {
                    index += 6
                }
            }
            certain = index
        }
        return certain

        func hexValue(_ digits: ArraySlice<Unicode.Scalar>) -> UInt32? {
            UInt32(String(String.UnicodeScalarView(digits)), radix: 16)
        }
    }
}
