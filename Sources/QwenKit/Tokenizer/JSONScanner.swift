/// A forward-only reader of JSON text for the large parts of tokenizer files (the vocabulary
/// and the merges), which general JSON decoding reads too slowly. It reads values in place,
/// with no tree: the caller knows the layout and asks for each value in turn.
struct JSONScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    /// The file being read, for errors.
    let file: String
    private(set) var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Calls `body` for each member of the object that comes next, with the member's key (UTF-8)
    /// and the scanner positioned at its value, which `body` must read or skip.
    mutating func forEachMember(field: String, _ body: (inout JSONScanner, [UInt8]) throws -> Void) throws {
        try expect(UInt8(ascii: "{"), field: field)
        var key: [UInt8] = []
        var first = true
        while try hasNext(closing: UInt8(ascii: "}"), first: &first, field: field) {
            key.removeAll(keepingCapacity: true)
            try readString(into: &key, field: field)
            try expect(UInt8(ascii: ":"), field: field)
            try body(&self, key)
        }
    }

    /// Calls `body` for each element of the array that comes next, with its index; `body` must
    /// read or skip the element.
    mutating func forEachElement(field: String, _ body: (inout JSONScanner, Int) throws -> Void) throws {
        try expect(UInt8(ascii: "["), field: field)
        var first = true
        var index = 0
        while try hasNext(closing: UInt8(ascii: "]"), first: &first, field: field) {
            try body(&self, index)
            index += 1
        }
    }

    private mutating func hasNext(closing: UInt8, first: inout Bool, field: String) throws -> Bool {
        let next = try peek(field: field)
        if next == closing {
            position += 1
            return false
        }
        if !first { try expect(UInt8(ascii: ","), field: field) }
        first = false
        return true
    }

    /// The first byte of the next value, after white space.
    mutating func peek(field: String) throws -> UInt8 {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return bytes[position]
            }
        }
        throw error(field, "unexpected end of file")
    }

    /// Checks that the next value is `null` and consumes it; returns false, consuming nothing, otherwise.
    mutating func readNull(field: String) throws -> Bool {
        guard try peek(field: field) == UInt8(ascii: "n") else { return false }
        try expectLiteral("null", field: field)
        return true
    }

    mutating func readBool(field: String) throws -> Bool {
        if try peek(field: field) == UInt8(ascii: "t") {
            try expectLiteral("true", field: field)
            return true
        }
        try expectLiteral("false", field: field)
        return false
    }

    /// Reads an integer that fits in 32 bits.
    mutating func readInt32(field: String) throws -> Int32 {
        let start = position
        _ = try peek(field: field)
        var negative = false
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        var value: Int64 = 0
        let digitsStart = position
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 {
            value = value * 10 + Int64(bytes[position] &- UInt8(ascii: "0"))
            position += 1
            if value > Int64(Int32.max) + 1 { break }
        }
        let end = position < bytes.count ? bytes[position] : 0
        guard position > digitsStart, value <= Int64(Int32.max),
              end != UInt8(ascii: "."), end != UInt8(ascii: "e"), end != UInt8(ascii: "E")
        else {
            position = start
            throw error(field, "expected an integer")
        }
        return Int32(negative ? -value : value)
    }

    /// Reads a string, appending its UTF-8 (escapes resolved) to `output`.
    mutating func readString(into output: inout [UInt8], field: String) throws {
        guard try peek(field: field) == UInt8(ascii: "\"") else { throw error(field, "expected a string") }
        position += 1
        var runStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                output.append(contentsOf: bytes[runStart..<position])
                position += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                output.append(contentsOf: bytes[runStart..<position])
                try readEscape(into: &output, field: field)
                runStart = position
            } else if byte < 0x20 {
                throw error(field, "control character in a string")
            } else {
                position += 1
            }
        }
        throw error(field, "unterminated string")
    }

    mutating func readString(field: String) throws -> String {
        var utf8: [UInt8] = []
        try readString(into: &utf8, field: field)
        return String(decoding: utf8, as: UTF8.self)
    }

    private mutating func readEscape(into output: inout [UInt8], field: String) throws {
        position += 1
        guard position < bytes.count else { throw error(field, "unterminated string") }
        let escaped = bytes[position]
        position += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var value = try readHex4(field: field)
            if (0xD800..<0xDC00).contains(value), position + 1 < bytes.count,
               bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                let resume = position
                position += 2
                let low = try readHex4(field: field)
                if (0xDC00..<0xE000).contains(low) {
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    position = resume
                }
            }
            // A lone surrogate becomes U+FFFD, as lossy JSON readers do.
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            output.append(contentsOf: String(scalar).utf8)
        default:
            position -= 2
            throw error(field, "invalid escape")
        }
    }

    private mutating func readHex4(field: String) throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error(field, "truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(field, "invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// Skips the next value, whatever it is, and returns the range of its text.
    @discardableResult
    mutating func skipValue(field: String) throws -> Range<Int> {
        try skipValue(field: field, depth: 0)
    }

    /// Containers nested deeper than this are rejected rather than risking the stack.
    private static let maximumDepth = 512

    private mutating func skipValue(field: String, depth: Int) throws -> Range<Int> {
        let first = try peek(field: field)
        let start = position
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { throw error(field, "nesting too deep") }
            if first == UInt8(ascii: "{") {
                try forEachMember(field: field) { scanner, _ in _ = try scanner.skipValue(field: field, depth: depth + 1) }
            } else {
                try forEachElement(field: field) { scanner, _ in _ = try scanner.skipValue(field: field, depth: depth + 1) }
            }
        case UInt8(ascii: "\""):
            var ignored: [UInt8] = []
            try readString(into: &ignored, field: field)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try readBool(field: field)
        case UInt8(ascii: "n"):
            _ = try readNull(field: field)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            position += 1
            while position < bytes.count, Self.isNumberByte(bytes[position]) { position += 1 }
        default:
            throw error(field, "expected a value")
        }
        return start..<position
    }

    /// The text of a range of the input (for values handed to another decoder).
    func text(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[range])
    }

    /// Checks that nothing but white space follows.
    mutating func expectEnd(field: String) throws {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: throw error(field, "unexpected text after the end")
            }
        }
    }

    mutating func expect(_ byte: UInt8, field: String) throws {
        guard try peek(field: field) == byte else {
            throw error(field, "expected '\(Character(Unicode.Scalar(byte)))'")
        }
        position += 1
    }

    private mutating func expectLiteral(_ literal: StaticString, field: String) throws {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count,
              memcmpEqual(bytes.baseAddress! + position, literal.utf8Start, count)
        else { throw error(field, "expected \(literal)") }
        position += count
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
             UInt8(ascii: "e"), UInt8(ascii: "E"): true
        default: false
        }
    }

    /// A malformed-file error at the current position.
    func error(_ field: String, _ reason: String) -> TokenizerError {
        .malformed(file: file, field: field, reason: "\(reason) at byte \(position)")
    }
}

private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    for offset in 0..<count where a[offset] != b[offset] { return false }
    return true
}
