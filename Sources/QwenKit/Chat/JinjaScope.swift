/// A frame of variables. Loops, macros and `with` blocks get a child frame, so what they `set`
/// stays inside; `if` blocks share their parent's frame, as in Jinja.
final class JinjaScope {
    private var variables: [String: JinjaValue] = [:]
    private let parent: JinjaScope?

    init(parent: JinjaScope? = nil, variables: [String: JinjaValue] = [:]) {
        self.parent = parent
        self.variables = variables
    }

    func lookup(_ name: String) -> JinjaValue? {
        variables[name] ?? parent?.lookup(name)
    }

    func set(_ name: String, _ value: JinjaValue) {
        variables[name] = value
    }
}
