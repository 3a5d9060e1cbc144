import Foundation
import QwenKernels

/// Converts a Hugging Face Qwen2 safetensors directory (float32, float16 or bfloat16, sharded or
/// not) into a GGUF version 3 file laid out as llama.cpp's `convert_hf_to_gguf.py` and
/// `llama-quantize` write it: `qwen2.*` hyperparameters, the `tokenizer.ggml.*` vocabulary and the
/// chat template, llama.cpp's tensor names, and the tensor types of ``GGUFConversionType``.
/// Tensors are converted one at a time while the file is written, so memory stays near the
/// largest tensor.
///
/// ```swift
/// let converter = try GGUFConverter(directory: URL(fileURLWithPath: "Qwen2.5-0.5B-Instruct"))
/// try converter.write(.q4_K_M, to: URL(fileURLWithPath: "qwen2.5-0.5b-q4_k_m.gguf"))
/// ```
public struct GGUFConverter {
    /// The model directory.
    public let directory: URL
    /// Its `config.json`.
    public let configuration: Qwen2Configuration
    private let weights: WeightStore
    private let tokenizer: GGUFTokenizerMetadata
    private let generation: GenerationConfiguration?

    /// Reads the configuration, tokenizer files and safetensors headers of `directory`.
    /// Throws ``ConfigurationError``, ``WeightsError``, ``TokenizerError`` or
    /// ``GGUFConversionError`` naming the file at fault.
    public init(directory: URL) throws {
        self.directory = directory
        let configURL = directory.appendingPathComponent("config.json")
        configuration = try Qwen2Configuration.load(from: configURL)
        guard configuration.architecture == .qwen2 else {
            throw GGUFConversionError.unsupportedArchitecture(file: configURL.path, architecture: configuration.architecture.rawValue)
        }
        weights = try WeightStore(directory: directory)
        // Every tensor the configuration needs, in its shape (the checks loading the model makes),
        // so that no GGUF is written that llama.cpp or QwenKit could not load.
        _ = try Qwen2Model(configuration: configuration, weights: weights, threadCount: 1)
        tokenizer = try GGUFTokenizerMetadata(directory: directory, configuration: configuration)
        let generationURL = directory.appendingPathComponent("generation_config.json")
        generation = FileManager.default.fileExists(atPath: generationURL.path)
            ? try GenerationConfiguration.load(from: generationURL) : nil
    }

    /// One step of ``write(_:to:overwrite:progress:)``: the tensor just written.
    public struct Progress: Sendable {
        /// Its GGUF name.
        public var tensor: String
        /// Its storage type.
        public var type: GGUFTensorType
        /// Tensors written so far, this one included.
        public var completed: Int
        /// Tensors in the file.
        public var total: Int
    }

    /// Writes the model as a GGUF of `type` to `output` (first to `output.partial`, renamed when
    /// complete). Throws ``GGUFConversionError/outputExists(_:)`` when `output` exists and
    /// `overwrite` is false, ``GGUFConversionError/cannotWrite(path:reason:)`` when it cannot be
    /// written. `progress`, when given, is called after each tensor.
    public func write(
        _ type: GGUFConversionType, to output: URL, overwrite: Bool = false, progress: ((Progress) -> Void)? = nil
    ) throws {
        let fileManager = FileManager.default
        if let existing = try? fileManager.attributesOfItem(atPath: output.path) {
            guard overwrite else { throw GGUFConversionError.outputExists(output.path) }
            // Overwriting replaces a file; a directory, device or link there is never removed.
            guard existing[.type] as? FileAttributeType == .typeRegular else {
                throw GGUFConversionError.cannotWrite(path: output.path, reason: "it exists and is not a regular file")
            }
        }
        let folder = output.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GGUFConversionError.cannotWrite(path: output.path, reason: "no directory \(folder.path)")
        }
        guard fileManager.isWritableFile(atPath: folder.path) else {
            throw GGUFConversionError.cannotWrite(path: output.path, reason: "the directory is not writable")
        }
        var writer = GGUFWriter()
        writeMetadata(type, into: &writer)
        try addTensors(type, to: &writer, progress: progress)
        let partial = output.appendingPathExtension("partial")
        do {
            try writer.write(to: partial)
            if fileManager.fileExists(atPath: output.path) { try fileManager.removeItem(at: output) }
            try fileManager.moveItem(at: partial, to: output)
        } catch let error as GGUFError {
            throw GGUFConversionError.cannotWrite(path: output.path, reason: "\(error)")
        } catch {
            try? fileManager.removeItem(at: partial)
            throw GGUFConversionError.cannotWrite(path: output.path, reason: error.localizedDescription)
        }
    }

    private func writeMetadata(_ type: GGUFConversionType, into writer: inout GGUFWriter) {
        let c = configuration
        writer.setValue(.string("qwen2"), forKey: "general.architecture")
        writer.setValue(.string("model"), forKey: "general.type")
        if let generation, generation.doSample {
            writer.setValue(.int32(Int32(clamping: generation.topK)), forKey: "general.sampling.top_k")
            writer.setValue(.float32(Float(generation.topP)), forKey: "general.sampling.top_p")
            writer.setValue(.float32(Float(generation.temperature)), forKey: "general.sampling.temp")
            writer.setValue(.float32(Float(generation.repetitionPenalty)), forKey: "general.sampling.penalty_repeat")
        }
        writer.setValue(.string(directory.lastPathComponent), forKey: "general.name")
        func integer(_ key: String, _ value: Int) { writer.setValue(.uint32(UInt32(clamping: value)), forKey: "qwen2.\(key)") }
        integer("block_count", c.numHiddenLayers)
        integer("context_length", c.maxPositionEmbeddings)
        integer("embedding_length", c.hiddenSize)
        integer("feed_forward_length", c.intermediateSize)
        integer("attention.head_count", c.numAttentionHeads)
        integer("attention.head_count_kv", c.numKeyValueHeads)
        if c.headDim != c.hiddenSize / c.numAttentionHeads {
            integer("attention.key_length", c.headDim)
            integer("attention.value_length", c.headDim)
        }
        writer.setValue(.float32(Float(c.ropeTheta)), forKey: "qwen2.rope.freq_base")
        writer.setValue(.float32(Float(c.rmsNormEps)), forKey: "qwen2.attention.layer_norm_rms_epsilon")
        if let scaling = c.ropeScaling {
            writer.setValue(.string(scaling.ropeType.rawValue), forKey: "qwen2.rope.scaling.type")
            writer.setValue(.float32(Float(scaling.factor)), forKey: "qwen2.rope.scaling.factor")
            if let original = scaling.originalMaxPositionEmbeddings { integer("rope.scaling.original_context_length", original) }
        }
        writer.setValue(.uint32(type.fileType), forKey: "general.file_type")
        writer.setValue(.uint32(2), forKey: "general.quantization_version")
        tokenizer.write(into: &writer)
    }

    /// Adds every tensor, sorted by Hugging Face name as the converter reads them, with a closure
    /// that converts it when the writer reaches it.
    private func addTensors(
        _ type: GGUFConversionType, to writer: inout GGUFWriter, progress: ((Progress) -> Void)?
    ) throws {
        let names = weights.tensorNames.filter { !(configuration.tieWordEmbeddings && $0 == "lm_head.weight") }
        let tied = !names.contains("lm_head.weight")
        let counter = ProgressCounter()
        for name in names {
            guard let ggufName = GGUFWeights.ggufName(for: name) else {
                throw GGUFConversionError.unexpectedTensor(file: directory.path, tensor: name)
            }
            let shape = try weights.info(name).shape
            let dimensions = Array(shape.reversed())
            let tensorType = type.tensorType(
                name: ggufName, dimensions: dimensions, layerCount: configuration.numHiddenLayers, tiedEmbeddings: tied)
            let weights = self.weights
            writer.addTensor(name: ggufName, type: tensorType, dimensions: dimensions) {
                let data = try Self.convert(name, shape: shape, from: weights, to: tensorType)
                progress?(Progress(tensor: ggufName, type: tensorType, completed: counter.advance(), total: names.count))
                return data
            }
        }
    }

    /// The bytes of tensor `name` in `type`, converted row by row through float32.
    private static func convert(_ name: String, shape: [Int], from weights: WeightStore, to type: GGUFTensorType) throws -> Data {
        let columns = shape.last ?? 1, rows = shape.count > 1 ? shape.dropLast().reduce(1, *) : 1
        let values: (Int, UnsafeMutablePointer<Float>) -> Void
        if shape.count == 1 {
            let vector = try weights.vector(name, count: columns)
            values = { _, row in vector.withUnsafeBufferPointer { row.update(from: $0.baseAddress!, count: columns) } }
        } else {
            let matrix = try weights.matrix(name, rows: rows, columns: columns)
            values = { index, row in Kernels.row(index, of: matrix, into: row) }
        }
        guard let format = GGUFWeights.weightFormat(type), let rowBytes = type.byteCount(rowLength: columns) else {
            throw GGUFConversionError.unexpectedTensor(file: weights.directory.path, tensor: name)
        }
        var data = Data(count: rows * rowBytes)
        var row = [Float](repeating: 0, count: columns)
        try data.withUnsafeMutableBytes { output in
            for index in 0..<rows {
                row.withUnsafeMutableBufferPointer { values(index, $0.baseAddress!) }
                let destination = output.baseAddress! + index * rowBytes
                switch format {
                case .f32:
                    row.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: rowBytes) }
                case .f16:
                    let halves = destination.bindMemory(to: UInt16.self, capacity: columns)
                    for i in 0..<columns { halves[i] = Float16(row[i]).bitPattern }
                default:
                    let bytes = try format.quantize(row)
                    bytes.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: rowBytes) }
                }
            }
        }
        return data
    }
}

/// Counts finished tensors across the writer's closures.
private final class ProgressCounter: @unchecked Sendable {
    private var completed = 0

    func advance() -> Int {
        completed += 1
        return completed
    }
}
