/// How far loading a model has got, reported after each step that prepares weights or files.
///
/// Memory-mapping a weight file is instant; the steps are the parts whose tensors are checked and,
/// where the kernels need it, converted or copied (the embedding, each decoder layer, the final
/// norm with the output head), then the tokenizer and chat template.
///
/// ```swift
/// let qwen = try LanguageModel(path: "Qwen2.5-0.5B-Instruct") { progress in
///     print("\(progress.completed)/\(progress.total) \(progress.step)")
/// }
/// ```
public struct LoadProgress: Sendable, Hashable {
    /// A part of the model that is ready.
    public enum Step: Sendable, Hashable {
        /// The token embedding.
        case embedding
        /// Decoder layer `index` (from 0).
        case layer(Int)
        /// The final norm and the output head (`lm_head`, or the tied embedding).
        case outputHead
        /// The tokenizer and the chat template.
        case tokenizer
    }

    /// The step just finished.
    public var step: Step
    /// Steps finished so far, `step` included.
    public var completed: Int
    /// Steps in the whole load.
    public var total: Int

    /// `completed / total`, from 0 to 1.
    public var fraction: Double { total > 0 ? Double(completed) / Double(total) : 1 }

    /// A progress report of `completed` out of `total` steps, the last being `step`.
    public init(step: Step, completed: Int, total: Int) {
        self.step = step
        self.completed = completed
        self.total = total
    }
}
