/// What the pre-tokenizer pattern distinguishes about a scalar.
enum ScalarKind: UInt8 {
    /// `\p{L}`: general category L*.
    case letter
    /// `\p{N}`: general category N*.
    case number
    /// `[\r\n]`.
    case lineBreak
    /// `\s` (Unicode White_Space) other than a line break.
    case space
    /// Anything else.
    case other

    static let ascii: [ScalarKind] = (0..<128).map { ScalarKind(classifying: UInt32($0)) }
    /// The Basic Multilingual Plane, classified once (the Unicode property lookups are slow).
    private static let basicMultilingualPlane: [ScalarKind] = (0..<0x10000).map { ScalarKind(classifying: UInt32($0)) }

    /// Hugging Face tokenizers' regex engine knows Unicode 16.0: newer scalars are unassigned there.
    private static let newestUnicodeMajorVersion = 16

    @inline(__always)
    init(_ value: UInt32) {
        if value < 128 {
            self = ScalarKind.ascii[Int(value)]
        } else if value < 0x10000 {
            self = ScalarKind.basicMultilingualPlane[Int(value)]
        } else {
            self = ScalarKind(classifying: value)
        }
    }

    private init(classifying value: UInt32) {
        if value == 0x0A || value == 0x0D {
            self = .lineBreak
            return
        }
        guard let properties = Unicode.Scalar(value)?.properties else {
            self = .other
            return
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            self = Self.isKnownToReference(properties) ? .letter : .other
        case .decimalNumber, .letterNumber, .otherNumber:
            self = Self.isKnownToReference(properties) ? .number : .other
        default:
            self = properties.isWhitespace ? .space : .other
        }
    }

    private static func isKnownToReference(_ properties: Unicode.Scalar.Properties) -> Bool {
        guard let age = properties.age else { return false }
        return age.major <= newestUnicodeMajorVersion
    }
}

/// The scalar starting at a byte offset of valid UTF-8, with its length in bytes and its kind.
struct DecodedScalar {
    let value: UInt32
    let length: Int
    let kind: ScalarKind

    @inline(__always)
    init(in text: UnsafeBufferPointer<UInt8>, at index: Int) {
        let lead = text[index]
        if lead < 0x80 {
            value = UInt32(lead)
            length = 1
            kind = ScalarKind.ascii[Int(lead)]
            return
        }
        if lead < 0xE0 {
            value = UInt32(lead & 0x1F) << 6 | UInt32(text[index + 1] & 0x3F)
            length = 2
        } else if lead < 0xF0 {
            value = UInt32(lead & 0x0F) << 12 | UInt32(text[index + 1] & 0x3F) << 6 | UInt32(text[index + 2] & 0x3F)
            length = 3
        } else {
            value = UInt32(lead & 0x07) << 18 | UInt32(text[index + 1] & 0x3F) << 12
                | UInt32(text[index + 2] & 0x3F) << 6 | UInt32(text[index + 3] & 0x3F)
            length = 4
        }
        kind = ScalarKind(value)
    }

    /// `\s`: Unicode White_Space, line breaks included.
    var isWhitespace: Bool { kind == .space || kind == .lineBreak }
}
