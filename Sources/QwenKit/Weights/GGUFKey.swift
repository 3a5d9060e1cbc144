/// Metadata keys of the GGUF files llama.cpp writes, as QwenKit reads them.
enum GGUFKey {
    static let alignment = "general.alignment"
    static let architecture = "general.architecture"
    static let tokenizerModel = "tokenizer.ggml.model"
    static let preTokenizer = "tokenizer.ggml.pre"
    static let tokens = "tokenizer.ggml.tokens"
    static let tokenTypes = "tokenizer.ggml.token_type"
    static let merges = "tokenizer.ggml.merges"
    static let bosTokenID = "tokenizer.ggml.bos_token_id"
    static let eosTokenID = "tokenizer.ggml.eos_token_id"
    static let paddingTokenID = "tokenizer.ggml.padding_token_id"
    static let unknownTokenID = "tokenizer.ggml.unknown_token_id"
    static let addBeginOfSequence = "tokenizer.ggml.add_bos_token"
    static let chatTemplate = "tokenizer.chat_template"
}
