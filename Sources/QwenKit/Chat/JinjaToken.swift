/// One token of a Jinja template: literal text, a tag delimiter or a piece of an expression.
struct JinjaToken: Equatable {
    enum Kind: Equatable {
        case text(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case `operator`(String)
        case end
    }

    let kind: Kind
    let line: Int

    var name: String? {
        if case .name(let name) = kind { return name }
        return nil
    }

    func isOperator(_ symbol: String) -> Bool { kind == .operator(symbol) }
    func isName(_ word: String) -> Bool { kind == .name(word) }

    var display: String {
        switch kind {
        case .text: "template text"
        case .variableBegin: "'{{'"
        case .variableEnd: "'}}'"
        case .blockBegin: "'{%'"
        case .blockEnd: "'%}'"
        case .name(let name): "'\(name)'"
        case .string: "string literal"
        case .integer(let value): "'\(value)'"
        case .float(let value): "'\(value)'"
        case .operator(let symbol): "'\(symbol)'"
        case .end: "end of template"
        }
    }
}
