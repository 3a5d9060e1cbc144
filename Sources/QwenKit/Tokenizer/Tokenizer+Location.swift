extension Tokenizer {
    /// The tokenizer of a model directory's tokenizer files or of a GGUF file's metadata.
    ///
    /// ```swift
    /// let tokenizer = try Tokenizer(location: ModelLocation(path: "qwen2.5-0.5b-q8_0.gguf"))
    /// ```
    public convenience init(location: ModelLocation) throws {
        switch location {
        case .directory(let url): try self.init(directory: url)
        case .gguf(let url): try self.init(gguf: GGUFFile(url: url))
        }
    }
}
