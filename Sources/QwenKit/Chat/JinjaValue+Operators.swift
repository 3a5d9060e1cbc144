import Foundation

/// Python's operators on template values.
extension JinjaValue {
    /// Python's `==`: numbers compare across int, float and bool; dicts ignore key order;
    /// `Undefined == Undefined` is true.
    func equals(_ other: JinjaValue) -> Bool {
        switch (self, other) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)), (.tuple(let a), .tuple(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.equals($1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { pair in b[pair.key].map { pair.value.equals($0) } ?? false }
        case (.namespace(let a), .namespace(let b)): return a === b
        default:
            if let a = integer, let b = other.integer { return a == b }
            if let a = number, let b = other.number { return a == b }
            return false
        }
    }

    /// Python's `<`; fails for values that do not order (e.g. a string and an int).
    func less(than other: JinjaValue) throws(JinjaFailure) -> Bool {
        switch (self, other) {
        case (.string(let a), .string(let b)):
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
        case (.array(let a), .array(let b)), (.tuple(let a), .tuple(let b)):
            for (x, y) in zip(a, b) where !x.equals(y) { return try x.less(than: y) }
            return a.count < b.count
        default:
            if let a = integer, let b = other.integer { return a < b }
            if let a = number, let b = other.number { return a < b }
            try failIfUndefined(other)
            throw JinjaFailure("'<' not supported between instances of '\(typeName)' and '\(other.typeName)'")
        }
    }

    /// Python's `item in self`: substring, list membership or dict key.
    func contains(_ item: JinjaValue) throws(JinjaFailure) -> Bool {
        switch self {
        case .string(let string):
            guard case .string(let part) = item else {
                throw JinjaFailure("'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return part.isEmpty || string.range(of: part, options: .literal) != nil
        case .array(let elements), .tuple(let elements): return elements.contains { $0.equals(item) }
        case .object(let object):
            guard case .string(let key) = item else { return false }
            return object[key] != nil
        case .undefined: return false
        default: throw JinjaFailure("argument of type '\(typeName)' is not iterable")
        }
    }

    /// Fails with the undefined value's message when either operand is undefined.
    func failIfUndefined(_ other: JinjaValue) throws(JinjaFailure) {
        if case .undefined(let hint) = self { throw JinjaFailure(hint) }
        if case .undefined(let hint) = other { throw JinjaFailure(hint) }
    }

    func apply(_ operation: JinjaBinaryOperator, _ other: JinjaValue) throws(JinjaFailure) -> JinjaValue {
        if operation == .concatenate { return .string(try JinjaLimits.concatenated(text, other.text)) }
        try failIfUndefined(other)
        switch (operation, self, other) {
        case (.add, .string(let a), .string(let b)): return .string(try JinjaLimits.concatenated(a, b))
        case (.add, .array(let a), .array(let b)) where a.count <= JinjaLimits.maximumSize - b.count: return .array(a + b)
        case (.add, .tuple(let a), .tuple(let b)) where a.count <= JinjaLimits.maximumSize - b.count: return .tuple(a + b)
        case (.add, .array, .array), (.add, .tuple, .tuple):
            throw JinjaLimits.tooManyElements
        case (.multiply, .string(let a), _) where other.integer != nil:
            return .string(try JinjaLimits.repeating(a, count: other.integer ?? 0))
        case (.multiply, _, .string(let b)) where integer != nil:
            return .string(try JinjaLimits.repeating(b, count: integer ?? 0))
        case (.multiply, .array(let a), _) where other.integer != nil:
            return .array(try JinjaLimits.repeating(a, count: other.integer ?? 0))
        case (.modulo, .string(let format), _):
            return .string(try PythonFormat.percent(format, other.percentArguments))
        default: break
        }
        if let a = integer, let b = other.integer {
            return try Self.integerArithmetic(operation, a, b, typeNames: (typeName, other.typeName))
        }
        guard let a = number, let b = other.number else {
            throw JinjaFailure(
                "unsupported operand type(s) for \(operation.rawValue): '\(typeName)' and '\(other.typeName)'")
        }
        switch operation {
        case .add: return .double(a + b)
        case .subtract: return .double(a - b)
        case .multiply: return .double(a * b)
        case .divide:
            guard b != 0 else { throw JinjaFailure("float division by zero") }
            return .double(a / b)
        case .floorDivide:
            guard b != 0 else { throw JinjaFailure("float floor division by zero") }
            return .double((a / b).rounded(.down))
        case .modulo:
            guard b != 0 else { throw JinjaFailure("float modulo") }
            let remainder = a.truncatingRemainder(dividingBy: b)
            return .double(remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder)
        case .power: return .double(Foundation.pow(a, b))
        case .concatenate: return .string(try JinjaLimits.concatenated(text, other.text))
        }
    }

    private static func integerArithmetic(
        _ operation: JinjaBinaryOperator, _ a: Int, _ b: Int, typeNames: (String, String)
    ) throws(JinjaFailure) -> JinjaValue {
        func checked(_ result: (partialValue: Int, overflow: Bool)) throws(JinjaFailure) -> JinjaValue {
            guard !result.overflow else { throw JinjaFailure("integer overflow in \(operation.rawValue)") }
            return .int(result.partialValue)
        }
        switch operation {
        case .add: return try checked(a.addingReportingOverflow(b))
        case .subtract: return try checked(a.subtractingReportingOverflow(b))
        case .multiply: return try checked(a.multipliedReportingOverflow(by: b))
        case .divide:
            guard b != 0 else { throw JinjaFailure("division by zero") }
            return .double(Double(a) / Double(b))
        case .floorDivide, .modulo:
            guard b != 0 else { throw JinjaFailure("integer division or modulo by zero") }
            // Int.min / -1 is the one quotient (and remainder) that overflows.
            guard a != .min || b != -1 else { throw JinjaFailure("integer overflow in \(operation.rawValue)") }
            var quotient = a / b
            var remainder = a % b
            if remainder != 0 && (remainder < 0) != (b < 0) {
                quotient -= 1
                remainder += b
            }
            return .int(operation == .floorDivide ? quotient : remainder)
        case .power:
            if b < 0 { return .double(Foundation.pow(Double(a), Double(b))) }
            func multiply(_ x: Int, _ y: Int) throws(JinjaFailure) -> Int {
                let (product, overflow) = x.multipliedReportingOverflow(by: y)
                guard !overflow else { throw JinjaFailure("integer overflow in **") }
                return product
            }
            var result = 1
            var base = a
            var exponent = b
            while exponent > 0 {
                if exponent & 1 == 1 { result = try multiply(result, base) }
                exponent >>= 1
                if exponent > 0 { base = try multiply(base, base) }
            }
            return .int(result)
        case .concatenate: return .string(String(a) + String(b))
        }
    }

    /// The right operand of `"format" % value` as Python spreads it: only a tuple gives several arguments.
    private var percentArguments: [JinjaValue] {
        if case .tuple(let elements) = self { return elements }
        return [self]
    }
}
