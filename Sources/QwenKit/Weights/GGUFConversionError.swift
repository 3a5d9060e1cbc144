import Foundation

/// Why ``GGUFConverter`` cannot convert a model directory.
public enum GGUFConversionError: Error, CustomStringConvertible, Equatable {
    /// The output file exists and overwriting was not asked for.
    case outputExists(String)
    /// The output cannot be written (a missing or read-only directory, a full disk...).
    case cannotWrite(path: String, reason: String)
    /// A tensor of the checkpoint has no GGUF name (not part of a Qwen2 model).
    case unexpectedTensor(file: String, tensor: String)
    /// A tokenizer file lacks something the GGUF needs.
    case tokenizer(file: String, reason: String)
    /// The architecture cannot be converted (only Qwen2 is).
    case unsupportedArchitecture(file: String, architecture: String)

    public var description: String {
        switch self {
        case .outputExists(let path):
            "\(path) already exists (pass --force to overwrite it)"
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason)"
        case .unexpectedTensor(let file, let tensor):
            "\(file): tensor \(tensor) is not part of a Qwen2 model"
        case .tokenizer(let file, let reason):
            "\(file): \(reason)"
        case .unsupportedArchitecture(let file, let architecture):
            "\(file): cannot convert model type \"\(architecture)\" (only qwen2)"
        }
    }
}
