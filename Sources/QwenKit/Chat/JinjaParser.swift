/// Builds the statement tree of a template from its tokens, following Jinja's grammar and
/// operator precedence. Unknown filters and tests are rejected here, as Jinja does when it compiles.
struct JinjaParser {
    private let tokens: [JinjaToken]
    private var index = 0

    init(tokens: [JinjaToken]) {
        self.tokens = tokens
    }

    static func parse(_ template: String) throws(JinjaError) -> [JinjaNode] {
        var parser = JinjaParser(tokens: try JinjaLexer.tokenize(template))
        let (nodes, _) = try parser.parseStatements(until: [])
        return nodes
    }

    // MARK: - Token stream

    private var current: JinjaToken { tokens[index] }
    private var next: JinjaToken { tokens[min(index + 1, tokens.count - 1)] }

    private mutating func advance() -> JinjaToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private mutating func skip(operator symbol: String) -> Bool {
        guard current.isOperator(symbol) else { return false }
        index += 1
        return true
    }

    private mutating func skip(name word: String) -> Bool {
        guard current.isName(word) else { return false }
        index += 1
        return true
    }

    private mutating func expect(operator symbol: String) throws(JinjaError) {
        guard skip(operator: symbol) else {
            throw .syntax("expected '\(symbol)', found \(current.display)", line: current.line)
        }
    }

    private mutating func expectName() throws(JinjaError) -> String {
        guard let name = current.name else {
            throw .syntax("expected a name, found \(current.display)", line: current.line)
        }
        index += 1
        return name
    }

    private mutating func expectBlockEnd() throws(JinjaError) {
        guard current.kind == .blockEnd else {
            throw .syntax("expected end of statement '%}', found \(current.display)", line: current.line)
        }
        index += 1
    }

    // MARK: - Statements

    /// Parses statements until a block tag whose keyword is in `terminators`; returns that keyword
    /// with the stream positioned just after it (nil at the end of the template).
    private mutating func parseStatements(until terminators: Set<String>) throws(JinjaError) -> ([JinjaNode], String?) {
        var nodes: [JinjaNode] = []
        while true {
            let token = advance()
            switch token.kind {
            case .end:
                if let first = terminators.sorted().first {
                    throw .syntax("unexpected end of template, expected '\(first)'", line: token.line)
                }
                return (nodes, nil)
            case .text(let text):
                nodes.append(.text(text))
            case .variableBegin:
                let expression = try parseTuple()
                guard current.kind == .variableEnd else {
                    throw .syntax("expected end of print statement '}}', found \(current.display)", line: current.line)
                }
                index += 1
                nodes.append(.output(expression))
            case .blockBegin:
                guard let keyword = current.name else {
                    throw .syntax("expected a statement name, found \(current.display)", line: current.line)
                }
                if terminators.contains(keyword) {
                    index += 1
                    return (nodes, keyword)
                }
                if let node = try parseStatement() { nodes.append(node) }
            default:
                throw .syntax("unexpected \(token.display)", line: token.line)
            }
        }
    }

    private mutating func parseStatement() throws(JinjaError) -> JinjaNode? {
        let token = advance()
        let line = token.line
        switch token.name ?? "" {
        case "if": return try parseIf()
        case "for": return try parseFor(line: line)
        case "set": return try parseSet(line: line)
        case "macro": return try parseMacro(line: line)
        case "call": return try parseCallBlock()
        case "filter": return try parseFilterBlock()
        case "with": return try parseWith(line: line)
        case "break":
            try expectBlockEnd()
            return .breakLoop
        case "continue":
            try expectBlockEnd()
            return .continueLoop
        case "generation":
            // transformers' AssistantTracker extension: the body renders as usual.
            try expectBlockEnd()
            let (body, _) = try parseStatements(until: ["endgeneration"])
            try expectBlockEnd()
            return .scope(assignments: [], body: body, line: line)
        case "include", "import", "from", "extends", "block", "autoescape", "do", "trans":
            throw .unsupported("'\(token.name ?? "")' tag", line: line)
        default:
            throw .syntax("unknown tag \(token.display)", line: line)
        }
    }

    private mutating func parseIf() throws(JinjaError) -> JinjaNode {
        var branches: [(condition: JinjaExpression, body: [JinjaNode])] = []
        var condition = try parseTuple(allowConditional: false)
        while true {
            try expectBlockEnd()
            let (body, terminator) = try parseStatements(until: ["elif", "else", "endif"])
            branches.append((condition, body))
            switch terminator {
            case "elif":
                condition = try parseTuple(allowConditional: false)
            case "else":
                try expectBlockEnd()
                let (otherwise, _) = try parseStatements(until: ["endif"])
                try expectBlockEnd()
                return .conditional(branches: branches, otherwise: otherwise)
            default:
                try expectBlockEnd()
                return .conditional(branches: branches, otherwise: [])
            }
        }
    }

    private mutating func parseFor(line: Int) throws(JinjaError) -> JinjaNode {
        let target = try parseAssignTarget(allowNamespace: false)
        guard skip(name: "in") else { throw .syntax("expected 'in', found \(current.display)", line: current.line) }
        let iterable = try parseTuple(allowConditional: false, stopAtNames: ["recursive"])
        var condition: JinjaExpression?
        if skip(name: "if") { condition = try parseExpression() }
        if current.isName("recursive") { throw .unsupported("recursive for loop", line: current.line) }
        try expectBlockEnd()
        let (body, terminator) = try parseStatements(until: ["else", "endfor"])
        var otherwise: [JinjaNode] = []
        if terminator == "else" {
            try expectBlockEnd()
            (otherwise, _) = try parseStatements(until: ["endfor"])
        }
        try expectBlockEnd()
        return .loop(JinjaLoop(
            target: target, iterable: iterable, condition: condition, body: body, otherwise: otherwise, line: line))
    }

    private mutating func parseSet(line: Int) throws(JinjaError) -> JinjaNode {
        let target = try parseAssignTarget(allowNamespace: true)
        if skip(operator: "=") {
            let value = try parseTuple()
            try expectBlockEnd()
            return .assignment(target: target, value: value, line: line)
        }
        var filters: [JinjaFilterCall] = []
        while skip(operator: "|") { filters.append(try parseFilterCall()) }
        try expectBlockEnd()
        let (body, _) = try parseStatements(until: ["endset"])
        try expectBlockEnd()
        return .blockAssignment(target: target, filters: filters, body: body, line: line)
    }

    private mutating func parseAssignTarget(allowNamespace: Bool) throws(JinjaError) -> JinjaTarget {
        let line = current.line
        let parenthesized = skip(operator: "(")
        var names = [try expectName()]
        if allowNamespace && !parenthesized && skip(operator: ".") {
            return .attribute(object: names[0], name: try expectName())
        }
        while skip(operator: ",") {
            if !parenthesized && (current.isName("in") || current.isOperator("=")) { break }
            if parenthesized && current.isOperator(")") { break }
            names.append(try expectName())
        }
        if parenthesized { try expect(operator: ")") }
        for name in names where ["true", "false", "none", "True", "False", "None"].contains(name) {
            throw .syntax("cannot assign to '\(name)'", line: line)
        }
        return names.count == 1 && !parenthesized && !tokens[index - 1].isOperator(",")
            ? .name(names[0]) : .tuple(names)
    }

    private mutating func parseParameters() throws(JinjaError) -> [JinjaParameter] {
        var parameters: [JinjaParameter] = []
        try expect(operator: "(")
        while !skip(operator: ")") {
            if !parameters.isEmpty { try expect(operator: ",") }
            if skip(operator: ")") { break }
            let name = try expectName()
            let defaultValue = skip(operator: "=") ? try parseExpression() : nil
            parameters.append(JinjaParameter(name: name, defaultValue: defaultValue))
        }
        return parameters
    }

    private mutating func parseMacro(line: Int) throws(JinjaError) -> JinjaNode {
        let name = try expectName()
        let parameters = try parseParameters()
        try expectBlockEnd()
        let (body, _) = try parseStatements(until: ["endmacro"])
        try expectBlockEnd()
        return .macro(JinjaMacroDefinition(name: name, parameters: parameters, body: body, line: line))
    }

    private mutating func parseCallBlock() throws(JinjaError) -> JinjaNode {
        let parameters = current.isOperator("(") ? try parseParameters() : []
        let call = try parseExpression()
        guard case .call = call.kind else {
            throw .syntax("expected a macro call after 'call'", line: call.line)
        }
        try expectBlockEnd()
        let (body, _) = try parseStatements(until: ["endcall"])
        try expectBlockEnd()
        return .callBlock(call: call, parameters: parameters, body: body)
    }

    private mutating func parseFilterBlock() throws(JinjaError) -> JinjaNode {
        var filters = [try parseFilterCall()]
        while skip(operator: "|") { filters.append(try parseFilterCall()) }
        try expectBlockEnd()
        let (body, _) = try parseStatements(until: ["endfilter"])
        try expectBlockEnd()
        return .filterBlock(filters: filters, body: body)
    }

    private mutating func parseWith(line: Int) throws(JinjaError) -> JinjaNode {
        var assignments: [(target: JinjaTarget, value: JinjaExpression)] = []
        while current.kind != .blockEnd {
            if !assignments.isEmpty { try expect(operator: ",") }
            let target = try parseAssignTarget(allowNamespace: false)
            try expect(operator: "=")
            assignments.append((target, try parseExpression()))
        }
        try expectBlockEnd()
        let (body, _) = try parseStatements(until: ["endwith"])
        try expectBlockEnd()
        return .scope(assignments: assignments, body: body, line: line)
    }

    // MARK: - Expressions

    /// An expression, or a tuple when commas separate several (`a, b`).
    private mutating func parseTuple(allowConditional: Bool = true, stopAtNames: Set<String> = []) throws(JinjaError) -> JinjaExpression {
        let line = current.line
        var items: [JinjaExpression] = []
        var sawComma = false
        while true {
            if !items.isEmpty {
                guard skip(operator: ",") else { break }
                sawComma = true
            }
            if isTupleEnd(stopAtNames) { break }
            items.append(allowConditional ? try parseExpression() : try parseOr())
        }
        if !sawComma, let only = items.first { return only }
        guard !items.isEmpty || sawComma else {
            throw .syntax("expected an expression, found \(current.display)", line: current.line)
        }
        return JinjaExpression(.tuple(items), line: line)
    }

    private func isTupleEnd(_ stopAtNames: Set<String>) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd, .end: return true
        case .operator(let symbol): return symbol == ")" || symbol == "]" || symbol == "}"
        case .name(let name): return stopAtNames.contains(name)
        default: return false
        }
    }

    private mutating func parseExpression() throws(JinjaError) -> JinjaExpression {
        var expression = try parseOr()
        while current.isName("if") {
            let line = advance().line
            let condition = try parseOr()
            let otherwise = skip(name: "else") ? try parseExpression() : nil
            expression = JinjaExpression(.conditional(condition: condition, then: expression, otherwise: otherwise), line: line)
        }
        return expression
    }

    private mutating func parseOr() throws(JinjaError) -> JinjaExpression {
        var left = try parseAnd()
        while current.isName("or") {
            let line = advance().line
            left = JinjaExpression(.or(left, try parseAnd()), line: line)
        }
        return left
    }

    private mutating func parseAnd() throws(JinjaError) -> JinjaExpression {
        var left = try parseNot()
        while current.isName("and") {
            let line = advance().line
            left = JinjaExpression(.and(left, try parseNot()), line: line)
        }
        return left
    }

    private mutating func parseNot() throws(JinjaError) -> JinjaExpression {
        if current.isName("not") {
            let line = advance().line
            return JinjaExpression(.not(try parseNot()), line: line)
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(JinjaError) -> JinjaExpression {
        let left = try parseMath1()
        var operations: [(JinjaComparison, JinjaExpression)] = []
        while true {
            if case .operator(let symbol) = current.kind, let comparison = JinjaComparison(rawValue: symbol),
                comparison != .contains
            {
                index += 1
                operations.append((comparison, try parseMath1()))
            } else if current.isName("in") {
                index += 1
                operations.append((.contains, try parseMath1()))
            } else if current.isName("not") && next.isName("in") {
                index += 2
                operations.append((.notContains, try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : JinjaExpression(.comparison(left, operations), line: left.line)
    }

    private mutating func parseBinary(
        _ operators: [String: JinjaBinaryOperator], operand: (inout JinjaParser) throws(JinjaError) -> JinjaExpression
    ) throws(JinjaError) -> JinjaExpression {
        var left = try operand(&self)
        while case .operator(let symbol) = current.kind, let operation = operators[symbol] {
            let line = advance().line
            left = JinjaExpression(.binary(operation, left, try operand(&self)), line: line)
        }
        return left
    }

    private mutating func parseMath1() throws(JinjaError) -> JinjaExpression {
        try parseBinary(["+": .add, "-": .subtract]) { parser throws(JinjaError) in try parser.parseConcat() }
    }

    private mutating func parseConcat() throws(JinjaError) -> JinjaExpression {
        try parseBinary(["~": .concatenate]) { parser throws(JinjaError) in try parser.parseMath2() }
    }

    private mutating func parseMath2() throws(JinjaError) -> JinjaExpression {
        try parseBinary(["*": .multiply, "/": .divide, "//": .floorDivide, "%": .modulo]) { parser throws(JinjaError) in
            try parser.parsePower()
        }
    }

    private mutating func parsePower() throws(JinjaError) -> JinjaExpression {
        try parseBinary(["**": .power]) { parser throws(JinjaError) in try parser.parseUnary(withFilters: true) }
    }

    private mutating func parseUnary(withFilters: Bool) throws(JinjaError) -> JinjaExpression {
        let line = current.line
        var expression: JinjaExpression
        if skip(operator: "-") {
            expression = JinjaExpression(.negate(try parseUnary(withFilters: false)), line: line)
        } else if skip(operator: "+") {
            expression = JinjaExpression(.plus(try parseUnary(withFilters: false)), line: line)
        } else {
            expression = try parsePrimary()
        }
        expression = try parsePostfix(expression)
        if withFilters { expression = try parseFilterExpression(expression) }
        return expression
    }

    private mutating func parsePrimary() throws(JinjaError) -> JinjaExpression {
        let token = advance()
        let line = token.line
        switch token.kind {
        case .name(let name):
            switch name {
            case "true", "True": return JinjaExpression(.literal(.bool(true)), line: line)
            case "false", "False": return JinjaExpression(.literal(.bool(false)), line: line)
            case "none", "None": return JinjaExpression(.literal(.none), line: line)
            default: return JinjaExpression(.name(name), line: line)
            }
        case .string(var string):
            while case .string(let more) = current.kind {
                string += more
                index += 1
            }
            return JinjaExpression(.literal(.string(string)), line: line)
        case .integer(let value): return JinjaExpression(.literal(.int(value)), line: line)
        case .float(let value): return JinjaExpression(.literal(.double(value)), line: line)
        case .operator("("):
            if skip(operator: ")") { return JinjaExpression(.tuple([]), line: line) }
            let expression = try parseTuple()
            try expect(operator: ")")
            return expression
        case .operator("["):
            var items: [JinjaExpression] = []
            while !skip(operator: "]") {
                if !items.isEmpty { try expect(operator: ",") }
                if skip(operator: "]") { break }
                items.append(try parseExpression())
            }
            return JinjaExpression(.list(items), line: line)
        case .operator("{"):
            var pairs: [(key: JinjaExpression, value: JinjaExpression)] = []
            while !skip(operator: "}") {
                if !pairs.isEmpty { try expect(operator: ",") }
                if skip(operator: "}") { break }
                let key = try parseExpression()
                try expect(operator: ":")
                pairs.append((key, try parseExpression()))
            }
            return JinjaExpression(.dictionary(pairs), line: line)
        default:
            throw .syntax("unexpected \(token.display)", line: line)
        }
    }

    private mutating func parsePostfix(_ base: JinjaExpression) throws(JinjaError) -> JinjaExpression {
        var expression = base
        while true {
            let line = current.line
            if skip(operator: ".") {
                let token = advance()
                switch token.kind {
                case .name(let name): expression = JinjaExpression(.attribute(expression, name), line: line)
                case .integer(let value):
                    expression = JinjaExpression(.subscript(expression, JinjaExpression(.literal(.int(value)), line: line)), line: line)
                default: throw .syntax("expected an attribute name after '.', found \(token.display)", line: line)
                }
            } else if skip(operator: "[") {
                expression = try parseSubscript(expression, line: line)
            } else if current.isOperator("(") {
                expression = try parseCall(expression)
            } else {
                return expression
            }
        }
    }

    private mutating func parseSubscript(_ base: JinjaExpression, line: Int) throws(JinjaError) -> JinjaExpression {
        var parts: [JinjaExpression?] = [nil]
        var isSlice = false
        while !current.isOperator("]") {
            if skip(operator: ":") {
                isSlice = true
                parts.append(nil)
                guard parts.count <= 3 else { throw .syntax("too many ':' in slice", line: line) }
            } else {
                guard parts[parts.count - 1] == nil else {
                    throw .syntax("expected ']' or ':', found \(current.display)", line: current.line)
                }
                parts[parts.count - 1] = try parseExpression()
            }
        }
        try expect(operator: "]")
        if isSlice {
            return JinjaExpression(
                .slice(base, start: parts[0], stop: parts.count > 1 ? parts[1] : nil, step: parts.count > 2 ? parts[2] : nil),
                line: line)
        }
        guard let key = parts[0] else { throw .syntax("expected a subscript", line: line) }
        return JinjaExpression(.subscript(base, key), line: line)
    }

    private mutating func parseArguments() throws(JinjaError) -> ([JinjaExpression], [(String, JinjaExpression)]) {
        try expect(operator: "(")
        var arguments: [JinjaExpression] = []
        var keywordArguments: [(String, JinjaExpression)] = []
        while !skip(operator: ")") {
            if !arguments.isEmpty || !keywordArguments.isEmpty { try expect(operator: ",") }
            if skip(operator: ")") { break }
            if current.isOperator("*") || current.isOperator("**") {
                throw .unsupported("'*' or '**' arguments", line: current.line)
            }
            if let name = current.name, next.isOperator("=") {
                index += 2
                keywordArguments.append((name, try parseExpression()))
            } else {
                guard keywordArguments.isEmpty else {
                    throw .syntax("positional argument after keyword argument", line: current.line)
                }
                arguments.append(try parseExpression())
            }
        }
        return (arguments, keywordArguments)
    }

    private mutating func parseCall(_ callee: JinjaExpression) throws(JinjaError) -> JinjaExpression {
        let line = current.line
        let (arguments, keywordArguments) = try parseArguments()
        return JinjaExpression(.call(callee, arguments: arguments, keywordArguments: keywordArguments), line: line)
    }

    private mutating func parseFilterCall() throws(JinjaError) -> JinjaFilterCall {
        let line = current.line
        let name = try expectName()
        guard JinjaFilters.names.contains(name) else { throw .unknownFilter(name, line: line) }
        let (arguments, keywordArguments) = current.isOperator("(") ? try parseArguments() : ([], [])
        return JinjaFilterCall(name: name, arguments: arguments, keywordArguments: keywordArguments, line: line)
    }

    private mutating func parseFilterExpression(_ base: JinjaExpression) throws(JinjaError) -> JinjaExpression {
        var expression = base
        while true {
            if skip(operator: "|") {
                let filter = try parseFilterCall()
                expression = JinjaExpression(.filter(expression, filter), line: filter.line)
            } else if current.isName("is") {
                let line = advance().line
                let negated = skip(name: "not")
                let name = try expectName()
                guard JinjaTests.names.contains(name) else { throw .unknownTest(name, line: line) }
                var arguments: [JinjaExpression] = []
                if current.isOperator("(") {
                    let (positional, keywords) = try parseArguments()
                    arguments = positional + keywords.map(\.1)
                } else if startsTestArgument {
                    arguments = [try parsePostfix(try parsePrimary())]
                }
                expression = JinjaExpression(.test(expression, name: name, arguments: arguments, negated: negated), line: line)
            } else if current.isOperator("(") {
                expression = try parseCall(expression)
            } else {
                return expression
            }
        }
    }

    private var startsTestArgument: Bool {
        switch current.kind {
        case .name(let name): return !["else", "or", "and"].contains(name)
        case .string, .integer, .float: return true
        case .operator(let symbol): return symbol == "(" || symbol == "[" || symbol == "{"
        default: return false
        }
    }
}
