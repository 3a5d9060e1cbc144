/// A value inside a running template, with Python's semantics as Jinja has them: `None`,
/// `Undefined`, ints and floats kept apart, insertion-ordered dicts, namespaces and callables.
enum JinjaValue {
    /// A missing variable, attribute or item; `hint` says what was missing ("'x' is undefined").
    case undefined(hint: String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    /// A Python list.
    case array([JinjaValue])
    /// A Python tuple: like a list, but printed in parentheses and never equal to a list.
    case tuple([JinjaValue])
    case object(KeyOrderedDictionary<JinjaValue>)
    case namespace(JinjaNamespace)
    case function(JinjaFunction)

    init(_ json: JSONValue) {
        switch json {
        case .null: self = .none
        case .bool(let bool): self = .bool(bool)
        case .int(let int): self = .int(int)
        case .double(let double): self = .double(double)
        case .string(let string): self = .string(string)
        case .array(let elements): self = .array(elements.map(JinjaValue.init))
        case .object(let object): self = .object(object.mapValues(JinjaValue.init))
        }
    }

    /// The JSON form of this value, for `tojson`; fails on values Python's `json` cannot encode.
    func json() throws(JinjaFailure) -> JSONValue {
        switch self {
        case .none: return .null
        case .bool(let bool): return .bool(bool)
        case .int(let int): return .int(int)
        case .double(let double): return .double(double)
        case .string(let string): return .string(string)
        case .array(let elements), .tuple(let elements):
            var result: [JSONValue] = []
            for element in elements { result.append(try element.json()) }
            return .array(result)
        case .object(let object):
            var result = JSONObject()
            for (key, value) in object { result[key] = try value.json() }
            return .object(result)
        case .undefined, .namespace, .function:
            throw JinjaFailure("Object of type \(typeName) is not JSON serializable")
        }
    }

    /// Python's type name, for error messages.
    var typeName: String {
        switch self {
        case .undefined: "Undefined"
        case .none: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .double: "float"
        case .string: "str"
        case .array: "list"
        case .tuple: "tuple"
        case .object: "dict"
        case .namespace: "Namespace"
        case .function: "function"
        }
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python truthiness.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: false
        case .bool(let bool): bool
        case .int(let int): int != 0
        case .double(let double): double != 0
        case .string(let string): !string.isEmpty
        case .array(let elements), .tuple(let elements): !elements.isEmpty
        case .object(let object): !object.isEmpty
        case .namespace, .function: true
        }
    }

    /// The value as a number when it is a bool, int or float (Python's numeric tower).
    var number: Double? {
        switch self {
        case .bool(let bool): bool ? 1 : 0
        case .int(let int): Double(int)
        case .double(let double): double
        default: nil
        }
    }

    /// The value as an int when it is a bool or int.
    var integer: Int? {
        switch self {
        case .bool(let bool): bool ? 1 : 0
        case .int(let int): int
        default: nil
        }
    }

    /// Python's `str(value)`, which is what `{{ value }}` prints.
    var text: String {
        switch self {
        case .undefined: ""
        case .string(let string): string
        default: repr
        }
    }

    /// Python's `repr(value)`.
    var repr: String {
        switch self {
        case .undefined: ""
        case .none: "None"
        case .bool(let bool): bool ? "True" : "False"
        case .int(let int): String(int)
        case .double(let double): JSONSerializer.pythonRepr(double)
        case .string(let string): Self.pythonRepr(string)
        case .array(let elements): "[" + elements.map(\.repr).joined(separator: ", ") + "]"
        case .tuple(let elements):
            "(" + elements.map(\.repr).joined(separator: ", ") + (elements.count == 1 ? ",)" : ")")
        case .object(let object):
            "{" + object.map { Self.pythonRepr($0.key) + ": " + $0.value.repr }.joined(separator: ", ") + "}"
        case .namespace(let namespace):
            "<Namespace {" + namespace.attributes.map { Self.pythonRepr($0.key) + ": " + $0.value.repr }
                .joined(separator: ", ") + "}>"
        case .function(let function): "<function \(function.name)>"
        }
    }

    /// Python's `repr(str)`: single quotes unless the text has a single quote and no double quote.
    static func pythonRepr(_ string: String) -> String {
        let quote: Unicode.Scalar = string.contains("'") && !string.contains("\"") ? "\"" : "'"
        var result = String.UnicodeScalarView()
        result.append(quote)
        for scalar in string.unicodeScalars {
            switch scalar {
            case quote, "\\":
                result.append("\\")
                result.append(scalar)
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\r": result.append(contentsOf: "\\r".unicodeScalars)
            case "\t": result.append(contentsOf: "\\t".unicodeScalars)
            default:
                if isPrintable(scalar) {
                    result.append(scalar)
                } else {
                    let hex = String(scalar.value, radix: 16)
                    let (prefix, width) = scalar.value < 0x100 ? ("\\x", 2) : scalar.value < 0x10000 ? ("\\u", 4) : ("\\U", 8)
                    result.append(contentsOf: (prefix + String(repeating: "0", count: width - hex.count) + hex).unicodeScalars)
                }
            }
        }
        result.append(quote)
        return String(result)
    }

    /// Python's `str.isprintable` for one character: not a control, format, surrogate, private-use,
    /// unassigned or separator character, except the ASCII space.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default:
            return true
        }
    }

    /// The characters of a string as Python sees them: one element per Unicode code point.
    static func characters(_ string: String) -> [JinjaValue] {
        string.unicodeScalars.map { .string(String($0)) }
    }

    /// What `for x in value` walks: list elements, dict keys, string characters; nothing for undefined.
    func iterated() throws(JinjaFailure) -> [JinjaValue] {
        switch self {
        case .undefined: return []
        case .array(let elements), .tuple(let elements): return elements
        case .object(let object): return object.keys.map { .string($0) }
        case .string(let string): return Self.characters(string)
        default: throw JinjaFailure("'\(typeName)' object is not iterable")
        }
    }

    /// Python's `len(value)`.
    func length() throws(JinjaFailure) -> Int {
        switch self {
        case .undefined: return 0
        case .string(let string): return string.unicodeScalars.count
        case .array(let elements), .tuple(let elements): return elements.count
        case .object(let object): return object.count
        default: throw JinjaFailure("object of type '\(typeName)' has no len()")
        }
    }
}

/// The mutable object `namespace(...)` returns; `{% set ns.x = ... %}` changes it from any scope.
final class JinjaNamespace {
    var attributes: KeyOrderedDictionary<JinjaValue>

    init(_ attributes: KeyOrderedDictionary<JinjaValue>) {
        self.attributes = attributes
    }
}

/// A callable value: a macro, a global like `range`, or a bound method like `"a".upper`.
struct JinjaFunction {
    let name: String
    let call: (JinjaArguments) throws -> JinjaValue
}

/// The arguments of a call: positional first, then keyword arguments in the order written.
struct JinjaArguments {
    var positional: [JinjaValue] = []
    var keywords: [(String, JinjaValue)] = []

    /// The argument at `position`, or the keyword argument `name`, or nil.
    func value(_ position: Int, _ name: String) -> JinjaValue? {
        if position < positional.count { return positional[position] }
        return keywords.first { $0.0 == name }?.1
    }

    func string(_ position: Int, _ name: String, function: String) throws(JinjaFailure) -> String? {
        guard let value = value(position, name), !value.isNoneOrUndefined else { return nil }
        guard case .string(let string) = value else {
            throw JinjaFailure("\(function)() argument '\(name)' must be a string, not \(value.typeName)")
        }
        return string
    }

    func int(_ position: Int, _ name: String, function: String) throws(JinjaFailure) -> Int? {
        guard let value = value(position, name), !value.isNoneOrUndefined else { return nil }
        guard let int = value.integer else {
            throw JinjaFailure("\(function)() argument '\(name)' must be an integer, not \(value.typeName)")
        }
        return int
    }

    func bool(_ position: Int, _ name: String) -> Bool? {
        value(position, name).map(\.isTruthy)
    }
}

extension JinjaValue {
    var isNoneOrUndefined: Bool {
        switch self {
        case .none, .undefined: true
        default: false
        }
    }
}

/// An error raised while evaluating, before the interpreter adds the template line.
struct JinjaFailure: Error {
    enum Kind { case runtime, raisedByTemplate, unsupported }

    var message: String
    var kind: Kind

    init(_ message: String, kind: Kind = .runtime) {
        self.message = message
        self.kind = kind
    }

    func error(line: Int) -> JinjaError {
        switch kind {
        case .runtime: .runtime(message, line: line)
        case .raisedByTemplate: .raised(message, line: line)
        case .unsupported: .unsupported(message, line: line)
        }
    }
}
