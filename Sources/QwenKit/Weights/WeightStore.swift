import Foundation
import QwenKernels

/// The named tensors of a model directory, from one safetensors file, a sharded set with
/// `model.safetensors.index.json`, or loose `*.safetensors` files; memory-mapped and kept
/// mapped for the store's lifetime.
///
/// ```swift
/// let weights = try WeightStore(directory: modelDirectory)
/// let q = try weights.matrix("model.layers.0.self_attn.q_proj.weight", rows: 896, columns: 896)
/// let norm = try weights.vector("model.norm.weight", count: 896)
/// ```
public final class WeightStore: @unchecked Sendable {
    /// File name of a single-file checkpoint.
    public static let singleFileName = "model.safetensors"
    /// File name of the index of a sharded checkpoint.
    public static let indexFileName = "model.safetensors.index.json"

    /// The model directory the weights were found in.
    public let directory: URL
    /// The opened weight files, in the order they were found.
    public let files: [SafetensorsFile]
    private let locations: [String: (file: SafetensorsFile, info: TensorInfo)]
    private let lock = NSLock()
    /// Aligned or converted copies made by ``matrix(_:rows:columns:)``, by tensor name.
    private var copies: [String: UnsafeMutableRawPointer] = [:]

    /// Opens the weights of `directory`, preferring `model.safetensors` (as transformers does),
    /// then `model.safetensors.index.json`, then every `*.safetensors` file.
    /// Throws ``WeightsError``.
    public init(directory: URL) throws {
        self.directory = directory
        let fileManager = FileManager.default
        let single = directory.appendingPathComponent(Self.singleFileName)
        let index = directory.appendingPathComponent(Self.indexFileName)
        var locations: [String: (file: SafetensorsFile, info: TensorInfo)] = [:]
        if fileManager.fileExists(atPath: single.path) {
            let file = try SafetensorsFile(url: single)
            files = [file]
            for (name, info) in file.tensors { locations[name] = (file, info) }
        } else if fileManager.fileExists(atPath: index.path) {
            let weightMap = try SafetensorsIndex(url: index).weightMap
            var shards: [String: SafetensorsFile] = [:]
            var opened: [SafetensorsFile] = []
            for shardName in Set(weightMap.values).sorted() {
                let url = directory.appendingPathComponent(shardName)
                guard fileManager.fileExists(atPath: url.path) else {
                    throw WeightsError.missingShard(index: index.path, shard: shardName)
                }
                let shard = try SafetensorsFile(url: url)
                shards[shardName] = shard
                opened.append(shard)
            }
            for (name, shardName) in weightMap {
                guard let shard = shards[shardName], let info = shard.tensors[name] else {
                    throw WeightsError.tensorNotInShard(index: index.path, tensor: name, shard: shardName)
                }
                locations[name] = (shard, info)
            }
            files = opened
        } else {
            let contents = (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []
            let names = contents.filter { $0.hasSuffix(".safetensors") }.sorted()
            guard !names.isEmpty else { throw WeightsError.noWeights(directory: directory.path) }
            files = try names.map { try SafetensorsFile(url: directory.appendingPathComponent($0)) }
            for file in files {
                for (name, info) in file.tensors {
                    if let other = locations[name] {
                        throw WeightsError.duplicateTensor(tensor: name, file: other.file.url.path, other: file.url.path)
                    }
                    locations[name] = (file, info)
                }
            }
        }
        self.locations = locations
    }

    deinit {
        for copy in copies.values { copy.deallocate() }
    }

    /// Every tensor name, sorted.
    public var tensorNames: [String] { locations.keys.sorted() }

    /// True when a tensor named `name` exists.
    public func contains(_ name: String) -> Bool { locations[name] != nil }

    /// The dtype, shape and location of a tensor.
    public func info(_ name: String) throws -> TensorInfo {
        try location(name).info
    }

    /// The raw bytes of a tensor, a view into the mapped file.
    public func bytes(of name: String) throws -> UnsafeRawBufferPointer {
        let (file, info) = try location(name)
        return file.bytes(of: info)
    }

    /// A 2-D tensor of shape `[rows, columns]` as a QwenKernels `WeightMatrix`. F32, F16 and BF16 data are
    /// used in place (copied only if misaligned in the file); F64 is converted to F32.
    /// Throws when the shape differs or the dtype is not a float type.
    public func matrix(_ name: String, rows: Int, columns: Int) throws -> WeightMatrix {
        let (file, info) = try location(name)
        try checkShape(info, file: file, expected: [rows, columns])
        let bytes = file.bytes(of: info)
        if let format = info.dtype.weightFormat {
            if let base = bytes.baseAddress, Int(bitPattern: base) % format.bytesPerElement == 0 {
                return WeightMatrix(base: base, format: format, rows: rows, columns: columns)
            }
            let copy = try retainedCopy(of: name, byteCount: bytes.count) { $0.copyMemory(from: bytes) }
            return WeightMatrix(base: copy, format: format, rows: rows, columns: columns)
        }
        let copy = try retainedCopy(of: name, byteCount: info.elementCount * MemoryLayout<Float>.size) {
            try convert(bytes, info: info, file: file, into: $0.bindMemory(to: Float.self))
        }
        return WeightMatrix(base: copy, format: .f32, rows: rows, columns: columns)
    }

    /// A 1-D tensor of `count` elements (a norm weight or a bias) converted to `Float`.
    /// Throws when the shape differs or the dtype is not a float type.
    public func vector(_ name: String, count: Int) throws -> [Float] {
        let (file, info) = try location(name)
        try checkShape(info, file: file, expected: [count])
        let bytes = file.bytes(of: info)
        var values = [Float](repeating: 0, count: info.elementCount)
        try values.withUnsafeMutableBufferPointer { try convert(bytes, info: info, file: file, into: $0) }
        return values
    }

    private func location(_ name: String) throws -> (file: SafetensorsFile, info: TensorInfo) {
        guard let location = locations[name] else {
            throw WeightsError.missingTensor(tensor: name, directory: directory.path)
        }
        return location
    }

    private func checkShape(_ info: TensorInfo, file: SafetensorsFile, expected: [Int]) throws {
        guard info.shape == expected else {
            throw WeightsError.shapeMismatch(file: file.url.path, tensor: info.name, expected: expected, actual: info.shape)
        }
    }

    private func convert(
        _ bytes: UnsafeRawBufferPointer, info: TensorInfo, file: SafetensorsFile, into destination: UnsafeMutableBufferPointer<Float>
    ) throws {
        guard FloatConversion.convert(bytes, dtype: info.dtype, into: destination) else {
            throw WeightsError.unsupportedDType(file: file.url.path, tensor: info.name, dtype: info.dtype)
        }
    }

    /// A 16-byte aligned buffer of `byteCount` bytes for tensor `name`, filled by `fill` the first
    /// time and kept as long as the store.
    private func retainedCopy(
        of name: String, byteCount: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void
    ) throws -> UnsafeRawPointer {
        try lock.withLock {
            if let copy = copies[name] { return UnsafeRawPointer(copy) }
            let copy = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 16)
            do {
                try fill(UnsafeMutableRawBufferPointer(start: copy, count: byteCount))
            } catch {
                copy.deallocate()
                throw error
            }
            copies[name] = copy
            return UnsafeRawPointer(copy)
        }
    }
}
