/// The Unicode normalization applied to text before it is split into words.
public enum TextNormalization: Sendable, Equatable {
    /// Text is used as given.
    case none
    /// Canonical composition (NFC), as Qwen2's tokenizer does.
    case nfc

    /// Calls `body` with the UTF-8 of `text` normalized.
    func withNormalized<Result>(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        guard self == .nfc, let normalized = CanonicalComposition.normalized(text) else { return body(text) }
        return normalized.withUnsafeBufferPointer(body)
    }
}
