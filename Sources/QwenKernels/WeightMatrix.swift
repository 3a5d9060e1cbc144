import CQwenKernels

/// How the elements of a weight matrix are stored in memory.
public enum WeightFormat: String, Sendable, CaseIterable {
    case f32
    case f16
    case bf16

    /// Bytes taken by one element.
    public var bytesPerElement: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        }
    }
}

/// A read-only, row-major weight matrix in PyTorch `Linear` layout: `rows` output features,
/// each a contiguous run of `columns` input features.
///
/// The memory is owned elsewhere (usually a memory-mapped weights file) and must outlive
/// the matrix.
///
/// ```swift
/// let w = WeightMatrix(base: pointer, format: .bf16, rows: 896, columns: 896)
/// ```
public struct WeightMatrix: @unchecked Sendable {
    public let base: UnsafeRawPointer
    public let format: WeightFormat
    public let rows: Int
    public let columns: Int

    public init(base: UnsafeRawPointer, format: WeightFormat, rows: Int, columns: Int) {
        self.base = base
        self.format = format
        self.rows = rows
        self.columns = columns
    }

    /// Bytes of one row.
    public var rowStride: Int { columns * format.bytesPerElement }
}

extension WeightMatrix {
    /// The matrix as the C kernels take it.
    var cMatrix: qk_matrix {
        let format: qk_format = switch self.format {
        case .f32: QK_FORMAT_F32
        case .f16: QK_FORMAT_F16
        case .bf16: QK_FORMAT_BF16
        }
        return qk_matrix(base: base, format: format, rows: rows, columns: columns)
    }
}
