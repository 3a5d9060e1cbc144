/// A sampling parameter outside its allowed range; names the parameter (as the OpenAI API spells
/// it) and the value at fault.
public enum SamplingParametersError: Error, CustomStringConvertible, Equatable {
    /// `field` is `value`, which is not in `allowed` (for example "0...2" or "> 0").
    case outOfRange(field: String, value: String, allowed: String)

    public var description: String {
        switch self {
        case .outOfRange(let field, let value, let allowed):
            "sampling parameter \(field) is \(value); it must be \(allowed)"
        }
    }
}
