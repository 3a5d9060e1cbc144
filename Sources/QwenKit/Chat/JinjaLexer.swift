/// Splits a template into tokens with the whitespace rules of transformers' chat template
/// environment: `trim_blocks` (drop the newline after a block or comment tag), `lstrip_blocks`
/// (drop spaces before a block or comment tag at the start of a line), the `-`/`+` markers on tags,
/// newline normalisation and the removal of one trailing newline of the template.
struct JinjaLexer {
    private let source: [Unicode.Scalar]
    private let trimBlocks: Bool
    private let lstripBlocks: Bool
    private var position = 0
    private var line = 1
    private var tokens: [JinjaToken] = []

    init(_ template: String, trimBlocks: Bool = true, lstripBlocks: Bool = true) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(template.unicodeScalars.count)
        var iterator = template.unicodeScalars.makeIterator()
        var pending = iterator.next()
        while let scalar = pending {
            pending = iterator.next()
            if scalar == "\r" {
                scalars.append("\n")
                if pending == "\n" { pending = iterator.next() }
            } else {
                scalars.append(scalar)
            }
        }
        if scalars.last == "\n" { scalars.removeLast() }
        self.source = scalars
        self.trimBlocks = trimBlocks
        self.lstripBlocks = lstripBlocks
    }

    static func tokenize(_ template: String) throws(JinjaError) -> [JinjaToken] {
        var lexer = JinjaLexer(template)
        return try lexer.run()
    }

    private enum TagKind { case variable, block, comment }

    mutating func run() throws(JinjaError) -> [JinjaToken] {
        var lineStarting = true
        while position < source.count {
            guard let (tagStart, kind) = nextTag(from: position) else {
                emitText(position..<source.count)
                position = source.count
                break
            }
            let signIndex = tagStart + 2
            let sign: Unicode.Scalar? = signIndex < source.count && (source[signIndex] == "-" || source[signIndex] == "+")
                ? source[signIndex] : nil
            var textEnd = tagStart
            if sign == "-" {
                while textEnd > position && isWhitespace(source[textEnd - 1]) { textEnd -= 1 }
            } else if sign != "+" && lstripBlocks && kind != .variable {
                var lineStart = tagStart
                while lineStart > position && source[lineStart - 1] != "\n" { lineStart -= 1 }
                if (lineStart > position || lineStarting)
                    && source[lineStart..<tagStart].allSatisfy({ isWhitespace($0) })
                {
                    textEnd = lineStart
                }
            }
            emitText(position..<textEnd)
            countLines(textEnd..<tagStart)
            position = tagStart + 2 + (sign == nil ? 0 : 1)
            switch kind {
            case .comment: try skipComment(openedAt: line)
            case .variable: try lexTag(closer: "}", begin: .variableBegin, end: .variableEnd)
            case .block:
                if try lexRawBlock() { break }
                try lexTag(closer: "%", begin: .blockBegin, end: .blockEnd)
            }
            lineStarting = position > 0 && source[position - 1] == "\n"
        }
        tokens.append(JinjaToken(kind: .end, line: line))
        return tokens
    }

    private func nextTag(from start: Int) -> (Int, TagKind)? {
        var index = start
        while index + 1 < source.count {
            if source[index] == "{" {
                switch source[index + 1] {
                case "{": return (index, .variable)
                case "%": return (index, .block)
                case "#": return (index, .comment)
                default: break
                }
            }
            index += 1
        }
        return nil
    }

    private mutating func emitText(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        tokens.append(JinjaToken(kind: .text(String(String.UnicodeScalarView(source[range]))), line: line))
        countLines(range)
    }

    private mutating func countLines(_ range: Range<Int>) {
        for index in range where source[index] == "\n" { line += 1 }
    }

    /// Consumes what follows a closing delimiter: all whitespace after `-`, the newline after a plain
    /// block or comment tag when `trim_blocks` is on.
    private mutating func finishTag(sign: Unicode.Scalar?, trims: Bool) {
        if sign == "-" {
            let start = position
            while position < source.count && isWhitespace(source[position]) { position += 1 }
            countLines(start..<position)
        } else if sign == nil && trims && trimBlocks && position < source.count && source[position] == "\n" {
            position += 1
            line += 1
        }
    }

    private mutating func skipComment(openedAt startLine: Int) throws(JinjaError) {
        var index = position
        while index + 1 < source.count {
            if source[index] == "#" && source[index + 1] == "}" {
                let sign: Unicode.Scalar? = index > position && (source[index - 1] == "-" || source[index - 1] == "+")
                    ? source[index - 1] : nil
                countLines(position..<index)
                position = index + 2
                finishTag(sign: sign, trims: true)
                return
            }
            index += 1
        }
        throw .syntax("missing end of comment tag", line: startLine)
    }

    /// `{% raw %}...{% endraw %}`: the text in between is output as it is.
    private mutating func lexRawBlock() throws(JinjaError) -> Bool {
        var index = position
        while index < source.count && isWhitespace(source[index]) { index += 1 }
        guard matches("raw", at: index) else { return false }
        index += 3
        while index < source.count && isWhitespace(source[index]) { index += 1 }
        var closeSign: Unicode.Scalar? = nil
        if index < source.count && (source[index] == "-" || source[index] == "+") {
            closeSign = source[index]
            index += 1
        }
        guard matches("%}", at: index) else { return false }
        let startLine = line
        countLines(position..<index + 2)
        position = index + 2
        finishTag(sign: closeSign, trims: true)
        var search = position
        while let (tagStart, kind) = nextTag(from: search) {
            search = tagStart + 2
            guard kind == .block else { continue }
            var cursor = tagStart + 2
            let openSign: Unicode.Scalar? = cursor < source.count && (source[cursor] == "-" || source[cursor] == "+")
                ? source[cursor] : nil
            if openSign != nil { cursor += 1 }
            while cursor < source.count && isWhitespace(source[cursor]) { cursor += 1 }
            guard matches("endraw", at: cursor) else { continue }
            cursor += 6
            while cursor < source.count && isWhitespace(source[cursor]) { cursor += 1 }
            var endSign: Unicode.Scalar? = nil
            if cursor < source.count && (source[cursor] == "-" || source[cursor] == "+") {
                endSign = source[cursor]
                cursor += 1
            }
            guard matches("%}", at: cursor) else { continue }
            var textEnd = tagStart
            if openSign == "-" {
                while textEnd > position && isWhitespace(source[textEnd - 1]) { textEnd -= 1 }
            }
            emitText(position..<textEnd)
            countLines(textEnd..<cursor + 2)
            position = cursor + 2
            finishTag(sign: endSign, trims: true)
            return true
        }
        throw .syntax("missing endraw for raw block", line: startLine)
    }

    private func matches(_ word: String, at index: Int) -> Bool {
        var cursor = index
        for scalar in word.unicodeScalars {
            guard cursor < source.count && source[cursor] == scalar else { return false }
            cursor += 1
        }
        return true
    }

    private static let operators: [String] = [
        "//", "**", "==", "!=", "<=", ">=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}",
        "<", ">", "=", ".", ":", "|", ",", ";",
    ]

    /// Lexes the inside of `{{ ... }}` or `{% ... %}` up to its closing delimiter.
    private mutating func lexTag(closer: Unicode.Scalar, begin: JinjaToken.Kind, end: JinjaToken.Kind) throws(JinjaError) {
        let startLine = line
        tokens.append(JinjaToken(kind: begin, line: line))
        var brackets: [Unicode.Scalar] = []
        while true {
            while position < source.count && isWhitespace(source[position]) {
                if source[position] == "\n" { line += 1 }
                position += 1
            }
            guard position < source.count else {
                throw .syntax("unexpected end of template, expected '\(closer)}'", line: startLine)
            }
            if brackets.isEmpty {
                let scalar = source[position]
                if (scalar == "-" || scalar == "+") && matchesCloser(closer, at: position + 1) {
                    position += 3
                    tokens.append(JinjaToken(kind: end, line: line))
                    finishTag(sign: scalar, trims: closer == "%")
                    return
                }
                if matchesCloser(closer, at: position) {
                    position += 2
                    tokens.append(JinjaToken(kind: end, line: line))
                    finishTag(sign: nil, trims: closer == "%")
                    return
                }
            }
            let scalar = source[position]
            if scalar == "_" || scalar.properties.isAlphabetic && scalar.isASCII {
                let start = position
                while position < source.count
                    && (source[position] == "_" || source[position].isASCII
                        && (source[position].properties.isAlphabetic || ("0"..."9").contains(source[position])))
                {
                    position += 1
                }
                tokens.append(JinjaToken(kind: .name(String(String.UnicodeScalarView(source[start..<position]))), line: line))
            } else if ("0"..."9").contains(scalar) {
                tokens.append(try lexNumber())
            } else if scalar == "'" || scalar == "\"" {
                tokens.append(try lexString(quote: scalar))
            } else if let symbol = Self.operators.first(where: { matches($0, at: position) }) {
                position += symbol.unicodeScalars.count
                switch symbol {
                case "(": brackets.append(")")
                case "[": brackets.append("]")
                case "{": brackets.append("}")
                case ")", "]", "}":
                    guard let expected = brackets.popLast(), String(expected) == symbol else {
                        throw .syntax("unexpected '\(symbol)'", line: line)
                    }
                default: break
                }
                tokens.append(JinjaToken(kind: .operator(symbol), line: line))
            } else {
                throw .syntax("unexpected character '\(scalar)'", line: line)
            }
        }
    }

    private func matchesCloser(_ closer: Unicode.Scalar, at index: Int) -> Bool {
        index + 1 < source.count && source[index] == closer && source[index + 1] == "}"
    }

    private mutating func lexNumber() throws(JinjaError) -> JinjaToken {
        let start = position
        func digits() {
            while position < source.count && (("0"..."9").contains(source[position]) || source[position] == "_") {
                position += 1
            }
        }
        digits()
        var isFloat = false
        let afterDot = start > 0 && source[start - 1] == "."
        if !afterDot && position + 1 < source.count && source[position] == "."
            && ("0"..."9").contains(source[position + 1])
        {
            isFloat = true
            position += 1
            digits()
        }
        if !afterDot && position < source.count && (source[position] == "e" || source[position] == "E") {
            var cursor = position + 1
            if cursor < source.count && (source[cursor] == "+" || source[cursor] == "-") { cursor += 1 }
            if cursor < source.count && ("0"..."9").contains(source[cursor]) {
                isFloat = true
                position = cursor
                digits()
            }
        }
        let text = String(String.UnicodeScalarView(source[start..<position])).replacingOccurrences(of: "_", with: "")
        if isFloat, let value = Double(text) { return JinjaToken(kind: .float(value), line: line) }
        if let value = Int(text) { return JinjaToken(kind: .integer(value), line: line) }
        throw .syntax("invalid number '\(text)'", line: line)
    }

    /// A string literal, unescaped as Python's `unicode_escape` codec does (what Jinja uses).
    private mutating func lexString(quote: Unicode.Scalar) throws(JinjaError) -> JinjaToken {
        let startLine = line
        position += 1
        var scalars = String.UnicodeScalarView()
        while true {
            guard position < source.count else { throw .syntax("unterminated string literal", line: startLine) }
            let scalar = source[position]
            position += 1
            if scalar == quote { break }
            if scalar == "\n" { line += 1 }
            guard scalar == "\\", position < source.count else {
                scalars.append(scalar)
                continue
            }
            let escaped = source[position]
            position += 1
            switch escaped {
            case "\n": line += 1
            case "\\", "'", "\"": scalars.append(escaped)
            case "a": scalars.append("\u{07}")
            case "b": scalars.append("\u{08}")
            case "f": scalars.append("\u{0C}")
            case "n": scalars.append("\n")
            case "r": scalars.append("\r")
            case "t": scalars.append("\t")
            case "v": scalars.append("\u{0B}")
            case "x", "u", "U":
                let width = escaped == "x" ? 2 : escaped == "u" ? 4 : 8
                guard position + width <= source.count,
                    let code = UInt32(String(String.UnicodeScalarView(source[position..<position + width])), radix: 16),
                    let decoded = Unicode.Scalar(code)
                else { throw .syntax("invalid \\\(escaped) escape in string literal", line: line) }
                scalars.append(decoded)
                position += width
            case "0"..."7":
                var code = escaped.value - 0x30
                var count = 1
                while count < 3 && position < source.count && ("0"..."7").contains(source[position]) {
                    code = code * 8 + source[position].value - 0x30
                    position += 1
                    count += 1
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default:
                scalars.append("\\")
                scalars.append(escaped)
            }
        }
        return JinjaToken(kind: .string(String(scalars)), line: startLine)
    }

    private func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        JinjaLexer.isWhitespace(scalar)
    }

    /// Python's `str.isspace` for one character.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        (0x1C...0x1F).contains(scalar.value) || scalar.properties.isWhitespace
    }
}
