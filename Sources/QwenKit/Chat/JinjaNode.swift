/// A statement of a parsed template.
indirect enum JinjaNode {
    case text(String)
    case output(JinjaExpression)
    case conditional(branches: [(condition: JinjaExpression, body: [JinjaNode])], otherwise: [JinjaNode])
    case loop(JinjaLoop)
    case assignment(target: JinjaTarget, value: JinjaExpression, line: Int)
    case blockAssignment(target: JinjaTarget, filters: [JinjaFilterCall], body: [JinjaNode], line: Int)
    case macro(JinjaMacroDefinition)
    case callBlock(call: JinjaExpression, parameters: [JinjaParameter], body: [JinjaNode])
    case filterBlock(filters: [JinjaFilterCall], body: [JinjaNode])
    case scope(assignments: [(target: JinjaTarget, value: JinjaExpression)], body: [JinjaNode], line: Int)
    case breakLoop
    case continueLoop
}

/// `{% for target in iterable if condition %}body{% else %}otherwise{% endfor %}`.
struct JinjaLoop {
    var target: JinjaTarget
    var iterable: JinjaExpression
    var condition: JinjaExpression?
    var body: [JinjaNode]
    var otherwise: [JinjaNode]
    var line: Int
}

/// Where `set` and `for` store values.
enum JinjaTarget {
    case name(String)
    case tuple([String])
    /// `ns.attribute`: an attribute of a `namespace()` object.
    case attribute(object: String, name: String)
}

/// A macro parameter, with its default value when it has one.
struct JinjaParameter {
    var name: String
    var defaultValue: JinjaExpression?
}

/// `{% macro name(parameters) %}body{% endmacro %}`.
struct JinjaMacroDefinition {
    var name: String
    var parameters: [JinjaParameter]
    var body: [JinjaNode]
    var line: Int
}

/// A filter application `| name(arguments)`.
struct JinjaFilterCall {
    var name: String
    var arguments: [JinjaExpression]
    var keywordArguments: [(String, JinjaExpression)]
    var line: Int
}
