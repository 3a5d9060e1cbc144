import Foundation

/// Runs a parsed template: executes statements into an output string and evaluates expressions
/// with Jinja's scoping, undefined values and loop variables.
final class JinjaInterpreter {
    private enum Flow { case normal, breakLoop, continueLoop }

    /// How deep macros may call each other before rendering stops.
    private static let maximumCallDepth = 64
    private var callDepth = 0
    /// Loop iterations and macro calls of the current render (at most ``JinjaLimits/maximumSteps``).
    private var steps = 0
    /// Frames that hold macros; cleared after rendering so that no frame outlives the render.
    private var framesWithMacros: [JinjaScope] = []

    func render(_ nodes: [JinjaNode], in scope: JinjaScope) throws(JinjaError) -> String {
        defer {
            for frame in framesWithMacros { frame.removeAll() }
            framesWithMacros.removeAll()
        }
        steps = 0
        var output = ""
        _ = try execute(nodes, in: scope, into: &output)
        return output
    }

    /// Counts one loop iteration or macro call, failing past ``JinjaLimits/maximumSteps``.
    private func step() throws(JinjaFailure) {
        steps += 1
        guard steps <= JinjaLimits.maximumSteps else {
            throw JinjaFailure("more than \(JinjaLimits.maximumSteps) loop iterations and macro calls: rendering stopped")
        }
    }

    // MARK: - Statements

    private func execute(_ nodes: [JinjaNode], in scope: JinjaScope, into output: inout String) throws(JinjaError) -> Flow {
        for node in nodes {
            let flow = try execute(node, in: scope, into: &output)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ node: JinjaNode, in scope: JinjaScope, into output: inout String) throws(JinjaError) -> Flow {
        switch node {
        case .text(let text):
            output += text
        case .output(let expression):
            output += try evaluate(expression, in: scope).text
            do { try JinjaLimits.check(output) } catch { throw error.error(line: expression.line) }
        case .conditional(let branches, let otherwise):
            for branch in branches where try evaluate(branch.condition, in: scope).isTruthy {
                return try execute(branch.body, in: scope, into: &output)
            }
            return try execute(otherwise, in: scope, into: &output)
        case .loop(let loop):
            try run(loop, in: scope, into: &output)
        case .assignment(let target, let value, let line):
            try assign(try evaluate(value, in: scope), to: target, in: scope, line: line)
        case .blockAssignment(let target, let filters, let body, let line):
            var captured = ""
            _ = try execute(body, in: scope, into: &captured)
            var value = JinjaValue.string(captured)
            for filter in filters { value = try apply(filter, to: value, in: scope) }
            try assign(value, to: target, in: scope, line: line)
        case .macro(let definition):
            scope.set(definition.name, .function(macro(definition, closure: scope)))
            framesWithMacros.append(scope)
        case .callBlock(let call, let parameters, let body):
            let caller = macro(
                JinjaMacroDefinition(name: "caller", parameters: parameters, body: body, line: call.line), closure: scope)
            guard case .call(let callee, let arguments, let keywords) = call.kind else { return .normal }
            let function = try evaluate(callee, in: scope)
            var values = try evaluateArguments(arguments, keywords, in: scope)
            values.keywords.append(("caller", .function(caller)))
            output += try invoke(function, values, line: call.line).text
        case .filterBlock(let filters, let body):
            var captured = ""
            _ = try execute(body, in: scope, into: &captured)
            var value = JinjaValue.string(captured)
            for filter in filters { value = try apply(filter, to: value, in: scope) }
            output += value.text
        case .scope(let assignments, let body, let line):
            let inner = JinjaScope(parent: scope)
            for (target, value) in assignments {
                try assign(try evaluate(value, in: scope), to: target, in: inner, line: line)
            }
            return try execute(body, in: inner, into: &output)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        }
        return .normal
    }

    private func assign(_ value: JinjaValue, to target: JinjaTarget, in scope: JinjaScope, line: Int) throws(JinjaError) {
        switch target {
        case .name(let name):
            scope.set(name, value)
        case .tuple(let names):
            let items: [JinjaValue]
            do { items = try value.iterated() } catch { throw error.error(line: line) }
            guard items.count == names.count else {
                throw .runtime("cannot unpack \(items.count) values into \(names.count) names", line: line)
            }
            for (name, item) in zip(names, items) { scope.set(name, item) }
        case .attribute(let object, let name):
            guard case .namespace(let namespace) = scope.lookup(object) ?? .none else {
                throw .runtime("cannot assign attribute '\(name)' on '\(object)', which is not a namespace", line: line)
            }
            namespace.attributes[name] = value
        }
    }

    private func run(_ loop: JinjaLoop, in scope: JinjaScope, into output: inout String) throws(JinjaError) {
        let iterable = try evaluate(loop.iterable, in: scope)
        var items: [JinjaValue]
        do { items = try iterable.iterated() } catch { throw error.error(line: loop.line) }
        if let condition = loop.condition {
            var kept: [JinjaValue] = []
            for item in items {
                do { try step() } catch { throw error.error(line: loop.line) }
                let filterScope = JinjaScope(parent: scope)
                try assign(item, to: loop.target, in: filterScope, line: loop.line)
                if try evaluate(condition, in: filterScope).isTruthy { kept.append(item) }
            }
            items = kept
        }
        guard !items.isEmpty else {
            _ = try execute(loop.otherwise, in: JinjaScope(parent: scope), into: &output)
            return
        }
        for (index, item) in items.enumerated() {
            do { try step() } catch { throw error.error(line: loop.line) }
            let body = JinjaScope(parent: scope)
            body.set("loop", loopVariable(index: index, items: items))
            try assign(item, to: loop.target, in: body, line: loop.line)
            let flow = try execute(loop.body, in: body, into: &output)
            do { try JinjaLimits.check(output) } catch { throw error.error(line: loop.line) }
            if flow == .breakLoop { break }
        }
    }

    private func loopVariable(index: Int, items: [JinjaValue]) -> JinjaValue {
        var loop = KeyOrderedDictionary<JinjaValue>()
        loop["index"] = .int(index + 1)
        loop["index0"] = .int(index)
        loop["revindex"] = .int(items.count - index)
        loop["revindex0"] = .int(items.count - index - 1)
        loop["first"] = .bool(index == 0)
        loop["last"] = .bool(index == items.count - 1)
        loop["length"] = .int(items.count)
        loop["depth"] = .int(1)
        loop["depth0"] = .int(0)
        if index > 0 { loop["previtem"] = items[index - 1] }
        if index + 1 < items.count { loop["nextitem"] = items[index + 1] }
        loop["cycle"] = .function(JinjaFunction(name: "loop.cycle") { arguments in
            guard !arguments.positional.isEmpty else { throw JinjaFailure("no items for cycling given") }
            return arguments.positional[index % arguments.positional.count]
        })
        return .object(loop)
    }

    private func macro(_ definition: JinjaMacroDefinition, closure: JinjaScope) -> JinjaFunction {
        JinjaFunction(name: definition.name) { [unowned self] arguments in
            let frame = JinjaScope(parent: closure)
            guard arguments.positional.count <= definition.parameters.count else {
                throw JinjaFailure("macro '\(definition.name)' takes not more than \(definition.parameters.count) argument(s)")
            }
            for (position, parameter) in definition.parameters.enumerated() {
                if position < arguments.positional.count {
                    frame.set(parameter.name, arguments.positional[position])
                } else if let keyword = arguments.keywords.first(where: { $0.0 == parameter.name }) {
                    frame.set(parameter.name, keyword.1)
                } else if let defaultValue = parameter.defaultValue {
                    frame.set(parameter.name, try self.evaluate(defaultValue, in: frame))
                } else {
                    frame.set(parameter.name, .undefined(hint: "parameter '\(parameter.name)' was not provided"))
                }
            }
            for (name, value) in arguments.keywords where name == "caller" { frame.set(name, value) }
            for (name, _) in arguments.keywords
            where name != "caller" && !definition.parameters.contains(where: { $0.name == name }) {
                throw JinjaFailure("macro '\(definition.name)' takes no keyword argument '\(name)'")
            }
            try self.step()
            self.callDepth += 1
            defer { self.callDepth -= 1 }
            guard self.callDepth <= Self.maximumCallDepth else {
                throw JinjaFailure("macro calls nested deeper than \(Self.maximumCallDepth)")
            }
            var output = ""
            _ = try self.execute(definition.body, in: frame, into: &output)
            return .string(output)
        }
    }

    // MARK: - Expressions

    /// Runs `body`, turning a ``JinjaFailure`` into a ``JinjaError`` at `line`.
    private func at<T>(_ line: Int, _ body: () throws(JinjaFailure) -> T) throws(JinjaError) -> T {
        do { return try body() } catch { throw error.error(line: line) }
    }

    func evaluate(_ expression: JinjaExpression, in scope: JinjaScope) throws(JinjaError) -> JinjaValue {
        let line = expression.line
        switch expression.kind {
        case .literal(let value):
            return value
        case .name(let name):
            return scope.lookup(name) ?? .undefined(hint: "'\(name)' is undefined")
        case .list(let items):
            var values: [JinjaValue] = []
            for item in items { values.append(try evaluate(item, in: scope)) }
            return .array(values)
        case .tuple(let items):
            var values: [JinjaValue] = []
            for item in items { values.append(try evaluate(item, in: scope)) }
            return .tuple(values)
        case .dictionary(let pairs):
            var object = KeyOrderedDictionary<JinjaValue>()
            for pair in pairs {
                guard case .string(let key) = try evaluate(pair.key, in: scope) else {
                    throw .unsupported("dictionary keys that are not strings", line: pair.key.line)
                }
                object[key] = try evaluate(pair.value, in: scope)
            }
            return .object(object)
        case .attribute(let base, let name):
            let value = try evaluate(base, in: scope)
            return try at(line) { () throws(JinjaFailure) in try value.attribute(name) }
        case .subscript(let base, let key):
            let value = try evaluate(base, in: scope)
            let index = try evaluate(key, in: scope)
            return try at(line) { () throws(JinjaFailure) in try value.item(index) }
        case .slice(let base, let start, let stop, let step):
            let value = try evaluate(base, in: scope)
            let bounds = try [start, stop, step].map { bound throws(JinjaError) -> Int? in
                guard let bound else { return nil }
                let evaluated = try evaluate(bound, in: scope)
                if case .none = evaluated { return nil }
                guard let int = evaluated.integer else {
                    throw .runtime("slice indices must be integers or None", line: line)
                }
                return int
            }
            return try at(line) { () throws(JinjaFailure) in try value.slice(start: bounds[0], stop: bounds[1], step: bounds[2]) }
        case .call(let callee, let arguments, let keywords):
            let function = try evaluate(callee, in: scope)
            let values = try evaluateArguments(arguments, keywords, in: scope)
            return try invoke(function, values, line: line)
        case .filter(let base, let filter):
            return try apply(filter, to: try evaluate(base, in: scope), in: scope)
        case .test(let base, let name, let arguments, let negated):
            let value = try evaluate(base, in: scope)
            var values: [JinjaValue] = []
            for argument in arguments { values.append(try evaluate(argument, in: scope)) }
            let result = try at(line) { () throws(JinjaFailure) in try JinjaTests.run(name, value, values) }
            return .bool(result != negated)
        case .not(let operand):
            return .bool(!(try evaluate(operand, in: scope).isTruthy))
        case .negate(let operand):
            let value = try evaluate(operand, in: scope)
            if case .double(let double) = value { return .double(-double) }
            return try at(line) { () throws(JinjaFailure) in try JinjaValue.int(0).apply(.subtract, value) }
        case .plus(let operand):
            let value = try evaluate(operand, in: scope)
            if case .double = value { return value }
            return try at(line) { () throws(JinjaFailure) in try JinjaValue.int(0).apply(.add, value) }
        case .binary(let operation, let left, let right):
            let a = try evaluate(left, in: scope)
            let b = try evaluate(right, in: scope)
            return try at(line) { () throws(JinjaFailure) in try a.apply(operation, b) }
        case .and(let left, let right):
            let a = try evaluate(left, in: scope)
            return a.isTruthy ? try evaluate(right, in: scope) : a
        case .or(let left, let right):
            let a = try evaluate(left, in: scope)
            return a.isTruthy ? a : try evaluate(right, in: scope)
        case .comparison(let first, let operations):
            var left = try evaluate(first, in: scope)
            for (operation, operand) in operations {
                let right = try evaluate(operand, in: scope)
                let holds = try at(line) { () throws(JinjaFailure) in try compare(left, operation, right) }
                if !holds { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let condition, let then, let otherwise):
            if try evaluate(condition, in: scope).isTruthy { return try evaluate(then, in: scope) }
            guard let otherwise else { return .undefined(hint: "the inline if-expression on line \(line) evaluated to false and no else section was defined.") }
            return try evaluate(otherwise, in: scope)
        }
    }

    private func compare(_ a: JinjaValue, _ operation: JinjaComparison, _ b: JinjaValue) throws(JinjaFailure) -> Bool {
        switch operation {
        case .equal: return a.equals(b)
        case .notEqual: return !a.equals(b)
        case .less: return try a.less(than: b)
        case .lessOrEqual: return try a.less(than: b) || a.equals(b)
        case .greater: return try b.less(than: a)
        case .greaterOrEqual: return try b.less(than: a) || a.equals(b)
        case .contains: return try b.contains(a)
        case .notContains: return !(try b.contains(a))
        }
    }

    private func evaluateArguments(
        _ arguments: [JinjaExpression], _ keywords: [(String, JinjaExpression)], in scope: JinjaScope
    ) throws(JinjaError) -> JinjaArguments {
        var values = JinjaArguments()
        for argument in arguments { values.positional.append(try evaluate(argument, in: scope)) }
        for (name, argument) in keywords { values.keywords.append((name, try evaluate(argument, in: scope))) }
        return values
    }

    private func invoke(_ function: JinjaValue, _ arguments: JinjaArguments, line: Int) throws(JinjaError) -> JinjaValue {
        guard case .function(let callable) = function else {
            if case .undefined(let hint) = function { throw .runtime(hint, line: line) }
            throw .runtime("'\(function.typeName)' object is not callable", line: line)
        }
        do {
            return try callable.call(arguments)
        } catch let error as JinjaError {
            throw error
        } catch let failure as JinjaFailure {
            throw failure.error(line: line)
        } catch {
            throw .runtime("\(error)", line: line)
        }
    }

    private func apply(_ filter: JinjaFilterCall, to value: JinjaValue, in scope: JinjaScope) throws(JinjaError) -> JinjaValue {
        let arguments = try evaluateArguments(filter.arguments, filter.keywordArguments, in: scope)
        return try at(filter.line) { () throws(JinjaFailure) in try JinjaFilters.apply(filter.name, value, arguments) }
    }
}
