import Foundation

/// Why JSON text could not be parsed; `offset` is the byte offset of the problem.
public enum JSONError: Error, CustomStringConvertible, Equatable {
    /// The text stops in the middle of a value.
    case unexpectedEnd(offset: Int)
    /// A byte that cannot start or continue the value here; `expected` says what could.
    case unexpectedByte(UInt8, offset: Int, expected: String)
    /// A malformed number (leading zero, missing digits).
    case invalidNumber(offset: Int)
    /// An unknown `\` escape or a bad `\uXXXX`.
    case invalidEscape(offset: Int)
    /// String bytes that are not UTF-8.
    case invalidUTF8(offset: Int)
    /// More than whitespace after the value.
    case trailingData(offset: Int)
    /// Arrays or objects nested deeper than 512 levels.
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
