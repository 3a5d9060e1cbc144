import Foundation

/// Attribute and item access (`x.name`, `x[key]`) and the Python methods templates call on
/// strings, dicts and lists, with the sandbox's refusal of methods that mutate.
extension JinjaValue {
    /// `value.name`: a method first, then a dict key, as Jinja's `getattr` does.
    func attribute(_ name: String) throws(JinjaFailure) -> JinjaValue {
        if case .undefined(let hint) = self { throw JinjaFailure(hint) }
        if let method = try method(name) { return method }
        switch self {
        case .object(let object):
            return object[name] ?? .undefined(hint: "'dict object' has no attribute '\(name)'")
        case .namespace(let namespace):
            return namespace.attributes[name] ?? .undefined(hint: "'Namespace' object has no attribute '\(name)'")
        default:
            return .undefined(hint: "'\(typeDescription)' has no attribute '\(name)'")
        }
    }

    /// `value[key]`: an item first, then (for string keys) an attribute, as Jinja's `getitem` does.
    func item(_ key: JinjaValue) throws(JinjaFailure) -> JinjaValue {
        switch (self, key) {
        case (.undefined(let hint), _): throw JinjaFailure(hint)
        case (.object(let object), .string(let name)):
            if let value = object[name] { return value }
        case (.namespace(let namespace), .string(let name)):
            if let value = namespace.attributes[name] { return value }
        case (.array(let elements), _), (.tuple(let elements), _):
            if let index = key.integer {
                let position = index < 0 ? elements.count + index : index
                if elements.indices.contains(position) { return elements[position] }
            }
        case (.string(let string), _):
            if let index = key.integer {
                let scalars = Array(string.unicodeScalars)
                let position = index < 0 ? scalars.count + index : index
                if scalars.indices.contains(position) { return .string(String(scalars[position])) }
            }
        default: break
        }
        if case .string(let name) = key, let method = try method(name) { return method }
        return .undefined(hint: "'\(typeDescription)' has no attribute \(key.repr)")
    }

    /// `value[start:stop:step]` with Python's slice rules.
    func slice(start: Int?, stop: Int?, step: Int?) throws(JinjaFailure) -> JinjaValue {
        let step = step ?? 1
        guard step != 0 else { throw JinjaFailure("slice step cannot be zero") }
        func indices(count: Int) -> [Int] {
            func clamp(_ value: Int?, _ defaultValue: Int, lower: Int, upper: Int) -> Int {
                guard var value else { return defaultValue }
                if value < 0 { value += count }
                return min(max(value, lower), upper)
            }
            if step > 0 {
                let from = clamp(start, 0, lower: 0, upper: count)
                let to = clamp(stop, count, lower: 0, upper: count)
                return Array(stride(from: from, to: to, by: step))
            }
            let from = clamp(start, count - 1, lower: -1, upper: count - 1)
            let to = clamp(stop, -1, lower: -1, upper: count - 1)
            return Array(stride(from: from, to: to, by: step))
        }
        switch self {
        case .undefined(let hint): throw JinjaFailure(hint)
        case .array(let elements):
            return .array(indices(count: elements.count).map { elements[$0] })
        case .tuple(let elements):
            return .tuple(indices(count: elements.count).map { elements[$0] })
        case .string(let string):
            let scalars = Array(string.unicodeScalars)
            var result = String.UnicodeScalarView()
            for index in indices(count: scalars.count) { result.append(scalars[index]) }
            return .string(String(result))
        default:
            throw JinjaFailure("'\(typeName)' object is not subscriptable")
        }
    }

    private var typeDescription: String {
        switch self {
        case .none: "None"
        case .object: "dict object"
        case .array: "list object"
        case .tuple: "tuple object"
        case .string: "str object"
        default: "\(typeName) object"
        }
    }

    private static let mutatingMethods: [String: Set<String>] = [
        "list": ["append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"],
        "dict": ["pop", "popitem", "setdefault", "update", "clear"],
    ]

    private func bound(_ name: String, _ call: @escaping (JinjaArguments) throws -> JinjaValue) -> JinjaValue {
        .function(JinjaFunction(name: "\(typeName).\(name)", call: call))
    }

    private func method(_ name: String) throws(JinjaFailure) -> JinjaValue? {
        if Self.mutatingMethods[typeName]?.contains(name) == true {
            throw JinjaFailure("access to attribute '\(name)' of '\(typeName)' object is unsafe.")
        }
        switch self {
        case .string(let string): return stringMethod(name, string)
        case .object(let object): return dictionaryMethod(name, object)
        case .array(let elements), .tuple(let elements):
            switch name {
            case "count": return bound(name) { arguments in
                    .int(elements.filter { $0.equals(arguments.value(0, "value") ?? .none) }.count)
                }
            case "index": return bound(name) { arguments in
                    let item = arguments.value(0, "value") ?? .none
                    guard let index = elements.firstIndex(where: { $0.equals(item) }) else {
                        throw JinjaFailure("\(item.repr) is not in list")
                    }
                    return .int(index)
                }
            default: return nil
            }
        default: return nil
        }
    }

    private func dictionaryMethod(_ name: String, _ object: KeyOrderedDictionary<JinjaValue>) -> JinjaValue? {
        switch name {
        case "get": bound(name) { arguments in
                guard case .string(let key) = arguments.value(0, "key") ?? .none, let value = object[key] else {
                    return arguments.value(1, "default") ?? .none
                }
                return value
            }
        case "items": bound(name) { _ in .array(object.map { .tuple([.string($0.key), $0.value]) }) }
        case "keys": bound(name) { _ in .array(object.keys.map { .string($0) }) }
        case "values": bound(name) { _ in .array(object.values) }
        default: nil
        }
    }

    private func stringMethod(_ name: String, _ string: String) -> JinjaValue? {
        switch name {
        case "upper": return bound(name) { _ in .string(string.uppercased()) }
        case "lower": return bound(name) { _ in .string(string.lowercased()) }
        case "title": return bound(name) { _ in .string(PythonString.title(string)) }
        case "capitalize": return bound(name) { _ in .string(PythonString.capitalize(string)) }
        case "strip", "lstrip", "rstrip":
            return bound(name) { arguments in
                let characters = try arguments.string(0, "chars", function: name)
                return .string(PythonString.strip(
                    string, characters: characters, leading: name != "rstrip", trailing: name != "lstrip"))
            }
        case "startswith", "endswith":
            return bound(name) { arguments in
                let candidates: [JinjaValue]
                switch arguments.value(0, "prefix") ?? .none {
                case .tuple(let elements): candidates = elements
                case let single: candidates = [single]
                }
                for candidate in candidates {
                    guard case .string(let affix) = candidate else {
                        throw JinjaFailure("\(name) first arg must be str or a tuple of str, not \(candidate.typeName)")
                    }
                    let scalars = Array(string.unicodeScalars), affixScalars = Array(affix.unicodeScalars)
                    let matches = name == "startswith"
                        ? scalars.starts(with: affixScalars)
                        : scalars.reversed().starts(with: affixScalars.reversed())
                    if matches { return .bool(true) }
                }
                return .bool(false)
            }
        case "split", "rsplit":
            return bound(name) { arguments in
                let separator = try arguments.string(0, "sep", function: name)
                let limit = try arguments.int(1, "maxsplit", function: name) ?? -1
                return .array(try PythonString.split(string, separator: separator, maxSplits: limit, fromEnd: name == "rsplit")
                    .map { .string($0) })
            }
        case "splitlines":
            return bound(name) { _ in
                var lines = string.components(separatedBy: "\n")
                if lines.last == "" { lines.removeLast() }
                return .array(lines.map { .string($0) })
            }
        case "replace":
            return bound(name) { arguments in
                guard case .string(let old) = arguments.value(0, "old") ?? .none,
                    case .string(let new) = arguments.value(1, "new") ?? .none
                else { throw JinjaFailure("replace() arguments must be strings") }
                let count = try arguments.int(2, "count", function: name) ?? -1
                return .string(PythonString.replace(string, old, new, count: count))
            }
        case "find", "rfind", "index", "rindex", "count":
            return bound(name) { arguments in
                guard case .string(let part) = arguments.value(0, "sub") ?? .none else {
                    throw JinjaFailure("\(name)() argument must be str")
                }
                if name == "count" { return .int(PythonString.count(string, part)) }
                let position = PythonString.find(string, part, fromEnd: name.hasPrefix("r"))
                if position < 0 && name.hasSuffix("index") { throw JinjaFailure("substring not found") }
                return .int(position)
            }
        case "join":
            return bound(name) { arguments in
                let items = try (arguments.value(0, "iterable") ?? .none).iterated()
                var parts: [String] = []
                for item in items {
                    guard case .string(let part) = item else {
                        throw JinjaFailure("sequence item: expected str instance, \(item.typeName) found")
                    }
                    parts.append(part)
                }
                return .string(parts.joined(separator: string))
            }
        case "format":
            return bound(name) { arguments in .string(try PythonFormat.braces(string, arguments)) }
        case "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower":
            return bound(name) { _ in .bool(PythonString.classify(string, name)) }
        default:
            return nil
        }
    }
}
