import Foundation

/// The Unicode normalization applied to text before it is split into words.
public enum TextNormalization: Sendable, Equatable {
    /// Text is used as given.
    case none
    /// Canonical composition (NFC), as Qwen2's tokenizer does.
    case nfc

    /// Calls `body` with the UTF-8 of `text` normalized.
    func withNormalized<Result>(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        // Scalars below U+0300 (lead bytes below 0xCC) are already NFC and never combine with a neighbour.
        guard self == .nfc, text.contains(where: { $0 >= 0xCC }) else { return body(text) }
        var normalized = String(decoding: text, as: UTF8.self).precomposedStringWithCanonicalMapping
        return normalized.withUTF8(body)
    }
}
