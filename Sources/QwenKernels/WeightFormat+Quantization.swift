import CQwenKernels

/// Why values cannot be quantized to a format.
public enum QuantizationError: Error, CustomStringConvertible, Equatable {
    /// The format is not block-quantized.
    case notQuantized(WeightFormat)
    /// The number of values is not a multiple of the format's block size.
    case partialBlock(format: WeightFormat, count: Int)

    public var description: String {
        switch self {
        case .notQuantized(let format):
            "\(format.rawValue) is not a quantized format"
        case .partialBlock(let format, let count):
            "\(count) values do not fill whole \(format.rawValue) blocks of \(format.blockSize)"
        }
    }
}

extension WeightFormat {
    /// Quantizes `values` to this block format the way ggml's reference quantizers do
    /// (`quantize_row_*_ref`: round to nearest, and the k-quants' scale search), returning the
    /// blocks' bytes. Throws when the format is not quantized or the count is not a multiple of
    /// ``blockSize``.
    ///
    /// ```swift
    /// let bytes = try WeightFormat.q8_0.quantize(row)      // row.count / 32 * 34 bytes
    /// let back = try WeightFormat.q8_0.dequantize(bytes, count: row.count)
    /// ```
    public func quantize(_ values: [Float]) throws -> [UInt8] {
        try checkBlocks(values.count)
        var bytes = [UInt8](repeating: 0, count: rowByteCount(columns: values.count))
        let format = cFormat
        values.withUnsafeBufferPointer { source in
            bytes.withUnsafeMutableBytes { destination in
                guard let x = source.baseAddress, let out = destination.baseAddress else { return }
                qk_quantize_row(format, x, values.count, out)
            }
        }
        return bytes
    }

    /// The `count` values that quantized `bytes` of this format stand for.
    /// Throws when the format is not quantized, `count` is not a multiple of ``blockSize`` or
    /// `bytes` has not exactly the size of `count` values.
    public func dequantize(_ bytes: [UInt8], count: Int) throws -> [Float] {
        try checkBlocks(count)
        guard bytes.count == rowByteCount(columns: count) else {
            throw QuantizationError.partialBlock(format: self, count: count)
        }
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { source in
            values.withUnsafeMutableBufferPointer { destination in
                guard let base = source.baseAddress, let y = destination.baseAddress else { return }
                Kernels.row(0, of: WeightMatrix(base: base, format: self, rows: 1, columns: count), into: y)
            }
        }
        return values
    }

    private func checkBlocks(_ count: Int) throws {
        guard isQuantized else { throw QuantizationError.notQuantized(self) }
        guard count >= 0, count % blockSize == 0 else { throw QuantizationError.partialBlock(format: self, count: count) }
    }
}
