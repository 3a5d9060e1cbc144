import QwenKernels

/// How one decode step of many sequences is split into forward passes: at most
/// ``Kernels/batchInvariantRowLimit`` rows each, the limit up to which the kernels compute every
/// row exactly as alone, so that no sequence's result depends on the others of its step.
enum DecodePasses {
    /// The sequences (indices `0..<count`, in order) of each pass.
    static func ranges(count: Int) -> [Range<Int>] {
        stride(from: 0, to: count, by: Kernels.batchInvariantRowLimit).map {
            $0..<min($0 + Kernels.batchInvariantRowLimit, count)
        }
    }
}
