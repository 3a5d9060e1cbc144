/// Why a GGUF file could not be read, written or used. Every case names the file and, where
/// one is at fault, the metadata key or tensor.
public enum GGUFError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened, mapped or written.
    case cannotOpen(file: String, reason: String)
    /// The file does not start with the magic `GGUF`.
    case notGGUF(file: String)
    /// The version is not 2 or 3 (a huge number usually means a big-endian file).
    case unsupportedVersion(file: String, version: UInt32)
    /// The file ends inside `what` (the header, a key, a value, a tensor info).
    case truncated(file: String, what: String)
    /// The header announces more metadata entries or tensors than the file could hold.
    case countTooLarge(file: String, what: String, count: UInt64)
    /// A metadata entry is malformed (unknown value type, bad UTF-8, duplicate key, bad alignment).
    case invalidMetadata(file: String, key: String, reason: String)
    /// A tensor info is malformed (duplicate name, dimensions, size, offset alignment).
    case invalidTensor(file: String, tensor: String, reason: String)
    /// A tensor's type id is not one ggml defines.
    case unknownTensorType(file: String, tensor: String, typeID: UInt32)
    /// A tensor's data (`byteCount` bytes at `offset` in the data section) runs past the end of the file.
    case tensorOutOfBounds(file: String, tensor: String, offset: UInt64, byteCount: Int, dataSize: Int)
    /// Two tensors share bytes.
    case overlap(file: String, tensor: String, other: String)
    /// A metadata key that is needed is absent.
    case missingKey(file: String, key: String)
    /// A metadata value has another type than the one asked for.
    case wrongType(file: String, key: String, expected: String, actual: GGUFValueType)
    /// A metadata value has the right type but cannot be used (out of range, unsupported).
    case invalidValue(file: String, key: String, reason: String)

    /// One line naming the file, the key or tensor where relevant, and what is wrong.
    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason):
            "\(file): cannot open: \(reason)"
        case .notGGUF(let file):
            "\(file): not a GGUF file (no GGUF magic)"
        case .unsupportedVersion(let file, let version):
            "\(file): unsupported GGUF version \(version) (expected 2 or 3, little-endian)"
        case .truncated(let file, let what):
            "\(file): truncated GGUF file: ends inside \(what)"
        case .countTooLarge(let file, let what, let count):
            "\(file): GGUF header announces \(count) \(what), more than the file can hold"
        case .invalidMetadata(let file, let key, let reason):
            "\(file): metadata \(key): \(reason)"
        case .invalidTensor(let file, let tensor, let reason):
            "\(file): tensor \(tensor): \(reason)"
        case .unknownTensorType(let file, let tensor, let typeID):
            "\(file): tensor \(tensor): unknown ggml type \(typeID)"
        case .tensorOutOfBounds(let file, let tensor, let offset, let byteCount, let dataSize):
            "\(file): tensor \(tensor): \(byteCount) bytes at offset \(offset) run past the \(dataSize)-byte data section"
        case .overlap(let file, let tensor, let other):
            "\(file): tensor \(tensor) overlaps tensor \(other)"
        case .missingKey(let file, let key):
            "\(file): missing metadata key \(key)"
        case .wrongType(let file, let key, let expected, let actual):
            "\(file): metadata \(key) is \(actual), expected \(expected)"
        case .invalidValue(let file, let key, let reason):
            "\(file): metadata \(key): \(reason)"
        }
    }
}
