import Foundation

/// Jinja's built-in filters, with `tojson` as transformers overrides it (`json.dumps` with
/// `ensure_ascii=False` and its `indent`, `separators` and `sort_keys` options).
enum JinjaFilters {
    /// Filters that exist in Jinja but are not implemented here: using one is an `unsupported` error.
    static let unsupportedNames: Set<String> = [
        "pprint", "truncate", "striptags", "urlize", "wordwrap", "filesizeformat", "xmlattr", "groupby", "slice",
        "random", "urlencode",
    ]

    static let names: Set<String> = unsupportedNames.union([
        "tojson", "trim", "length", "count", "items", "first", "last", "join", "upper", "lower", "title",
        "capitalize", "replace", "default", "d", "list", "string", "int", "float", "abs", "round", "selectattr",
        "rejectattr", "select", "reject", "map", "unique", "sort", "reverse", "batch", "indent", "safe", "e",
        "escape", "forceescape", "min", "max", "sum", "dictsort", "wordcount", "center", "format", "attr",
    ])

    static func apply(_ name: String, _ value: JinjaValue, _ arguments: JinjaArguments) throws(JinjaFailure) -> JinjaValue {
        switch name {
        case "tojson": return .string(try toJSON(value, arguments))
        case "trim":
            return .string(PythonString.strip(value.text, characters: try arguments.string(0, "chars", function: name)))
        case "length", "count": return .int(try value.length())
        case "items":
            switch value {
            case .undefined: return .array([])
            case .object(let object): return .array(object.map { .tuple([.string($0.key), $0.value]) })
            default: throw JinjaFailure("Can only get item pairs from a mapping.")
            }
        case "first":
            return try value.iterated().first ?? .undefined(hint: "No first item, sequence was empty.")
        case "last":
            return try value.iterated().last ?? .undefined(hint: "No last item, sequence was empty.")
        case "join":
            var items = try value.iterated()
            if let attribute = arguments.value(1, "attribute"), !attribute.isNoneOrUndefined {
                items = try items.map { item throws(JinjaFailure) in try lookup(item, attribute) }
            }
            return .string(try JinjaLimits.joined(items.map(\.text), separator: arguments.value(0, "d")?.text ?? ""))
        case "upper": return .string(value.text.uppercased())
        case "lower": return .string(value.text.lowercased())
        case "title": return .string(title(value.text))
        case "capitalize": return .string(PythonString.capitalize(value.text))
        case "replace":
            guard let old = arguments.value(0, "old"), let new = arguments.value(1, "new") else {
                throw JinjaFailure("replace filter needs 'old' and 'new'")
            }
            let count = try arguments.int(2, "count", function: name) ?? -1
            return .string(PythonString.replace(value.text, old.text, new.text, count: count))
        case "default", "d":
            let useDefault = value.isUndefined || (arguments.bool(1, "boolean") == true && !value.isTruthy)
            return useDefault ? arguments.value(0, "default_value") ?? .string("") : value
        case "list": return .array(try value.iterated())
        case "string": return .string(value.text)
        case "int": return integer(value, arguments)
        case "float": return floatingPoint(value, arguments)
        case "abs":
            switch value {
            case .int(let int):
                guard int != .min else { throw JinjaFailure("integer overflow in abs()") }
                return .int(abs(int))
            case .bool(let bool): return .int(bool ? 1 : 0)
            case .double(let double): return .double(abs(double))
            default: throw JinjaFailure("bad operand type for abs(): '\(value.typeName)'")
            }
        case "round": return try round(value, arguments)
        case "selectattr", "rejectattr":
            guard let attribute = arguments.value(0, "attribute") else {
                throw JinjaFailure("\(name) needs an attribute name")
            }
            return .array(try select(
                value, arguments, firstTestArgument: 1, keep: name == "selectattr", attribute: attribute))
        case "select", "reject":
            return .array(try select(value, arguments, firstTestArgument: 0, keep: name == "select", attribute: nil))
        case "map": return .array(try map(value, arguments))
        case "unique":
            var seen: [JinjaValue] = []
            var result: [JinjaValue] = []
            let caseSensitive = arguments.bool(0, "case_sensitive") ?? false
            let attribute = arguments.value(1, "attribute")
            for item in try value.iterated() {
                let key = try sortKey(item, attribute: attribute, caseSensitive: caseSensitive)
                if !seen.contains(where: { $0.equals(key) }) {
                    seen.append(key)
                    result.append(item)
                }
            }
            return .array(result)
        case "sort":
            let reverse = arguments.bool(0, "reverse") ?? false
            let caseSensitive = arguments.bool(1, "case_sensitive") ?? false
            let attribute = arguments.value(2, "attribute")
            return .array(try sorted(try value.iterated(), attribute: attribute, caseSensitive: caseSensitive, reverse: reverse))
        case "reverse":
            if case .string(let string) = value { return .string(String(string.unicodeScalars.reversed().map(Character.init))) }
            return .array(try value.iterated().reversed())
        case "batch":
            guard let size = try arguments.int(0, "linecount", function: name), size > 0 else {
                throw JinjaFailure("batch needs a positive line count")
            }
            var batches: [JinjaValue] = []
            var current: [JinjaValue] = []
            for item in try value.iterated() {
                current.append(item)
                if current.count == size {
                    batches.append(.array(current))
                    current = []
                }
            }
            if !current.isEmpty {
                if let fill = arguments.value(1, "fill_with"), !fill.isNoneOrUndefined {
                    current += Array(repeating: fill, count: size - current.count)
                }
                batches.append(.array(current))
            }
            return .array(batches)
        case "indent": return .string(try indent(value.text, arguments))
        case "safe": return value
        case "e", "escape", "forceescape": return .string(escapeHTML(value.text))
        case "min", "max":
            let items = try value.iterated()
            let caseSensitive = arguments.bool(0, "case_sensitive") ?? false
            let attribute = arguments.value(1, "attribute")
            let ordered = try sorted(items, attribute: attribute, caseSensitive: caseSensitive, reverse: false)
            guard let pick = name == "min" ? ordered.first : ordered.last else {
                return .undefined(hint: "No aggregated item, sequence was empty.")
            }
            return pick
        case "sum":
            var total = arguments.value(1, "start") ?? .int(0)
            let attribute = arguments.value(0, "attribute")
            for item in try value.iterated() {
                if let attribute, !attribute.isNoneOrUndefined {
                    total = try total.apply(.add, try lookup(item, attribute))
                } else {
                    total = try total.apply(.add, item)
                }
            }
            return total
        case "dictsort":
            guard case .object(let object) = value else { throw JinjaFailure("dictsort needs a mapping, got \(value.typeName)") }
            let caseSensitive = arguments.bool(0, "case_sensitive") ?? false
            let byValue = arguments.value(1, "by")?.text == "value"
            let reverse = arguments.bool(2, "reverse") ?? false
            let pairs = object.map { JinjaValue.tuple([.string($0.key), $0.value]) }
            return .array(try sorted(pairs, attribute: .int(byValue ? 1 : 0), caseSensitive: caseSensitive, reverse: reverse))
        case "wordcount":
            return .int(value.text.split { !($0.isLetter || $0.isNumber || $0 == "_") }.count)
        case "center":
            let width = try arguments.int(0, "width", function: name) ?? 80
            let text = value.text
            let padding = width - text.unicodeScalars.count
            guard padding > 0 else { return .string(text) }
            let left = padding / 2 + (padding & width & 1)
            return .string(
                try JinjaLimits.repeating(" ", count: left) + text + JinjaLimits.repeating(" ", count: padding - left))
        case "format":
            if !arguments.keywords.isEmpty {
                throw JinjaFailure("format filter with keyword arguments", kind: .unsupported)
            }
            return .string(try PythonFormat.percent(value.text, arguments.positional))
        case "attr":
            guard case .string(let attribute) = arguments.value(0, "name") ?? .none else {
                throw JinjaFailure("attr filter needs an attribute name")
            }
            // Attributes only: a dict's keys are not attributes, its methods are.
            if case .object = value {
                return try value.method(attribute) ?? .undefined(hint: "'dict object' has no attribute '\(attribute)'")
            }
            return try value.attribute(attribute)
        default:
            throw JinjaFailure("filter '\(name)'", kind: .unsupported)
        }
    }

    private static func toJSON(_ value: JinjaValue, _ arguments: JinjaArguments) throws(JinjaFailure) -> String {
        var format = JSONFormat.python(
            indent: try arguments.int(1, "indent", function: "tojson"),
            sortKeys: arguments.bool(3, "sort_keys") ?? false,
            ensureASCII: arguments.bool(0, "ensure_ascii") ?? false)
        if let separators = arguments.value(2, "separators"), !separators.isNoneOrUndefined {
            guard let pair = try? separators.iterated(), pair.count == 2,
                case .string(let item) = pair[0], case .string(let key) = pair[1]
            else { throw JinjaFailure("tojson separators must be a pair of strings") }
            format.itemSeparator = item
            format.keySeparator = key
        }
        return try value.json().serialized(format)
    }

    /// Jinja's `title`: words start after whitespace, `-`, `(`, `{`, `[` or `<`.
    private static func title(_ string: String) -> String {
        var output = ""
        var atWordStart = true
        for scalar in string.unicodeScalars {
            let isSeparator = PythonString.isWhitespace(scalar) || "-({[<".unicodeScalars.contains(scalar)
            output += isSeparator ? String(scalar) : atWordStart ? String(scalar).uppercased() : String(scalar).lowercased()
            atWordStart = isSeparator
        }
        return output
    }

    private static func integer(_ value: JinjaValue, _ arguments: JinjaArguments) -> JinjaValue {
        let fallback = arguments.value(0, "default") ?? .int(0)
        switch value {
        case .int, .bool: return .int(value.integer ?? 0)
        case .double(let double):
            guard double.isFinite, let int = Int(exactly: double.rounded(.towardZero)) else { return fallback }
            return .int(int)
        case .string(let string):
            let trimmed = PythonString.strip(string, characters: nil)
            if let int = pythonInteger(trimmed, base: arguments.value(1, "base")?.integer ?? 10) { return .int(int) }
            if let double = Double(trimmed), double.isFinite, let int = Int(exactly: double.rounded(.towardZero)) {
                return .int(int)
            }
            return fallback
        default: return fallback
        }
    }

    /// Python's `int(text, base)`: optional sign, a `0x`/`0o`/`0b` prefix matching the base (any
    /// of them with base 0), and single underscores between digits.
    private static func pythonInteger(_ text: String, base: Int) -> Int? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        var radix = base
        let prefixes: [(String, Int)] = [("0x", 16), ("0o", 8), ("0b", 2)]
        if let (prefix, prefixRadix) = prefixes.first(where: { body.lowercased().hasPrefix($0.0) }),
            base == 0 || base == prefixRadix
        {
            radix = prefixRadix
            body = body.dropFirst(prefix.count)
            if body.first == "_" { body = body.dropFirst() }
        } else if base == 0 {
            radix = 10
        }
        guard (2...36).contains(radix), !body.isEmpty, body.first != "_", body.last != "_",
            !body.contains("__"), let magnitude = Int(body.replacingOccurrences(of: "_", with: ""), radix: radix)
        else { return nil }
        return negative ? -magnitude : magnitude
    }

    private static func floatingPoint(_ value: JinjaValue, _ arguments: JinjaArguments) -> JinjaValue {
        let fallback = arguments.value(0, "default") ?? .double(0)
        if let number = value.number { return .double(number) }
        if case .string(let string) = value {
            let trimmed = PythonString.strip(string, characters: nil).lowercased()
            switch trimmed {
            case "inf", "+inf", "infinity", "+infinity": return .double(.infinity)
            case "-inf", "-infinity": return .double(-.infinity)
            case "nan", "+nan", "-nan": return .double(.nan)
            default: if let double = Double(trimmed) { return .double(double) }
            }
        }
        return fallback
    }

    private static func round(_ value: JinjaValue, _ arguments: JinjaArguments) throws(JinjaFailure) -> JinjaValue {
        let precision = try arguments.int(0, "precision", function: "round") ?? 0
        let method = arguments.value(1, "method")?.text ?? "common"
        guard let number = value.number else { throw JinjaFailure("round filter needs a number, got \(value.typeName)") }
        let scale = Foundation.pow(10, Double(precision))
        switch method {
        case "common":
            if let int = value.integer, precision >= 0 { return .int(int) }
            // printf rounds the exact binary value half-to-even, as Python's round() does.
            if (0...1000).contains(precision), number.isFinite, let rounded = Double(String(format: "%.\(precision)f", number)) {
                return .double(rounded)
            }
            return .double((number * scale).rounded(.toNearestOrEven) / scale)
        case "ceil": return .double((number * scale).rounded(.up) / scale)
        case "floor": return .double((number * scale).rounded(.down) / scale)
        default: throw JinjaFailure("method must be common, ceil or floor")
        }
    }

    /// Jinja's attribute getter for `map`, `selectattr`, `sort`...: dotted paths and integer parts.
    static func lookup(_ item: JinjaValue, _ attribute: JinjaValue) throws(JinjaFailure) -> JinjaValue {
        if let index = attribute.integer { return try item.item(.int(index)) }
        var current = item
        for part in attribute.text.split(separator: ".", omittingEmptySubsequences: false) {
            current = try current.item(Int(part).map(JinjaValue.int) ?? .string(String(part)))
        }
        return current
    }

    private static func select(
        _ value: JinjaValue, _ arguments: JinjaArguments, firstTestArgument: Int, keep: Bool, attribute: JinjaValue?
    ) throws(JinjaFailure) -> [JinjaValue] {
        let testName = arguments.positional.count > firstTestArgument ? arguments.positional[firstTestArgument].text : nil
        if let testName, !JinjaTests.names.contains(testName) { throw JinjaFailure("no test named '\(testName)'") }
        let testArguments = Array(arguments.positional.dropFirst(firstTestArgument + 1))
        var result: [JinjaValue] = []
        for item in try value.iterated() {
            let subject = try attribute.map { attribute throws(JinjaFailure) in try lookup(item, attribute) } ?? item
            let passes = try testName.map { name throws(JinjaFailure) in try JinjaTests.run(name, subject, testArguments) }
                ?? subject.isTruthy
            if passes == keep { result.append(item) }
        }
        return result
    }

    private static func map(_ value: JinjaValue, _ arguments: JinjaArguments) throws(JinjaFailure) -> [JinjaValue] {
        let items = try value.iterated()
        if let attribute = arguments.keywords.first(where: { $0.0 == "attribute" })?.1 {
            let fallback = arguments.keywords.first { $0.0 == "default" }?.1
            return try items.map { item throws(JinjaFailure) in
                let found = try lookup(item, attribute)
                if found.isUndefined, let fallback { return fallback }
                return found
            }
        }
        guard case .string(let filter) = arguments.positional.first ?? .none else {
            throw JinjaFailure("map needs a filter name or attribute=")
        }
        guard names.contains(filter) else { throw JinjaFailure("no filter named '\(filter)'") }
        let filterArguments = JinjaArguments(positional: Array(arguments.positional.dropFirst()), keywords: arguments.keywords)
        return try items.map { item throws(JinjaFailure) in try apply(filter, item, filterArguments) }
    }

    private static func sortKey(_ item: JinjaValue, attribute: JinjaValue?, caseSensitive: Bool) throws(JinjaFailure) -> JinjaValue {
        var key = item
        if let attribute, !attribute.isNoneOrUndefined { key = try lookup(item, attribute) }
        if !caseSensitive, case .string(let string) = key { key = .string(string.lowercased()) }
        return key
    }

    private static func sorted(
        _ items: [JinjaValue], attribute: JinjaValue?, caseSensitive: Bool, reverse: Bool
    ) throws(JinjaFailure) -> [JinjaValue] {
        var attributes: [JinjaValue?] = [attribute]
        if case .string(let names) = attribute, names.contains(",") {
            attributes = names.split(separator: ",").map { .string(String($0)) }
        }
        var keyed: [(keys: [JinjaValue], item: JinjaValue)] = []
        for item in items {
            var keys: [JinjaValue] = []
            for attribute in attributes { keys.append(try sortKey(item, attribute: attribute, caseSensitive: caseSensitive)) }
            keyed.append((keys, item))
        }
        var failure: JinjaFailure?
        // Python's sort is stable; a reversed sort keeps equal items in their original order too.
        let indexed = keyed.enumerated().map { ($0.offset, $0.element) }
        let ordered = indexed.sorted { left, right in
            do {
                let a = JinjaValue.array(left.1.keys), b = JinjaValue.array(right.1.keys)
                if try (reverse ? b.less(than: a) : a.less(than: b)) { return true }
                if try (reverse ? a.less(than: b) : b.less(than: a)) { return false }
            } catch {
                failure = error as? JinjaFailure
            }
            return left.0 < right.0
        }
        if let failure { throw failure }
        return ordered.map(\.1.item)
    }

    private static func indent(_ string: String, _ arguments: JinjaArguments) throws(JinjaFailure) -> String {
        let width = arguments.value(0, "width") ?? .int(4)
        let indention: String
        if case .string(let text) = width {
            indention = text
        } else {
            indention = try JinjaLimits.repeating(" ", count: width.integer ?? 4)
        }
        let first = arguments.bool(1, "first") ?? false
        let blank = arguments.bool(2, "blank") ?? false
        var lines = (string + "\n").components(separatedBy: "\n")
        lines.removeLast()
        var result: String
        if blank {
            result = lines.joined(separator: "\n" + indention)
        } else {
            result = lines.removeFirst()
            if !lines.isEmpty {
                result += "\n" + lines.map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n")
            }
        }
        return first ? indention + result : result
    }

    private static func escapeHTML(_ string: String) -> String {
        var output = ""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&#34;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
