/// GPT-2's byte-level alphabet: every byte is shown as one printable Unicode scalar, so that
/// vocabulary files can store arbitrary byte strings as text (`Ġ` is the space byte 0x20).
enum ByteLevelAlphabet {
    /// The scalar value standing for each byte.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte each alphabet scalar stands for, indexed by scalar value (0x00...0x143); -1 outside.
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in scalarForByte.enumerated() { table[Int(scalar)] = Int16(byte) }
        return table
    }()

    /// The bytes a token's text stands for, as Hugging Face's ByteLevel decoder reads it: each
    /// scalar mapped through the alphabet, or, if any scalar is outside it, the text's own UTF-8.
    /// Returns whether the alphabet mapping applied.
    @discardableResult
    static func appendBytes<S: Sequence<UInt8>>(ofTokenText utf8: S, to bytes: inout [UInt8]) -> Bool {
        let start = bytes.count
        var iterator = utf8.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                let value = Int(scalar.value)
                if value < byteForScalar.count, byteForScalar[value] >= 0 {
                    bytes.append(UInt8(byteForScalar[value]))
                    continue
                }
            case .emptyInput:
                return true
            case .error:
                break
            }
            bytes.removeSubrange(start...)
            bytes.append(contentsOf: utf8)
            return false
        }
    }

    /// The alphabet text of a byte string (the form vocabulary files use).
    static func text<C: Collection<UInt8>>(of bytes: C) -> String {
        var text = String.UnicodeScalarView()
        for byte in bytes {
            if let scalar = Unicode.Scalar(scalarForByte[Int(byte)]) { text.append(scalar) }
        }
        return String(text)
    }
}
