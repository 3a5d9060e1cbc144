/// How ``JSONValue/serialized(_:)`` lays out JSON text.
public struct JSONFormat: Sendable, Equatable {
    /// Spaces per nesting level, with one item per line; `nil` keeps everything on one line.
    public var indent: Int?
    /// Written between items (after the comma).
    public var itemSeparator: String
    /// Written between a key and its value.
    public var keySeparator: String
    /// Sort object keys by code point instead of keeping their order.
    public var sortKeys: Bool
    /// Escape every non-ASCII character as `\uXXXX` (surrogate pairs above U+FFFF).
    public var ensureASCII: Bool

    /// A custom layout; see ``python(indent:sortKeys:ensureASCII:)`` and ``compact`` for the usual ones.
    public init(
        indent: Int? = nil, itemSeparator: String, keySeparator: String, sortKeys: Bool = false,
        ensureASCII: Bool = false
    ) {
        self.indent = indent
        self.itemSeparator = itemSeparator
        self.keySeparator = keySeparator
        self.sortKeys = sortKeys
        self.ensureASCII = ensureASCII
    }

    /// No whitespace at all: `{"a":[1,2]}`, for APIs and files.
    public static let compact = JSONFormat(itemSeparator: ",", keySeparator: ":")

    /// What Python's `json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sortKeys)` prints,
    /// the form Hugging Face chat templates' `tojson` filter uses: `{"a": [1, 2]}` on one line, or with
    /// `indent` one item per line and `","` as item separator.
    public static func python(indent: Int? = nil, sortKeys: Bool = false, ensureASCII: Bool = false) -> JSONFormat {
        JSONFormat(
            indent: indent, itemSeparator: indent == nil ? ", " : ",", keySeparator: ": ", sortKeys: sortKeys,
            ensureASCII: ensureASCII)
    }
}

extension JSONValue {
    /// JSON text for this value, laid out as `format` says. Floating-point numbers print like
    /// Python's `repr` (`1.0`, `1e-05`, `1e+16`); non-finite ones as `NaN`, `Infinity`, `-Infinity`,
    /// as Python does.
    ///
    /// ```swift
    /// let value: JSONValue = ["city": "杭州", "days": 3, "temp": 21.0]
    /// value.serialized(.python())           // {"city": "杭州", "days": 3, "temp": 21.0}
    /// value.serialized(.python(indent: 2))  // {\n  "city": "杭州",\n  ...
    /// ```
    public func serialized(_ format: JSONFormat = .compact) -> String {
        var output = ""
        JSONSerializer(format: format).write(self, level: 0, to: &output)
        return output
    }
}

/// Writes ``JSONValue``s as text following a ``JSONFormat``.
struct JSONSerializer {
    let format: JSONFormat

    func write(_ value: JSONValue, level: Int, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let bool): output += bool ? "true" : "false"
        case .int(let int): output += String(int)
        case .double(let double): output += Self.pythonJSONNumber(double)
        case .string(let string): writeString(string, to: &output)
        case .array(let elements):
            guard !elements.isEmpty else {
                output += "[]"
                return
            }
            output += "["
            for (index, element) in elements.enumerated() {
                writeSeparator(first: index == 0, level: level + 1, to: &output)
                write(element, level: level + 1, to: &output)
            }
            writeClosingIndent(level: level, to: &output)
            output += "]"
        case .object(let object):
            guard !object.isEmpty else {
                output += "{}"
                return
            }
            output += "{"
            var pairs = Array(object)
            if format.sortKeys {
                pairs.sort { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) { $0.value < $1.value } }
            }
            for (index, pair) in pairs.enumerated() {
                writeSeparator(first: index == 0, level: level + 1, to: &output)
                writeString(pair.key, to: &output)
                output += format.keySeparator
                write(pair.value, level: level + 1, to: &output)
            }
            writeClosingIndent(level: level, to: &output)
            output += "}"
        }
    }

    private func writeSeparator(first: Bool, level: Int, to output: inout String) {
        if !first { output += format.itemSeparator }
        if let indent = format.indent {
            output += "\n" + String(repeating: " ", count: max(indent, 0) * level)
        }
    }

    private func writeClosingIndent(level: Int, to output: inout String) {
        if let indent = format.indent {
            output += "\n" + String(repeating: " ", count: max(indent, 0) * level)
        }
    }

    private func writeString(_ string: String, to output: inout String) {
        output += "\""
        writeStringContents(string, to: &output)
        output += "\""
    }

    /// The characters of a string literal, escaped, without the quotes.
    func writeStringContents(_ string: String, to output: inout String) {
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || (format.ensureASCII && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let offset = scalar.value - 0x10000
                        output += Self.unicodeEscape(0xD800 + (offset >> 10))
                        output += Self.unicodeEscape(0xDC00 + (offset & 0x3FF))
                    } else {
                        output += Self.unicodeEscape(scalar.value)
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// A float as Python's `json` writes it: `repr`, except non-finite values.
    static func pythonJSONNumber(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return pythonRepr(value)
    }

    /// Python's `repr(float)`: the shortest digits that round-trip, in fixed notation when the
    /// decimal exponent is in -4..<16, otherwise in exponent notation (`1e-05`, `1.5e+16`).
    static func pythonRepr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let sign = value.sign == .minus ? "-" : ""
        if value == 0 { return sign + "0.0" }
        let (digits, pointPosition) = shortestDigits(abs(value))
        if pointPosition > -4 && pointPosition <= 16 {
            if pointPosition <= 0 {
                return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
            }
            if digits.count <= pointPosition {
                return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let exponent = pointPosition - 1
        var mantissa = String(digits.prefix(1))
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let exponentText = String(abs(exponent))
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+")
            + (exponentText.count < 2 ? "0" : "") + exponentText
    }

    /// The shortest round-trip decimal digits of a positive finite value (no leading or trailing
    /// zeros) and the position of the decimal point: value = 0.DIGITS × 10^pointPosition.
    private static func shortestDigits(_ value: Double) -> (String, Int) {
        let text = "\(value)"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let integerPart = mantissa.split(separator: ".", omittingEmptySubsequences: false).first ?? ""
        var digits = mantissa.filter { $0 != "." }
        var pointPosition = integerPart.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (digits, pointPosition)
    }
}
