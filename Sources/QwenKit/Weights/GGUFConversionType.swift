/// The file types ``GGUFConverter`` writes, each with the tensor types llama.cpp gives a Qwen2
/// model of that type (`convert_hf_to_gguf.py --outtype f16`, then `llama-quantize` for the
/// quantized ones, `src/llama-quant.cpp`).
///
/// ```swift
/// GGUFConversionType.q4_K_M.tensorType(name: "blk.0.attn_v.weight", dimensions: [896, 128], layerCount: 24, tiedEmbeddings: true)
/// // .q8_0: Q6_K (first layers get more bits) needs rows of 256 values, so it falls back to Q8_0
/// ```
public enum GGUFConversionType: String, CaseIterable, Sendable {
    /// Every matrix in float16.
    case f16
    /// Every matrix in Q8_0.
    case q8_0
    /// Matrices in Q4_0, the output matrix in Q6_K.
    case q4_0
    /// Matrices in Q4_K; `attn_v` and `ffn_down` of some layers and the output matrix in Q6_K.
    case q4_K_M = "q4_k_m"

    /// llama.cpp's `llama_ftype`, stored as `general.file_type`.
    public var fileType: UInt32 {
        switch self {
        case .f16: 1
        case .q4_0: 2
        case .q8_0: 7
        case .q4_K_M: 15
        }
    }

    /// The storage type of the tensor `name` (GGUF naming) with `dimensions` (ggml order) in a
    /// model of `layerCount` layers. Vectors and norms stay F32, like llama.cpp's converter keeps
    /// them; matrices take the file type's type, bumped the way `llama-quantize` does, then its
    /// fallback when the rows do not fill whole blocks (Q4_K → Q5_0, Q6_K → Q8_0, else F16).
    public func tensorType(name: String, dimensions: [Int], layerCount: Int, tiedEmbeddings: Bool) -> GGUFTensorType {
        guard dimensions.count >= 2, name.hasSuffix("weight"), !name.hasSuffix("_norm.weight") else { return .f32 }
        let columns = dimensions[0]
        var type: GGUFTensorType
        switch self {
        case .f16: return .f16
        case .q8_0: type = .q8_0
        case .q4_0: type = .q4_0
        case .q4_K_M: type = .q4_K
        }
        if name == "output.weight" || (tiedEmbeddings && name == "token_embd.weight") {
            type = columns % type.blockSize != 0 ? .q8_0 : type == .q8_0 ? .q8_0 : .q6_K
        } else if self == .q4_K_M, name.hasSuffix("attn_v.weight") || name.hasSuffix("ffn_down.weight"),
                  let layer = Self.layer(of: name), Self.usesMoreBits(layer: layer, layerCount: layerCount) {
            type = .q6_K
        }
        guard columns % type.blockSize != 0 else { return type }
        let fallback: GGUFTensorType = switch type {
        case .q4_K: .q5_0
        case .q6_K: .q8_0
        default: type
        }
        return columns % fallback.blockSize == 0 ? fallback : .f16
    }

    /// llama.cpp's `use_more_bits`: the first and last eighth of the layers and every third between.
    static func usesMoreBits(layer: Int, layerCount: Int) -> Bool {
        layer < layerCount / 8 || layer >= 7 * layerCount / 8 || (layer - layerCount / 8) % 3 == 2
    }

    /// The layer of a `blk.N.…` tensor.
    private static func layer(of name: String) -> Int? {
        let parts = name.split(separator: ".")
        guard parts.count > 2, parts[0] == "blk" else { return nil }
        return Int(parts[1])
    }
}
