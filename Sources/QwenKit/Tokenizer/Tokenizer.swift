/// Qwen2.5's tokenizer: byte-level BPE with the Qwen2 pre-tokenizer, NFC normalization and
/// added tokens, giving the same ids as Hugging Face `tokenizers`; from a GGUF file also other
/// byte-level BPE tokenizers llama.cpp runs (see ``PreTokenizer``).
///
/// ```swift
/// let tokenizer = try Tokenizer(directory: modelDirectory)
/// let ids = tokenizer.encode("<|im_start|>user\nHello!<|im_end|>")
/// let text = tokenizer.decode(ids, skipSpecialTokens: true)  // "user\nHello!"
/// ```
public final class Tokenizer: Sendable {
    let vocabulary: TokenVocabulary
    private let model: ByteLevelBPE
    private let addedTokenMatcher: AddedTokenMatcher
    /// Keyed by UTF-8: String keys would also match canonically equivalent text.
    private let addedTokenIDs: [[UInt8]: Int]
    private let specialIDs: Set<Int>
    private let cache = SharedWordCache()

    /// The added tokens (special and not), in id order.
    public let addedTokens: [AddedToken]
    /// Ids of the roles the configuration declares (end of sequence and so on).
    public let specialTokenIDs: SpecialTokenIDs
    /// The normalization applied to text between added tokens before it is split into words.
    public let normalization: TextNormalization
    /// How text between added tokens is split into words.
    public let preTokenizer: PreTokenizer
    /// Whether ``encodePrompt(_:)`` starts with the beginning-of-sequence token, as llama.cpp's
    /// `tokenizer.ggml.add_bos_token` asks (false for Qwen2 and SmolLM2).
    public let addsBeginOfSequence: Bool

    init(
        model: ByteLevelBPE, addedTokens: [AddedToken], normalization: TextNormalization,
        preTokenizer: PreTokenizer = .qwen2, addsBeginOfSequence: Bool = false, specialTokenIDs: SpecialTokenIDs
    ) {
        self.model = model
        vocabulary = model.vocabulary
        self.addedTokens = addedTokens.sorted { $0.id < $1.id }
        addedTokenMatcher = AddedTokenMatcher(addedTokens)
        addedTokenIDs = Dictionary(addedTokens.map { (Array($0.content.utf8), $0.id) }, uniquingKeysWith: { _, last in last })
        specialIDs = Set(addedTokens.filter(\.isSpecial).map(\.id))
        self.normalization = normalization
        self.preTokenizer = preTokenizer
        self.addsBeginOfSequence = addsBeginOfSequence && specialTokenIDs.beginOfSequence != nil
        self.specialTokenIDs = specialTokenIDs
    }

    /// One more than the highest token id (151665 for Qwen2.5; the model's embedding may be larger).
    public var vocabularySize: Int { vocabulary.count }

    /// The ids of `text`. No special tokens are added; added-token text in the input (such as
    /// `<|im_end|>`) becomes that token, the longest match winning, before the rest is encoded.
    public func encode(_ text: String) -> [Int] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3 + 1)
        cache.withCache { cache in
            var text = text
            text.withUTF8 { utf8 in
                var scratch = ByteLevelBPE.Scratch()
                addedTokenMatcher.forEachSegment(in: utf8) { segment in
                    switch segment {
                    case .token(let id):
                        ids.append(id)
                    case .text(let range):
                        normalization.withNormalized(UnsafeBufferPointer(rebasing: utf8[range])) { normalized in
                            encodeWords(of: normalized, cache: cache, scratch: &scratch, into: &ids)
                        }
                    }
                }
            }
        }
        return ids.map { Int($0) }
    }

    /// The ids of a prompt as llama.cpp tokenizes one with `add_special`: ``encode(_:)``, after the
    /// beginning-of-sequence token when ``addsBeginOfSequence``.
    ///
    /// ```swift
    /// let ids = tokenizer.encodePrompt(renderedChat)
    /// ```
    public func encodePrompt(_ text: String) -> [Int] {
        guard addsBeginOfSequence, let bos = specialTokenIDs.beginOfSequence else { return encode(text) }
        return [bos] + encode(text)
    }

    private func encodeWords(
        of text: UnsafeBufferPointer<UInt8>, cache: WordCache, scratch: inout ByteLevelBPE.Scratch, into ids: inout [Int32]
    ) {
        preTokenizer.forEachPiece(in: text) { range in
            let word = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: text[range]))
            if cache.appendIDs(of: word, to: &ids) { return }
            let start = ids.count
            model.encode(word: word, scratch: &scratch, into: &ids)
            cache.store(word, ids: ids[start...])
        }
    }

    /// The text of `ids`: their bytes joined and read as UTF-8, with U+FFFD for bytes that do not
    /// form a character. Unknown ids are ignored.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids where !(skipSpecialTokens && isSpecial(id)) {
            vocabulary.appendBytes(of: id, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the bytes of token `id` (nothing for an unknown id or a skipped special token).
    func appendBytes(of id: Int, skipSpecialTokens: Bool, to bytes: inout [UInt8]) {
        if skipSpecialTokens && isSpecial(id) { return }
        vocabulary.appendBytes(of: id, to: &bytes)
    }

    /// The id of a token given its text as vocabulary files store it (`Ġhello`, `<|im_end|>`).
    public func id(forToken token: String) -> Int? {
        addedTokenIDs[Array(token.utf8)] ?? vocabulary.modelID(ofText: token)
    }

    /// The text of token `id` as vocabulary files store it, or nil for an unknown id.
    public func token(forID id: Int) -> String? {
        vocabulary.text(of: id)
    }

    /// Whether `id` is a special added token (left out by `skipSpecialTokens`).
    public func isSpecial(_ id: Int) -> Bool {
        specialIDs.contains(id)
    }
}
