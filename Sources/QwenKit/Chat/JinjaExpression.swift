/// An expression of a parsed template, with the line it starts on for error messages.
struct JinjaExpression {
    indirect enum Kind {
        case literal(JinjaValue)
        case name(String)
        case list([JinjaExpression])
        case tuple([JinjaExpression])
        case dictionary([(key: JinjaExpression, value: JinjaExpression)])
        case attribute(JinjaExpression, String)
        case `subscript`(JinjaExpression, JinjaExpression)
        case slice(JinjaExpression, start: JinjaExpression?, stop: JinjaExpression?, step: JinjaExpression?)
        case call(JinjaExpression, arguments: [JinjaExpression], keywordArguments: [(String, JinjaExpression)])
        case filter(JinjaExpression, JinjaFilterCall)
        case test(JinjaExpression, name: String, arguments: [JinjaExpression], negated: Bool)
        case not(JinjaExpression)
        case negate(JinjaExpression)
        case plus(JinjaExpression)
        case binary(JinjaBinaryOperator, JinjaExpression, JinjaExpression)
        case and(JinjaExpression, JinjaExpression)
        case or(JinjaExpression, JinjaExpression)
        case comparison(JinjaExpression, [(JinjaComparison, JinjaExpression)])
        case conditional(condition: JinjaExpression, then: JinjaExpression, otherwise: JinjaExpression?)
    }

    var kind: Kind
    var line: Int

    init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }
}

enum JinjaBinaryOperator: String {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%"
    case power = "**", concatenate = "~"
}

enum JinjaComparison: String {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case contains = "in", notContains = "not in"
}
