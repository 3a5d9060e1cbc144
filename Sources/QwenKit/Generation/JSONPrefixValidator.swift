/// Checks, one byte at a time, that text is still the beginning of a JSON object (RFC 8259,
/// top level an object, nesting up to 64 levels), and tells when the object is complete.
///
/// So that a constrained model cannot stall in layout, the object must start at the first byte
/// and whitespace between tokens comes in runs of at most ``maxWhitespaceRun`` bytes.
///
/// The state is a few bytes, so copying it to try a token's bytes costs nothing.
///
/// ```swift
/// var validator = JSONPrefixValidator()
/// for byte in #"{"a": [1, 2.5e3, "x"]}"#.utf8 { precondition(validator.consume(byte)) }
/// validator.isComplete   // true
/// ```
public struct JSONPrefixValidator: Sendable, Hashable {
    private enum Mode: UInt8 {
        case start, valueStart, objectOpen, objectKey, colon, afterValue, arrayOpen
        case string, stringEscape, unicodeEscape
        case numberMinus, numberZero, numberInteger, numberDot, numberFraction, numberE, numberExponentSign, numberExponent
        case literal, done
    }

    private static let literals: [[UInt8]] = [Array("true".utf8), Array("false".utf8), Array("null".utf8)]
    /// The deepest nesting accepted.
    public static let maxDepth = 64
    /// The longest run of whitespace accepted between tokens.
    public static let maxWhitespaceRun = 16

    private var mode = Mode.start
    private var isKey = false
    /// Bit `i` is set when the container at depth `i + 1` is an object.
    private var objectBits: UInt64 = 0
    private var depth = 0
    private var literal = 0
    private var position = 0
    private var whitespaceRun = 0

    /// A validator at the start of the text.
    public init() {}

    /// Whether a complete object has been read (only whitespace may follow).
    public var isComplete: Bool { mode == .done }

    /// Reads `byte`; returns false, leaving the state unusable, when the text can no longer be
    /// the beginning of a JSON object.
    public mutating func consume(_ byte: UInt8) -> Bool {
        let isSpace = byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
        let isLayout = isSpace && mode != .string
        if isLayout {
            whitespaceRun += 1
            if whitespaceRun > Self.maxWhitespaceRun { return false }
        } else {
            whitespaceRun = 0
        }
        switch mode {
        case .start:
            return byte == UInt8(ascii: "{") && push(isObject: true)
        case .valueStart:
            return isSpace || beginValue(byte)
        case .arrayOpen:
            if isSpace { return true }
            return byte == UInt8(ascii: "]") ? pop() : beginValue(byte)
        case .objectOpen, .objectKey:
            if isSpace { return true }
            if byte == UInt8(ascii: "\"") {
                mode = .string
                isKey = true
                return true
            }
            return mode == .objectOpen && byte == UInt8(ascii: "}") && pop()
        case .colon:
            if isSpace { return true }
            guard byte == UInt8(ascii: ":") else { return false }
            mode = .valueStart
            return true
        case .afterValue:
            if isSpace { return true }
            let inObject = objectBits & (1 << UInt64(depth - 1)) != 0
            switch byte {
            case UInt8(ascii: ","):
                mode = inObject ? .objectKey : .valueStart
                return true
            case UInt8(ascii: "}"): return inObject && pop()
            case UInt8(ascii: "]"): return !inObject && pop()
            default: return false
            }
        case .string:
            switch byte {
            case UInt8(ascii: "\""):
                mode = isKey ? .colon : .afterValue
                isKey = false
                return true
            case UInt8(ascii: "\\"):
                mode = .stringEscape
                return true
            default: return byte >= 0x20
            }
        case .stringEscape:
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                mode = .string
            case UInt8(ascii: "u"):
                mode = .unicodeEscape
                position = 0
            default: return false
            }
            return true
        case .unicodeEscape:
            guard Self.isHexDigit(byte) else { return false }
            position += 1
            if position == 4 { mode = .string }
            return true
        case .numberMinus:
            guard Self.isDigit(byte) else { return false }
            mode = byte == UInt8(ascii: "0") ? .numberZero : .numberInteger
            return true
        case .numberZero, .numberInteger, .numberFraction:
            if Self.isDigit(byte) && mode != .numberZero { return true }
            if byte == UInt8(ascii: ".") && mode != .numberFraction {
                mode = .numberDot
                return true
            }
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                mode = .numberE
                return true
            }
            return endNumber(byte)
        case .numberDot:
            guard Self.isDigit(byte) else { return false }
            mode = .numberFraction
            return true
        case .numberE:
            if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                mode = .numberExponentSign
                return true
            }
            guard Self.isDigit(byte) else { return false }
            mode = .numberExponent
            return true
        case .numberExponentSign:
            guard Self.isDigit(byte) else { return false }
            mode = .numberExponent
            return true
        case .numberExponent:
            return Self.isDigit(byte) || endNumber(byte)
        case .literal:
            let expected = Self.literals[literal]
            guard byte == expected[position] else { return false }
            position += 1
            if position == expected.count { mode = .afterValue }
            return true
        case .done:
            return isSpace
        }
    }

    private mutating func beginValue(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "{"): return push(isObject: true)
        case UInt8(ascii: "["): return push(isObject: false)
        case UInt8(ascii: "\""): mode = .string
        case UInt8(ascii: "-"): mode = .numberMinus
        case UInt8(ascii: "0"): mode = .numberZero
        case UInt8(ascii: "1")...UInt8(ascii: "9"): mode = .numberInteger
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            literal = byte == UInt8(ascii: "t") ? 0 : byte == UInt8(ascii: "f") ? 1 : 2
            position = 1
            mode = .literal
        default: return false
        }
        return true
    }

    /// A number ends at the first byte that cannot continue it, which is then read as what follows.
    private mutating func endNumber(_ byte: UInt8) -> Bool {
        mode = .afterValue
        return consume(byte)
    }

    private mutating func push(isObject: Bool) -> Bool {
        guard depth < Self.maxDepth else { return false }
        if isObject { objectBits |= 1 << UInt64(depth) } else { objectBits &= ~(1 << UInt64(depth)) }
        depth += 1
        mode = isObject ? .objectOpen : .arrayOpen
        return true
    }

    private mutating func pop() -> Bool {
        depth -= 1
        mode = depth == 0 ? .done : .afterValue
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
