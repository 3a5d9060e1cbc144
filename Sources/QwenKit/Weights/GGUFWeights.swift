import Foundation
import QwenKernels

/// The tensors of a Qwen2 or Llama GGUF file under their Hugging Face names, as llama.cpp's
/// `convert_hf_to_gguf.py` renames them (`model.layers.3.mlp.down_proj.weight` is
/// `blk.3.ffn_down.weight`). The rows stay as stored: the converter keeps Qwen2's q/k rows but
/// permutes Llama's for interleaved RoPE, which ``Qwen2Configuration/ropeStyle`` records. Float
/// and block-quantized tensors are used in place in the mapped file, except quantized matrices (but Q4_1),
/// which are copied once with each 8 rows interleaved (``WeightMatrix/interleaved(into:)``, the
/// layout their fastest kernels read; the file's pages of them are then dropped from memory).
///
/// ```swift
/// let weights = try GGUFWeights(file: GGUFFile(url: URL(fileURLWithPath: "qwen2.5-0.5b-q8_0.gguf")))
/// let embedding = try weights.matrix("model.embed_tokens.weight", rows: 151936, columns: 896)
/// ```
public final class GGUFWeights: WeightSource, @unchecked Sendable {
    /// The file the tensors are in; kept open (mapped) as long as this object.
    public let file: GGUFFile

    /// The tensors of `file`; nothing is read until a tensor is asked for.
    public init(file: GGUFFile) {
        self.file = file
    }

    /// The interleaved copies of quantized matrices, by GGUF tensor name.
    private var interleaved: [String: WeightMatrix] = [:]
    private let lock = NSLock()

    deinit {
        for matrix in interleaved.values { free(UnsafeMutableRawPointer(mutating: matrix.base)) }
    }

    /// Threads that write an interleaved copy: every core (the copy is mostly the kernel clearing fresh pages).
    private static let copyThreads = ProcessInfo.processInfo.activeProcessorCount

    /// Memory for an interleaved copy, 64-byte aligned, in ordinary pages. Asking for transparent
    /// huge pages (`madvise(MADV_HUGEPAGE)`) was measured to make the copy slower, not faster, on the
    /// 2-core VM the benchmarks run on: writing 1.6 GB of fresh memory on 2 threads takes 0.59 s in
    /// 4 KiB pages and 2.2 s in huge pages (the kernel compacts memory to find each 2 MiB page), and
    /// streaming the weights afterwards is no faster in huge pages.
    private static func allocateCopy(byteCount: Int) -> UnsafeMutableRawPointer {
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, 64, byteCount) == 0, let memory else {
            fatalError("out of memory for \(byteCount) bytes of weights")
        }
        return memory
    }

    public static func ggufName(for name: String) -> String? {
        if let global = globalNames[name] { return global }
        let layerPrefix = "model.layers."
        guard name.hasPrefix(layerPrefix) else { return nil }
        let rest = name.dropFirst(layerPrefix.count)
        guard let dot = rest.firstIndex(of: "."), let layer = Int(rest[..<dot]), layer >= 0,
              let suffix = layerNames[String(rest[rest.index(after: dot)...])] else { return nil }
        return "blk.\(layer).\(suffix)"
    }

    private static let globalNames = [
        "model.embed_tokens.weight": "token_embd.weight",
        "model.norm.weight": "output_norm.weight",
        "lm_head.weight": "output.weight",
    ]

    private static let layerNames = [
        "input_layernorm.weight": "attn_norm.weight",
        "post_attention_layernorm.weight": "ffn_norm.weight",
        "self_attn.q_proj.weight": "attn_q.weight",
        "self_attn.q_proj.bias": "attn_q.bias",
        "self_attn.k_proj.weight": "attn_k.weight",
        "self_attn.k_proj.bias": "attn_k.bias",
        "self_attn.v_proj.weight": "attn_v.weight",
        "self_attn.v_proj.bias": "attn_v.bias",
        "self_attn.o_proj.weight": "attn_output.weight",
        "mlp.gate_proj.weight": "ffn_gate.weight",
        "mlp.up_proj.weight": "ffn_up.weight",
        "mlp.down_proj.weight": "ffn_down.weight",
    ]

    public func contains(_ name: String) -> Bool {
        Self.ggufName(for: name).flatMap(file.tensor(named:)) != nil
    }

    public func matrix(_ name: String, rows: Int, columns: Int) throws -> WeightMatrix {
        let tensor = try self.tensor(name, dimensions: [columns, rows])
        let matrix = try weightMatrix(tensor, rows: rows, columns: columns)
        guard matrix.canInterleave else { return matrix }
        return lock.withLock {
            if let copy = interleaved[tensor.name] { return copy }
            let copy = matrix.interleaved(into: Self.allocateCopy(byteCount: matrix.byteCount), threadCount: Self.copyThreads)
            interleaved[tensor.name] = copy
            file.evict(tensor)
            return copy
        }
    }

    public func vector(_ name: String, count: Int) throws -> [Float] {
        let tensor = try self.tensor(name, dimensions: [count])
        let row = try weightMatrix(tensor, rows: 1, columns: count)
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { Kernels.row(0, of: row, into: base) }
        }
        return values
    }

    /// The tensor transformers calls `name`, checked to have `dimensions` (ggml order).
    private func tensor(_ name: String, dimensions: [Int]) throws -> GGUFTensorInfo {
        guard let ggufName = Self.ggufName(for: name), let tensor = file.tensor(named: ggufName) else {
            throw GGUFError.invalidTensor(
                file: file.url.path, tensor: Self.ggufName(for: name) ?? name, reason: "missing (the model needs \(name))")
        }
        guard tensor.dimensions == dimensions else {
            throw GGUFError.invalidTensor(
                file: file.url.path, tensor: tensor.name,
                reason: "has dimensions \(tensor.dimensions), expected \(dimensions) (ggml order)")
        }
        return tensor
    }

    private func weightMatrix(_ tensor: GGUFTensorInfo, rows: Int, columns: Int) throws -> WeightMatrix {
        guard let format = Self.weightFormat(tensor.type) else {
            let supported = WeightFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw GGUFError.invalidTensor(
                file: file.url.path, tensor: tensor.name,
                reason: "has type \(tensor.type.name), which no kernel runs (supported: \(supported))")
        }
        let bytes = file.bytes(of: tensor)
        guard let base = bytes.baseAddress, Int(bitPattern: base) % format.bytesPerElement == 0,
              bytes.count == rows * format.rowByteCount(columns: columns) else {
            throw GGUFError.invalidTensor(file: file.url.path, tensor: tensor.name, reason: "data is misaligned or has the wrong size")
        }
        return WeightMatrix(base: base, format: format, rows: rows, columns: columns)
    }

    /// The kernel format of a GGUF storage type, nil when no kernel runs it.
    static func weightFormat(_ type: GGUFTensorType) -> WeightFormat? {
        switch type {
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        case .q8_0: .q8_0
        case .q4_0: .q4_0
        case .q4_1: .q4_1
        case .q5_0: .q5_0
        case .q4_K: .q4_K
        case .q6_K: .q6_K
        default: nil
        }
    }
}
