/// Why model weights could not be read. Every case names the file and, where one is at
/// fault, the tensor.
public enum WeightsError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened or mapped.
    case cannotOpen(file: String, reason: String)
    /// The file is shorter than its 8-byte header length plus the header it announces.
    case truncated(file: String, size: Int, needed: Int)
    /// The announced header length is larger than any sane header (100 MB).
    case headerTooLarge(file: String, length: UInt64)
    /// The header is not a UTF-8 JSON object.
    case invalidHeader(file: String, reason: String)
    /// `__metadata__` is not a map of strings.
    case invalidMetadata(file: String)
    /// A tensor entry is malformed (missing key, wrong type, bad shape or offsets).
    case invalidTensor(file: String, tensor: String, reason: String)
    /// A tensor's dtype is not one this loader knows.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A tensor's byte count differs from its shape × element size.
    case sizeMismatch(file: String, tensor: String, expected: Int, actual: Int)
    /// A tensor's data lies (partly) outside the file's data region.
    case outOfBounds(file: String, tensor: String, end: Int, dataSize: Int)
    /// Two tensors share bytes.
    case overlap(file: String, tensor: String, other: String)
    /// A tensor the model needs is not in any weights file.
    case missingTensor(tensor: String, directory: String)
    /// The same tensor name appears in two weight files.
    case duplicateTensor(tensor: String, file: String, other: String)
    /// A tensor's shape is not the one the model configuration implies.
    case shapeMismatch(file: String, tensor: String, expected: [Int], actual: [Int])
    /// A tensor's dtype cannot be used where it was asked for.
    case unsupportedDType(file: String, tensor: String, dtype: TensorDType)
    /// The directory holds no `*.safetensors` file.
    case noWeights(directory: String)
    /// `model.safetensors.index.json` is not a JSON object with a `weight_map` of strings.
    case invalidIndex(file: String, reason: String)
    /// The index names a shard that is not in the directory.
    case missingShard(index: String, shard: String)
    /// The index maps a tensor to a shard that does not contain it.
    case tensorNotInShard(index: String, tensor: String, shard: String)

    /// One line naming the file, the tensor where relevant, and what is wrong.
    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason):
            "\(file): cannot open: \(reason)"
        case .truncated(let file, let size, let needed):
            "\(file): truncated safetensors file (\(size) bytes, header needs \(needed))"
        case .headerTooLarge(let file, let length):
            "\(file): safetensors header length \(length) is larger than 100 MB"
        case .invalidHeader(let file, let reason):
            "\(file): invalid safetensors header: \(reason)"
        case .invalidMetadata(let file):
            "\(file): __metadata__ must be a map of strings to strings"
        case .invalidTensor(let file, let tensor, let reason):
            "\(file): tensor \(tensor): \(reason)"
        case .unknownDType(let file, let tensor, let dtype):
            "\(file): tensor \(tensor): unknown dtype \"\(dtype)\""
        case .sizeMismatch(let file, let tensor, let expected, let actual):
            "\(file): tensor \(tensor): shape needs \(expected) bytes but data_offsets span \(actual)"
        case .outOfBounds(let file, let tensor, let end, let dataSize):
            "\(file): tensor \(tensor): data ends at \(end), past the \(dataSize)-byte data region"
        case .overlap(let file, let tensor, let other):
            "\(file): tensor \(tensor) overlaps tensor \(other)"
        case .missingTensor(let tensor, let directory):
            "\(directory): no tensor named \(tensor) in the weights"
        case .duplicateTensor(let tensor, let file, let other):
            "tensor \(tensor) is in both \(file) and \(other)"
        case .shapeMismatch(let file, let tensor, let expected, let actual):
            "\(file): tensor \(tensor) has shape \(actual), expected \(expected)"
        case .unsupportedDType(let file, let tensor, let dtype):
            "\(file): tensor \(tensor) has dtype \(dtype.rawValue), which cannot be used here"
        case .noWeights(let directory):
            "\(directory): no model.safetensors, model.safetensors.index.json or *.safetensors file"
        case .invalidIndex(let file, let reason):
            "\(file): invalid index: \(reason)"
        case .missingShard(let index, let shard):
            "\(index): shard \(shard) is missing"
        case .tensorNotInShard(let index, let tensor, let shard):
            "\(index): tensor \(tensor) is mapped to \(shard), which does not contain it"
        }
    }
}
