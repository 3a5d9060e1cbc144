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
