/// Jinja's built-in tests: `value is NAME(arguments)`.
enum JinjaTests {
    static let names: Set<String> = [
        "defined", "undefined", "none", "string", "mapping", "iterable", "sequence", "number", "integer", "float",
        "boolean", "true", "false", "even", "odd", "divisibleby", "equalto", "eq", "==", "ne", "!=", "lessthan",
        "lt", "<", "le", "<=", "greaterthan", "gt", ">", "ge", ">=", "in", "sameas", "callable", "lower", "upper",
        "escaped", "filter", "test",
    ]

    static func run(_ name: String, _ value: JinjaValue, _ arguments: [JinjaValue]) throws(JinjaFailure) -> Bool {
        func argument() throws(JinjaFailure) -> JinjaValue {
            guard let first = arguments.first else { throw JinjaFailure("test '\(name)' needs an argument") }
            return first
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none":
            if case .none = value { return true }
            return false
        case "string":
            if case .string = value { return true }
            return false
        case "mapping":
            if case .object = value { return true }
            return false
        case "iterable", "sequence":
            switch value {
            case .undefined, .string, .array, .tuple, .object: return true
            default: return false
            }
        case "number": return value.number != nil
        case "integer":
            if case .int = value { return true }
            return false
        case "float":
            if case .double = value { return true }
            return false
        case "boolean":
            if case .bool = value { return true }
            return false
        case "true":
            if case .bool(true) = value { return true }
            return false
        case "false":
            if case .bool(false) = value { return true }
            return false
        case "even", "odd":
            guard let int = value.integer else {
                if case .undefined(let hint) = value { throw JinjaFailure(hint) }
                throw JinjaFailure("test '\(name)' needs an integer, got \(value.typeName)")
            }
            return (int % 2 == 0) == (name == "even")
        case "divisibleby":
            let divisor = try argument()
            try value.failIfUndefined(divisor)
            if let a = value.integer, let b = divisor.integer {
                guard b != 0 else { throw JinjaFailure("integer division or modulo by zero") }
                return a % b == 0
            }
            guard let a = value.number, let b = divisor.number, b != 0 else {
                throw JinjaFailure("test 'divisibleby' needs numbers")
            }
            return a.truncatingRemainder(dividingBy: b) == 0
        case "equalto", "eq", "==": return value.equals(try argument())
        case "ne", "!=": return !value.equals(try argument())
        case "lessthan", "lt", "<": return try value.less(than: try argument())
        case "le", "<=":
            let other = try argument()
            return try value.less(than: other) || value.equals(other)
        case "greaterthan", "gt", ">": return try argument().less(than: value)
        case "ge", ">=":
            let other = try argument()
            return try other.less(than: value) || value.equals(other)
        case "in": return try argument().contains(value)
        case "sameas":
            let other = try argument()
            switch (value, other) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a === b
            default: return false
            }
        case "callable":
            if case .function = value { return true }
            return false
        case "lower", "upper":
            guard case .string(let string) = value else { return false }
            return PythonString.classify(string, name == "lower" ? "islower" : "isupper")
        case "escaped": return false
        case "filter":
            guard case .string(let filter) = try argument() else { return false }
            return JinjaFilters.names.contains(filter)
        case "test":
            guard case .string(let test) = try argument() else { return false }
            return names.contains(test)
        default:
            throw JinjaFailure("no test named '\(name)'")
        }
    }
}
