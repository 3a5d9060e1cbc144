/// Why a Jinja template could not be compiled or rendered. Every case names the template line.
///
/// ```swift
/// do { _ = try JinjaTemplate("{{ x | nope }}") }
/// catch let error as JinjaError { print(error) }   // line 1: unknown filter 'nope'
/// ```
public enum JinjaError: Error, CustomStringConvertible, Equatable {
    /// The template text is not valid Jinja.
    case syntax(String, line: Int)
    /// A filter that neither Jinja nor transformers' chat template environment defines.
    case unknownFilter(String, line: Int)
    /// A test (`x is NAME`) that Jinja does not define.
    case unknownTest(String, line: Int)
    /// Valid Jinja that this engine does not implement (`include`, `extends`, recursive loops...).
    case unsupported(String, line: Int)
    /// An error while rendering: an undefined value used strictly, a type mismatch, a bad argument.
    case runtime(String, line: Int)
    /// The template called `raise_exception(message)`.
    case raised(String, line: Int)

    public var description: String {
        switch self {
        case .syntax(let message, let line): "line \(line): syntax error: \(message)"
        case .unknownFilter(let name, let line): "line \(line): unknown filter '\(name)'"
        case .unknownTest(let name, let line): "line \(line): unknown test '\(name)'"
        case .unsupported(let construct, let line): "line \(line): unsupported Jinja construct: \(construct)"
        case .runtime(let message, let line): "line \(line): \(message)"
        case .raised(let message, let line): "line \(line): template raised an exception: \(message)"
        }
    }
}
