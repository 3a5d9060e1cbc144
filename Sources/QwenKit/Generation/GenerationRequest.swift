/// One sequence to generate: a prompt (token ids), how to sample it and an optional constraint,
/// as ``BatchEngine/generate(_:)`` takes them.
///
/// ```swift
/// let choices = (0..<3).map { GenerationRequest(prompt: ids, parameters: .greedy) }
/// for try await (index, event) in engine.generate(choices) { ... }
/// ```
public struct GenerationRequest: Sendable {
    /// The prompt's token ids.
    public var prompt: [Int]
    /// How to sample the continuation.
    public var parameters: SamplingParameters
    /// A limit of the output to one JSON object, if any.
    public var constraint: JSONObjectConstraint?

    /// A request to continue `prompt` with `parameters`, within `constraint` if given.
    public init(prompt: [Int], parameters: SamplingParameters, constraint: JSONObjectConstraint? = nil) {
        self.prompt = prompt
        self.parameters = parameters
        self.constraint = constraint
    }
}
