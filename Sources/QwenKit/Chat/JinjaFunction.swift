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
