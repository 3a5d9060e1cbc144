import Foundation

/// A compiled Jinja template, rendered the way Hugging Face transformers renders chat templates
/// (`ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)` with the `loopcontrols`
/// and `generation` extensions, `tojson` as `json.dumps(ensure_ascii=False)`, and the globals
/// `raise_exception`, `strftime_now`, `namespace`, `dict`, `range`).
///
/// ```swift
/// let template = try JinjaTemplate("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}")
/// let text = try template.render(["messages": [["role": "user", "content": "hi"]]])
/// // "user: hi\n"
/// ```
public struct JinjaTemplate: @unchecked Sendable {
    private let nodes: [JinjaNode]

    /// Compiles `source`. Throws ``JinjaError`` for invalid syntax, unknown filters or tests, and
    /// constructs this engine does not support (`include`, `extends`, recursive loops...).
    public init(_ source: String) throws(JinjaError) {
        nodes = try JinjaParser.parse(source)
    }

    /// Renders with `context` as the template's variables. `now` is the clock `strftime_now` reads.
    /// Throws ``JinjaError`` (with the template line) when rendering fails, including
    /// ``JinjaError/raised(_:line:)`` when the template calls `raise_exception`.
    public func render(
        _ context: [String: JSONValue], now: @escaping @Sendable () -> Date = { Date() }
    ) throws(JinjaError) -> String {
        let scope = JinjaScope(parent: JinjaGlobals.scope(now: now), variables: context.mapValues(JinjaValue.init))
        return try JinjaInterpreter().render(nodes, in: scope)
    }
}
