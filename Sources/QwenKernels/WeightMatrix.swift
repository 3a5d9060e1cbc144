import CQwenKernels
import Dispatch

/// How the elements of a weight matrix are stored in memory: plain floats, or ggml's block
/// quantization (a row is a run of blocks of ``blockSize`` values, ``blockByteCount`` bytes each).
public enum WeightFormat: String, Sendable, CaseIterable {
    case f32
    case f16
    case bf16
    /// 32 values: a float16 scale and 32 int8.
    case q8_0
    /// 32 values: a float16 scale and 32 4-bit values offset by 8.
    case q4_0
    /// 32 values: float16 scale and minimum, 32 4-bit values.
    case q4_1
    /// 32 values: a float16 scale and 32 5-bit values offset by 16.
    case q5_0
    /// 256 values: float16 scales of 6-bit group scales and minimums, 4-bit values.
    case q4_K
    /// 256 values: a float16 scale, int8 scales per 16 values, 6-bit values offset by 32.
    case q6_K

    /// Values per block (1 for the float formats).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: 1
        case .q8_0, .q4_0, .q4_1, .q5_0: 32
        case .q4_K, .q6_K: 256
        }
    }

    /// Bytes of one block (of one element for the float formats).
    public var blockByteCount: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .q8_0: 34
        case .q4_0: 18
        case .q4_1: 20
        case .q5_0: 22
        case .q4_K: 144
        case .q6_K: 210
        }
    }

    /// True for the block-quantized formats.
    public var isQuantized: Bool { blockSize > 1 }

    /// Bytes taken by one element of a float format (the alignment a matrix of it needs);
    /// for quantized formats, the 2-byte alignment of their float16 scales.
    public var bytesPerElement: Int { isQuantized ? 2 : blockByteCount }

    /// Bytes of a row of `columns` values; `columns` must be a multiple of ``blockSize``.
    public func rowByteCount(columns: Int) -> Int { columns / blockSize * blockByteCount }
}

/// A read-only weight matrix in PyTorch `Linear` layout: `rows` output features, each a
/// contiguous run of `columns` input features — or, for an interleaved matrix (quantized formats but Q4_1, see
/// ``interleaved(into:)``), each 8 rows stored together block by block.
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
    /// True when each 8 rows are interleaved block by block (the layout ``interleaved(into:)`` writes).
    public let isInterleaved: Bool

    public init(base: UnsafeRawPointer, format: WeightFormat, rows: Int, columns: Int, isInterleaved: Bool = false) {
        self.base = base
        self.format = format
        self.rows = rows
        self.columns = columns
        self.isInterleaved = isInterleaved
    }

    /// Bytes of one row (for an interleaved matrix, an eighth of a group of 8 rows).
    public var rowStride: Int { format.rowByteCount(columns: columns) }

    /// Bytes of the whole matrix.
    public var byteCount: Int { rows * rowStride }

    /// True when ``interleaved(into:)`` applies: a row-major quantized matrix (any format but Q4_1) of a
    /// multiple of 8 rows.
    public var canInterleave: Bool {
        !isInterleaved && format.isQuantized && format != .q4_1 && rows % Int(QK_INTERLEAVE_ROWS) == 0
    }

    /// Copies the matrix to `destination` (``byteCount`` bytes) with each 8 rows interleaved block by
    /// block, the layout of the fastest quantized kernels: one vector load carries a slice of all 8
    /// rows, and the 8 rows' sums come out together (one thread, AVX2, one activation row: Q4_0 3.7×,
    /// Q8_0 2.2×, Q4_K 2.1×, Q6_K 1.7×, Q5_0 1.45× the row-by-row speed). Results are bit for bit the
    /// row-major ones (llama.cpp's dot products), except Q4_0 — and Q8_0 and Q5_0 in prefill — which
    /// sum each block whole before scaling, as llama.cpp's own repacked Q4_0 does. Requires
    /// ``canInterleave``.
    ///
    /// The copy runs on `threadCount` threads, each on its own rows: writing fresh memory is mostly
    /// the kernel clearing pages, which then happens on every core (1.5B Q8_0, 2 cores, launch to first
    /// token: 3.6–8.0 s on one thread, 2.4–3.6 s on two), and each thread first faults its part's
    /// pages in with one system call (`qk_quant_interleave` calls `qk_prefault_write`) rather than one
    /// fault per page (1.65–3.6 s -> 1.4–1.8 s on two threads).
    public func interleaved(into destination: UnsafeMutableRawPointer, threadCount: Int = 1) -> WeightMatrix {
        precondition(canInterleave, "only row-major quantized matrices (not Q4_1) of a multiple of 8 rows interleave")
        let groups = rows / Int(QK_INTERLEAVE_ROWS), parts = max(1, min(threadCount, groups))
        let source = self
        nonisolated(unsafe) let out = destination
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let begin = groups * part / parts * Int(QK_INTERLEAVE_ROWS)
            let end = groups * (part + 1) / parts * Int(QK_INTERLEAVE_ROWS)
            qk_quant_interleave(source.cMatrix, begin, end, out)
        }
        return WeightMatrix(base: destination, format: format, rows: rows, columns: columns, isInterleaved: true)
    }
}

extension WeightFormat {
    /// The format as the C kernels name it.
    var cFormat: qk_format {
        switch self {
        case .f32: QK_FORMAT_F32
        case .f16: QK_FORMAT_F16
        case .bf16: QK_FORMAT_BF16
        case .q8_0: QK_FORMAT_Q8_0
        case .q4_0: QK_FORMAT_Q4_0
        case .q4_1: QK_FORMAT_Q4_1
        case .q5_0: QK_FORMAT_Q5_0
        case .q4_K: QK_FORMAT_Q4_K
        case .q6_K: QK_FORMAT_Q6_K
        }
    }
}

extension WeightMatrix {
    /// The matrix as the C kernels take it.
    var cMatrix: qk_matrix {
        qk_matrix(base: base, format: isInterleaved ? qk_quant_interleaved_format(format.cFormat) : format.cFormat,
                  rows: rows, columns: columns)
    }
}
