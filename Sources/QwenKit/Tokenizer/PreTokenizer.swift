/// How a tokenizer splits text into the pieces byte-pair encoding encodes one by one.
///
/// ```swift
/// let tokenizer = try Tokenizer(gguf: GGUFFile(url: smolLMURL))
/// tokenizer.preTokenizer  // .smolLM
/// ```
public enum PreTokenizer: String, Sendable, Equatable {
    /// Qwen2's pattern (``Qwen2PreTokenizer``); llama.cpp's `tokenizer.ggml.pre = qwen2`.
    case qwen2
    /// Single digits, then GPT-2's pattern (``SmolLMPreTokenizer``); llama.cpp's `smollm`.
    case smolLM = "smollm"

    /// The pre-tokenizer llama.cpp calls `name` in `tokenizer.ggml.pre`, nil for one not implemented.
    init?(ggufName name: String) {
        self.init(rawValue: name)
    }

    /// Calls `body` with the byte range of each piece of valid UTF-8 `text`, in order.
    @inline(__always)
    func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        switch self {
        case .qwen2: Qwen2PreTokenizer.forEachPiece(in: text, body)
        case .smolLM: SmolLMPreTokenizer.forEachPiece(in: text, body)
        }
    }
}
