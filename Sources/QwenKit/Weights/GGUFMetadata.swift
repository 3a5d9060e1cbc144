/// The key–value metadata of a GGUF file, in file order, with typed getters whose errors name
/// the file and key.
///
/// ```swift
/// let layers = try file.metadata.int("qwen2.block_count")
/// let tokens = try file.metadata.strings("tokenizer.ggml.tokens")
/// let base = try file.metadata.doubleIfPresent("qwen2.rope.freq_base") ?? 10000
/// ```
public struct GGUFMetadata: Sendable, Equatable {
    /// The file the metadata was read from, named in errors.
    public let file: String
    /// The keys in the order the file stores them.
    public let keys: [String]
    private let values: [String: GGUFMetadataValue]

    /// Metadata from `entries` (in order; keys must be unique) read from `file`.
    init(file: String, entries: [(key: String, value: GGUFMetadataValue)]) {
        self.file = file
        keys = entries.map(\.key)
        values = Dictionary(entries, uniquingKeysWith: { first, _ in first })
    }

    /// The value stored under `key`, or nil.
    public subscript(key: String) -> GGUFMetadataValue? { values[key] }

    /// The integer (of any width) under `key`. Throws ``GGUFError`` when absent or of another type.
    public func int(_ key: String) throws -> Int {
        try intIfPresent(key) ?? missing(key)
    }

    /// The integer (of any width) under `key`, or nil when absent.
    public func intIfPresent(_ key: String) throws -> Int? {
        guard let value = values[key] else { return nil }
        guard let number = value.integer else { throw wrongType(key, "an integer", value) }
        return number
    }

    /// The `float32` or `float64` under `key`.
    public func double(_ key: String) throws -> Double {
        try doubleIfPresent(key) ?? missing(key)
    }

    /// The `float32` or `float64` under `key`, or nil when absent.
    public func doubleIfPresent(_ key: String) throws -> Double? {
        guard let value = values[key] else { return nil }
        guard let number = value.floatingPoint else { throw wrongType(key, "a float", value) }
        return number
    }

    /// The `bool` under `key`.
    public func bool(_ key: String) throws -> Bool {
        try boolIfPresent(key) ?? missing(key)
    }

    /// The `bool` under `key`, or nil when absent.
    public func boolIfPresent(_ key: String) throws -> Bool? {
        guard let value = values[key] else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(key, "a bool", value) }
        return flag
    }

    /// The string under `key`.
    public func string(_ key: String) throws -> String {
        try stringIfPresent(key) ?? missing(key)
    }

    /// The string under `key`, or nil when absent.
    public func stringIfPresent(_ key: String) throws -> String? {
        guard let value = values[key] else { return nil }
        guard let text = value.text else { throw wrongType(key, "a string", value) }
        return text
    }

    /// The elements of the array under `key`.
    public func array(_ key: String) throws -> [GGUFMetadataValue] {
        guard let value = values[key] else { return try missing(key) }
        guard let elements = value.elements else { throw wrongType(key, "an array", value) }
        return elements
    }

    /// The array of strings under `key`.
    public func strings(_ key: String) throws -> [String] {
        guard let value = values[key] else { return try missing(key) }
        guard let texts = value.elements?.compactMap(\.text), texts.count == value.elements?.count else {
            throw wrongType(key, "an array of strings", value)
        }
        return texts
    }

    /// The array of integers under `key`.
    public func ints(_ key: String) throws -> [Int] {
        guard let value = values[key] else { return try missing(key) }
        guard let numbers = value.elements?.compactMap(\.integer), numbers.count == value.elements?.count else {
            throw wrongType(key, "an array of integers", value)
        }
        return numbers
    }

    private func missing<T>(_ key: String) throws -> T {
        throw GGUFError.missingKey(file: file, key: key)
    }

    private func wrongType(_ key: String, _ expected: String, _ value: GGUFMetadataValue) -> GGUFError {
        .wrongType(file: file, key: key, expected: expected, actual: value.type)
    }
}
