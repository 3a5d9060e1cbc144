import Foundation

/// Where a model's files are: a Hugging Face style directory or a single GGUF file.
///
/// ```swift
/// let location = try ModelLocation(path: "~/models/Qwen2.5-0.5B-Instruct")
/// let config = location.file("config.json")
/// ```
public enum ModelLocation: Sendable, Equatable {
    /// A directory holding `config.json`, tokenizer files and safetensors weights.
    case directory(URL)
    /// A single `.gguf` file with weights, hyperparameters and tokenizer.
    case gguf(URL)

    /// Resolves a path given by a user (`~` expanded, relative to the working directory).
    /// Throws ``ModelLocationError`` when nothing usable is there.
    public init(path: String) throws {
        let expanded = (path as NSString).expandingTildeInPath
        let url = URL(fileURLWithPath: expanded).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelLocationError.notFound(path)
        }
        if isDirectory.boolValue {
            self = .directory(url)
        } else if url.pathExtension.lowercased() == "gguf" {
            self = .gguf(url)
        } else {
            throw ModelLocationError.unsupportedFile(url.path)
        }
    }

    /// The URL the location points at.
    public var url: URL {
        switch self {
        case .directory(let url), .gguf(let url): url
        }
    }

    /// A file inside a model directory (nil for a GGUF file), whether or not it exists.
    public func file(_ name: String) -> URL? {
        guard case .directory(let url) = self else { return nil }
        return url.appendingPathComponent(name)
    }

    /// A file inside a model directory, only if it exists.
    public func existingFile(_ name: String) -> URL? {
        guard let url = file(name), FileManager.default.fileExists(atPath: url.path) else { return nil }
        return url
    }
}

/// Why a model path could not be used.
public enum ModelLocationError: Error, CustomStringConvertible, Equatable {
    /// Nothing exists at the path.
    case notFound(String)
    /// The path is a file, but not a `.gguf` file.
    case unsupportedFile(String)

    public var description: String {
        switch self {
        case .notFound(let path):
            "model not found: \(path) (expected a model directory or a .gguf file)"
        case .unsupportedFile(let path):
            "\(path) is neither a model directory nor a .gguf file"
        }
    }
}
