/// A token matched as a whole in the input text before byte-pair encoding, such as
/// `<|im_start|>` or `<tool_call>`.
///
/// ```swift
/// let imEnd = AddedToken(content: "<|im_end|>", id: 151645, isSpecial: true)
/// ```
public struct AddedToken: Sendable, Hashable {
    /// The exact text the token stands for.
    public var content: String
    /// The token's id.
    public var id: Int
    /// Whether it is a control token, left out by `decode(_:skipSpecialTokens: true)`.
    public var isSpecial: Bool

    /// A token matched as `content`, encoded as `id`.
    public init(content: String, id: Int, isSpecial: Bool) {
        self.content = content
        self.id = id
        self.isSpecial = isSpecial
    }
}
