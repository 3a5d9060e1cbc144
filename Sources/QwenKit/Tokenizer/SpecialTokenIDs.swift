/// The ids a tokenizer configuration declares for its roles (`eos_token` and so on); nil when
/// a role is not declared.
public struct SpecialTokenIDs: Sendable, Equatable {
    /// Beginning of sequence (`bos_token`); Qwen2.5 declares none.
    public var beginOfSequence: Int?
    /// End of sequence (`eos_token`): `<|im_end|>` for Qwen2.5-Instruct, `<|endoftext|>` for base models.
    public var endOfSequence: Int?
    /// Padding (`pad_token`).
    public var padding: Int?
    /// Unknown token (`unk_token`).
    public var unknown: Int?

    /// Role token ids; omitted roles are not declared.
    public init(beginOfSequence: Int? = nil, endOfSequence: Int? = nil, padding: Int? = nil, unknown: Int? = nil) {
        self.beginOfSequence = beginOfSequence
        self.endOfSequence = endOfSequence
        self.padding = padding
        self.unknown = unknown
    }
}
