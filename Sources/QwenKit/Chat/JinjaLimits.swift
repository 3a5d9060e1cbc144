/// Bounds that keep a hostile template from exhausting memory (`'x' * 10**12`, `'%9999999999s'`);
/// real templates stay far below them.
enum JinjaLimits {
    /// The largest string or list a single repetition or padding may build, in UTF-8 bytes or elements.
    static let maximumSize = 50_000_000

    /// `text` repeated `count` times (nothing for a negative count), refusing absurd sizes.
    static func repeating(_ text: String, count: Int) throws(JinjaFailure) -> String {
        guard count > 0 else { return "" }
        guard text.utf8.count <= maximumSize / count else {
            throw JinjaFailure("string of more than \(maximumSize) bytes refused")
        }
        return String(repeating: text, count: count)
    }

    /// `elements` repeated `count` times (nothing for a negative count), refusing absurd sizes.
    static func repeating(_ elements: [JinjaValue], count: Int) throws(JinjaFailure) -> [JinjaValue] {
        guard count > 0 else { return [] }
        guard elements.count <= maximumSize / count else {
            throw JinjaFailure("list of more than \(maximumSize) elements refused")
        }
        return Array([[JinjaValue]](repeating: elements, count: count).joined())
    }
}
