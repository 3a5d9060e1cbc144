/// Unicode NFC exactly as Hugging Face tokenizers computes it, which is with Unicode 9.0 data:
/// scalars assigned later neither decompose, compose nor reorder (combining class 0).
/// Foundation's NFC cannot stand in: it follows newer Unicode, and on Linux it leaves some
/// strings unnormalized and composes supplementary-plane scalars as if they were BMP ones.
enum CanonicalComposition {
    /// The Unicode version of the normalization data Hugging Face tokenizers uses.
    static let unicodeVersion = (major: 9, minor: 0)

    /// The NFC form of UTF-8 `text`, or nil when `text` is already in NFC.
    ///
    /// Only the regions around scalars that may change are normalized: a scalar that has
    /// combining class 0, no decomposition and never composes with the scalar before it is a
    /// boundary that normalization does not cross.
    static func normalized(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let tables = Tables.shared
        var output: [UInt8] = []
        var copied = 0
        var boundary = 0
        var index = 0
        while index < text.count {
            let lead = text[index]
            if lead < 0xCC {
                // Below U+0300: a boundary (decompositions there start with a plain starter).
                boundary = index
                index += lead < 0x80 ? 1 : 2
                continue
            }
            let (scalar, length) = decodeScalar(text, at: index)
            if tables.properties(of: scalar) == 0 {
                boundary = index
                index += length
                continue
            }
            var end = index + length
            while end < text.count {
                let (next, nextLength) = decodeScalar(text, at: end)
                if next < 0x300 || tables.properties(of: next) == 0 { break }
                end += nextLength
            }
            if output.isEmpty { output.reserveCapacity(text.count + 16) }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[copied..<boundary]))
            appendNormalizedRegion(UnsafeBufferPointer(rebasing: text[boundary..<end]), to: &output, tables)
            copied = end
            boundary = end
            index = end
        }
        guard copied > 0 else { return nil }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: text[copied...]))
        return output
    }

    private static func appendNormalizedRegion(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8], _ tables: Tables) {
        var scalars: [UInt32] = []
        scalars.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let (scalar, length) = decodeScalar(text, at: index)
            tables.appendDecomposition(of: scalar, to: &scalars)
            index += length
        }
        reorder(&scalars, tables)
        compose(&scalars, tables)
        for scalar in scalars {
            switch scalar {
            case ..<0x80:
                output.append(UInt8(scalar))
            case ..<0x800:
                output.append(0xC0 | UInt8(scalar >> 6))
                output.append(0x80 | UInt8(scalar & 0x3F))
            case ..<0x10000:
                output.append(0xE0 | UInt8(scalar >> 12))
                output.append(0x80 | UInt8(scalar >> 6 & 0x3F))
                output.append(0x80 | UInt8(scalar & 0x3F))
            default:
                output.append(0xF0 | UInt8(scalar >> 18))
                output.append(0x80 | UInt8(scalar >> 12 & 0x3F))
                output.append(0x80 | UInt8(scalar >> 6 & 0x3F))
                output.append(0x80 | UInt8(scalar & 0x3F))
            }
        }
    }

    /// Canonical ordering: a stable sort by combining class of each run of non-starters.
    private static func reorder(_ scalars: inout [UInt32], _ tables: Tables) {
        var index = 1
        while index < scalars.count {
            let combiningClass = tables.combiningClass(of: scalars[index])
            if combiningClass != 0 {
                var position = index
                while position > 0 {
                    let before = tables.combiningClass(of: scalars[position - 1])
                    guard before > combiningClass else { break }
                    scalars.swapAt(position - 1, position)
                    position -= 1
                }
            }
            index += 1
        }
    }

    /// Canonical composition of a decomposed, ordered sequence.
    private static func compose(_ scalars: inout [UInt32], _ tables: Tables) {
        guard !scalars.isEmpty else { return }
        var starter: Int? = tables.combiningClass(of: scalars[0]) == 0 ? 0 : nil
        var lastClass: UInt8 = starter == nil ? 255 : 0
        var written = 1
        for index in 1..<scalars.count {
            let scalar = scalars[index]
            let combiningClass = tables.combiningClass(of: scalar)
            if let starter, lastClass < combiningClass || (lastClass == 0 && written == starter + 1),
               let composite = tables.composite(of: scalars[starter], scalar) {
                scalars[starter] = composite
                continue
            }
            if combiningClass == 0 { starter = written }
            lastClass = combiningClass
            scalars[written] = scalar
            written += 1
        }
        scalars.removeSubrange(written...)
    }

    @inline(__always)
    private static func decodeScalar(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let lead = text[index]
        if lead < 0x80 { return (UInt32(lead), 1) }
        if lead < 0xE0 { return (UInt32(lead & 0x1F) << 6 | UInt32(text[index + 1] & 0x3F), 2) }
        if lead < 0xF0 {
            return (UInt32(lead & 0x0F) << 12 | UInt32(text[index + 1] & 0x3F) << 6 | UInt32(text[index + 2] & 0x3F), 3)
        }
        let value = UInt32(lead & 0x07) << 18 | UInt32(text[index + 1] & 0x3F) << 12
            | UInt32(text[index + 2] & 0x3F) << 6 | UInt32(text[index + 3] & 0x3F)
        return (value, 4)
    }

    /// Decompositions, compositions and combining classes, restricted to ``unicodeVersion``.
    private final class Tables: Sendable {
        static let shared = Tables()

        private static let hangulBase: UInt32 = 0xAC00, hangulCount: UInt32 = 11172
        private static let leadingBase: UInt32 = 0x1100, vowelBase: UInt32 = 0x1161, trailingBase: UInt32 = 0x11A7
        private static let vowelCount: UInt32 = 21, trailingCount: UInt32 = 28

        private static let decomposesFlag: UInt16 = 0x100
        private static let composesWithPreviousFlag: UInt16 = 0x200

        /// first << 32 | second (0 for a singleton).
        private let decompositions: [UInt32: UInt64]
        private let compositions: [UInt64: UInt32]
        /// Per BMP scalar: combining class | flags.
        private let bmpProperties: [UInt16]
        private let secondScalars: Set<UInt32>

        private init() {
            var decompositions: [UInt32: UInt64] = [:]
            var compositions: [UInt64: UInt32] = [:]
            var secondScalars = Set<UInt32>()
            let table = canonicalDecompositionTable
            for row in stride(from: 0, to: table.count, by: 4) where Self.isKnown(table[row]) {
                let (scalar, first, second) = (table[row], table[row + 1], table[row + 2])
                decompositions[scalar] = UInt64(first) << 32 | UInt64(second)
                if table[row + 3] == 1 {
                    compositions[UInt64(first) << 32 | UInt64(second)] = scalar
                    secondScalars.insert(second)
                }
            }
            for vowel in Self.vowelBase..<Self.vowelBase + Self.vowelCount { secondScalars.insert(vowel) }
            for trailing in Self.trailingBase + 1..<Self.trailingBase + Self.trailingCount { secondScalars.insert(trailing) }
            self.decompositions = decompositions
            self.compositions = compositions
            self.secondScalars = secondScalars
            bmpProperties = (0..<0x10000).map { value in
                Self.computeProperties(UInt32(value), decompositions, secondScalars)
            }
        }

        private static func isKnown(_ scalar: UInt32) -> Bool {
            guard let age = Unicode.Scalar(scalar)?.properties.age else { return false }
            return (age.major, age.minor) <= CanonicalComposition.unicodeVersion
        }

        private static func computeProperties(
            _ scalar: UInt32, _ decompositions: [UInt32: UInt64], _ secondScalars: Set<UInt32>
        ) -> UInt16 {
            guard let unicodeScalar = Unicode.Scalar(scalar), isKnown(scalar) else { return 0 }
            var properties = UInt16(unicodeScalar.properties.canonicalCombiningClass.rawValue)
            let isHangulSyllable = (hangulBase..<hangulBase + hangulCount).contains(scalar)
            if decompositions[scalar] != nil || isHangulSyllable { properties |= decomposesFlag }
            if secondScalars.contains(scalar) { properties |= composesWithPreviousFlag }
            return properties
        }

        /// Combining class | flags; 0 when the scalar is left alone by NFC whatever precedes it.
        /// Precomposed Hangul syllables count as decomposing.
        @inline(__always)
        func properties(of scalar: UInt32) -> UInt16 {
            scalar < 0x10000 ? bmpProperties[Int(scalar)] : Self.computeProperties(scalar, decompositions, secondScalars)
        }

        @inline(__always)
        func combiningClass(of scalar: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: properties(of: scalar)) }

        func appendDecomposition(of scalar: UInt32, to output: inout [UInt32]) {
            let syllable = scalar &- Self.hangulBase
            if syllable < Self.hangulCount {
                output.append(Self.leadingBase + syllable / (Self.vowelCount * Self.trailingCount))
                output.append(Self.vowelBase + (syllable % (Self.vowelCount * Self.trailingCount)) / Self.trailingCount)
                let trailing = syllable % Self.trailingCount
                if trailing != 0 { output.append(Self.trailingBase + trailing) }
                return
            }
            guard properties(of: scalar) & Self.decomposesFlag != 0, let pair = decompositions[scalar] else {
                output.append(scalar)
                return
            }
            appendDecomposition(of: UInt32(pair >> 32), to: &output)
            let second = UInt32(truncatingIfNeeded: pair)
            if second != 0 { appendDecomposition(of: second, to: &output) }
        }

        func composite(of first: UInt32, _ second: UInt32) -> UInt32? {
            let leading = first &- Self.leadingBase, vowel = second &- Self.vowelBase
            if leading < 19 && vowel < Self.vowelCount {
                return Self.hangulBase + (leading * Self.vowelCount + vowel) * Self.trailingCount
            }
            let syllable = first &- Self.hangulBase, trailing = second &- Self.trailingBase
            if syllable < Self.hangulCount && syllable % Self.trailingCount == 0 && trailing > 0 && trailing < Self.trailingCount {
                return first + trailing
            }
            guard properties(of: second) & Self.composesWithPreviousFlag != 0 else { return nil }
            return compositions[UInt64(first) << 32 | UInt64(second)]
        }
    }
}
