import Foundation

/// Python `str` methods over Unicode code points, for templates.
enum PythonString {
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool { JinjaLexer.isWhitespace(scalar) }

    /// `str.strip(chars)`, `lstrip`, `rstrip`: whitespace when `characters` is nil.
    static func strip(_ string: String, characters: String?, leading: Bool = true, trailing: Bool = true) -> String {
        let set = characters.map { Set($0.unicodeScalars) }
        let remove: (Unicode.Scalar) -> Bool = { scalar in set?.contains(scalar) ?? isWhitespace(scalar) }
        var scalars = string.unicodeScalars[...]
        if leading { while let first = scalars.first, remove(first) { scalars.removeFirst() } }
        if trailing { while let last = scalars.last, remove(last) { scalars.removeLast() } }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `str.split(sep, maxsplit)` and `str.rsplit`: on runs of whitespace when `separator` is nil.
    static func split(_ string: String, separator: String?, maxSplits: Int, fromEnd: Bool) throws(JinjaFailure) -> [String] {
        let scalars = Array(string.unicodeScalars)
        var pieces: [[Unicode.Scalar]] = []
        var splits = 0
        func canSplit() -> Bool { maxSplits < 0 || splits < maxSplits }
        if let separator {
            let needle = Array(separator.unicodeScalars)
            guard !needle.isEmpty else { throw JinjaFailure("empty separator") }
            if fromEnd {
                var end = scalars.count
                var index = scalars.count - needle.count
                while index >= 0 && canSplit() {
                    if Array(scalars[index..<index + needle.count]) == needle {
                        pieces.insert(Array(scalars[index + needle.count..<end]), at: 0)
                        end = index
                        splits += 1
                        index -= needle.count
                    } else {
                        index -= 1
                    }
                }
                pieces.insert(Array(scalars[0..<end]), at: 0)
            } else {
                var start = 0
                var index = 0
                while index + needle.count <= scalars.count && canSplit() {
                    if Array(scalars[index..<index + needle.count]) == needle {
                        pieces.append(Array(scalars[start..<index]))
                        index += needle.count
                        start = index
                        splits += 1
                    } else {
                        index += 1
                    }
                }
                pieces.append(Array(scalars[start...]))
            }
        } else if fromEnd {
            var end = scalars.count
            while end > 0 && isWhitespace(scalars[end - 1]) { end -= 1 }
            while end > 0 {
                var start = end
                if !canSplit() {
                    pieces.insert(Array(scalars[0..<end]), at: 0)
                    break
                }
                while start > 0 && !isWhitespace(scalars[start - 1]) { start -= 1 }
                pieces.insert(Array(scalars[start..<end]), at: 0)
                splits += 1
                end = start
                while end > 0 && isWhitespace(scalars[end - 1]) { end -= 1 }
            }
        } else {
            var start = 0
            while start < scalars.count && isWhitespace(scalars[start]) { start += 1 }
            while start < scalars.count {
                if !canSplit() {
                    pieces.append(Array(scalars[start...]))
                    break
                }
                var end = start
                while end < scalars.count && !isWhitespace(scalars[end]) { end += 1 }
                pieces.append(Array(scalars[start..<end]))
                splits += 1
                start = end
                while start < scalars.count && isWhitespace(scalars[start]) { start += 1 }
            }
        }
        return pieces.map { String(String.UnicodeScalarView($0)) }
    }

    /// `str.replace(old, new, count)`; an empty `old` inserts `new` between characters.
    static func replace(_ string: String, _ old: String, _ new: String, count: Int = -1) -> String {
        let scalars = Array(string.unicodeScalars)
        let needle = Array(old.unicodeScalars)
        var output = String.UnicodeScalarView()
        var replaced = 0
        var index = 0
        if needle.isEmpty {
            for scalar in scalars {
                if count < 0 || replaced < count {
                    output.append(contentsOf: new.unicodeScalars)
                    replaced += 1
                }
                output.append(scalar)
            }
            if count < 0 || replaced < count { output.append(contentsOf: new.unicodeScalars) }
            return String(output)
        }
        while index < scalars.count {
            if (count < 0 || replaced < count) && index + needle.count <= scalars.count
                && scalars[index..<index + needle.count].elementsEqual(needle)
            {
                output.append(contentsOf: new.unicodeScalars)
                index += needle.count
                replaced += 1
            } else {
                output.append(scalars[index])
                index += 1
            }
        }
        return String(output)
    }

    /// `str.find` / `str.rfind`: the code point offset of `part`, or -1.
    static func find(_ string: String, _ part: String, fromEnd: Bool) -> Int {
        let scalars = Array(string.unicodeScalars)
        let needle = Array(part.unicodeScalars)
        guard needle.count <= scalars.count else { return -1 }
        let candidates = Array(0...(scalars.count - needle.count))
        for index in fromEnd ? candidates.reversed() : candidates
        where scalars[index..<index + needle.count].elementsEqual(needle) {
            return index
        }
        return -1
    }

    /// `str.count`: non-overlapping occurrences.
    static func count(_ string: String, _ part: String) -> Int {
        let needle = Array(part.unicodeScalars)
        if needle.isEmpty { return string.unicodeScalars.count + 1 }
        let scalars = Array(string.unicodeScalars)
        var found = 0
        var index = 0
        while index + needle.count <= scalars.count {
            if scalars[index..<index + needle.count].elementsEqual(needle) {
                found += 1
                index += needle.count
            } else {
                index += 1
            }
        }
        return found
    }

    /// `str.title()`: the first letter of each run of letters upper-cased, the rest lower-cased.
    static func title(_ string: String) -> String {
        var output = ""
        var previousIsLetter = false
        for scalar in string.unicodeScalars {
            let isLetter = scalar.properties.isAlphabetic
            let piece = String(scalar)
            output += isLetter ? (previousIsLetter ? piece.lowercased() : piece.uppercased()) : piece
            previousIsLetter = isLetter
        }
        return output
    }

    /// `str.capitalize()`: the first character upper-cased, the rest lower-cased.
    static func capitalize(_ string: String) -> String {
        guard let first = string.unicodeScalars.first else { return string }
        return String(first).uppercased() + String(String.UnicodeScalarView(string.unicodeScalars.dropFirst())).lowercased()
    }

    /// `str.isdigit()`, `isalpha()`, `isalnum()`, `isspace()`, `isupper()`, `islower()`.
    static func classify(_ string: String, _ method: String) -> Bool {
        let scalars = string.unicodeScalars
        switch method {
        case "isdigit": return !scalars.isEmpty && scalars.allSatisfy { $0.properties.numericType != nil }
        case "isalpha": return !scalars.isEmpty && scalars.allSatisfy { $0.properties.isAlphabetic }
        case "isalnum":
            return !scalars.isEmpty && scalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        case "isspace": return !scalars.isEmpty && scalars.allSatisfy(isWhitespace)
        case "isupper":
            return scalars.contains { $0.properties.isCased } && !scalars.contains { $0.properties.isLowercase }
        case "islower":
            return scalars.contains { $0.properties.isCased } && !scalars.contains { $0.properties.isUppercase }
        default: return false
        }
    }
}
