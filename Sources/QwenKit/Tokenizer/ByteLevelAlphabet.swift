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

    /// The bytes a token's text (UTF-8) stands for, as Hugging Face's ByteLevel decoder reads it:
    /// each scalar mapped through the alphabet, or, if any scalar is outside it, the text's own
    /// UTF-8. Returns whether the alphabet mapping applied.
    @discardableResult
    static func appendBytes(ofTokenText utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) -> Bool {
        let start = bytes.count
        var index = 0
        while index < utf8.count {
            let lead = utf8[index]
            var value = -1
            if lead < 0x80 {
                value = Int(lead)
                index += 1
            } else if lead >= 0xC2, lead <= 0xC5, index + 1 < utf8.count, utf8[index + 1] & 0xC0 == 0x80 {
                // The alphabet ends at U+0143, so its scalars take one or two UTF-8 bytes.
                value = Int(lead & 0x1F) << 6 | Int(utf8[index + 1] & 0x3F)
                index += 2
            }
            guard value >= 0, byteForScalar[value] >= 0 else {
                bytes.removeSubrange(start...)
                bytes.append(contentsOf: utf8)
                return false
            }
            bytes.append(UInt8(byteForScalar[value]))
        }
        return true
    }

    /// Appends the alphabet text (UTF-8) of a byte string: the form vocabulary files store.
    static func appendText(of bytes: UnsafeRawBufferPointer, to utf8: inout [UInt8]) {
        for byte in bytes {
            let scalar = scalarForByte[Int(byte)]
            if scalar < 0x80 {
                utf8.append(UInt8(scalar))
            } else {
                utf8.append(0xC0 | UInt8(scalar >> 6))
                utf8.append(0x80 | UInt8(scalar & 0x3F))
            }
        }
    }
}
