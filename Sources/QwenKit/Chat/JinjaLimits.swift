/// Bounds that keep a hostile template from exhausting memory (`'x' * 10**12`, `'%9999999999s'`,
/// a string doubled in a loop) or time (nested `range` loops, macros that call themselves twice);
/// real templates stay far below them.
enum JinjaLimits {
    /// The largest string or list one operation may build, and the longest rendered text, in UTF-8
    /// bytes or elements.
    static let maximumSize = 50_000_000
    /// Loop iterations and macro calls one render may run.
    static let maximumSteps = 1_000_000

    /// Why a string past ``maximumSize`` was not built.
    static var tooLong: JinjaFailure { JinjaFailure("string of more than \(maximumSize) bytes refused") }
    /// Why a list past ``maximumSize`` was not built.
    static var tooManyElements: JinjaFailure { JinjaFailure("list of more than \(maximumSize) elements refused") }

    /// Fails when `text` is longer than ``maximumSize``.
    static func check(_ text: String) throws(JinjaFailure) {
        guard text.utf8.count <= maximumSize else { throw tooLong }
    }

    /// `a` followed by `b`, refusing a string longer than ``maximumSize``.
    static func concatenated(_ a: String, _ b: String) throws(JinjaFailure) -> String {
        guard a.utf8.count <= maximumSize - b.utf8.count else { throw tooLong }
        return a + b
    }

    /// `texts` joined by `separator`, refusing a string longer than ``maximumSize``.
    static func joined(_ texts: [String], separator: String) throws(JinjaFailure) -> String {
        var bytes = separator.utf8.count * max(0, texts.count - 1)
        for text in texts {
            bytes += text.utf8.count
            guard bytes <= maximumSize else { throw tooLong }
        }
        return texts.joined(separator: separator)
    }

    /// `text` repeated `count` times (nothing for a negative count), refusing absurd sizes.
    static func repeating(_ text: String, count: Int) throws(JinjaFailure) -> String {
        guard count > 0 else { return "" }
        guard text.utf8.count <= maximumSize / count else { throw tooLong }
        return String(repeating: text, count: count)
    }

    /// `elements` repeated `count` times (nothing for a negative count), refusing absurd sizes.
    static func repeating(_ elements: [JinjaValue], count: Int) throws(JinjaFailure) -> [JinjaValue] {
        guard count > 0 else { return [] }
        guard elements.count <= maximumSize / count else { throw tooManyElements }
        return Array([[JinjaValue]](repeating: elements, count: count).joined())
    }
}
