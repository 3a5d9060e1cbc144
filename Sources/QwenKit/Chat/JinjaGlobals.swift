import Foundation

/// The global functions of transformers' chat template environment: Jinja's `range`, `dict`,
/// `namespace`, plus `raise_exception` and `strftime_now`.
enum JinjaGlobals {
    static func scope(now: @escaping @Sendable () -> Date) -> JinjaScope {
        let functions: [JinjaFunction] = [
            JinjaFunction(name: "range", call: range),
            JinjaFunction(name: "dict") { arguments in
                guard arguments.positional.isEmpty else {
                    throw JinjaFailure("dict() with positional arguments", kind: .unsupported)
                }
                return .object(KeyOrderedDictionary(arguments.keywords))
            },
            JinjaFunction(name: "namespace") { arguments in
                var attributes = KeyOrderedDictionary<JinjaValue>()
                for argument in arguments.positional {
                    guard case .object(let object) = argument else {
                        throw JinjaFailure("namespace() positional argument must be a dict")
                    }
                    for (key, value) in object { attributes[key] = value }
                }
                for (key, value) in arguments.keywords { attributes[key] = value }
                return .namespace(JinjaNamespace(attributes))
            },
            JinjaFunction(name: "raise_exception") { arguments in
                throw JinjaFailure(arguments.value(0, "message")?.text ?? "", kind: .raisedByTemplate)
            },
            JinjaFunction(name: "strftime_now") { arguments in
                guard case .string(let format) = arguments.value(0, "format") ?? .none else {
                    throw JinjaFailure("strftime_now() needs a format string")
                }
                return .string(PythonFormat.strftime(format, date: now()))
            },
        ]
        var variables: [String: JinjaValue] = [:]
        for function in functions { variables[function.name] = .function(function) }
        return JinjaScope(variables: variables)
    }

    private static func range(_ arguments: JinjaArguments) throws -> JinjaValue {
        var bounds: [Int] = []
        for argument in arguments.positional {
            guard let int = argument.integer else {
                throw JinjaFailure("'\(argument.typeName)' object cannot be interpreted as an integer")
            }
            bounds.append(int)
        }
        let (start, stop, step): (Int, Int, Int)
        switch bounds.count {
        case 1: (start, stop, step) = (0, bounds[0], 1)
        case 2: (start, stop, step) = (bounds[0], bounds[1], 1)
        case 3: (start, stop, step) = (bounds[0], bounds[1], bounds[2])
        default: throw JinjaFailure("range expected 1 to 3 arguments, got \(bounds.count)")
        }
        guard step != 0 else { throw JinjaFailure("range() arg 3 must not be zero") }
        let values = Array(stride(from: start, to: stop, by: step))
        // The sandbox refuses ranges longer than this.
        guard values.count <= 100_000 else { throw JinjaFailure("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).") }
        return .array(values.map(JinjaValue.int))
    }
}
