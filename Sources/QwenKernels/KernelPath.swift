import CQwenKernels

/// The instruction-set implementation a kernel call runs on.
///
/// Every kernel takes a `path` argument that defaults to ``best``; tests pass each
/// ``supported`` path explicitly to check that all of them agree.
///
/// ```swift
/// for path in KernelPath.supported {
///     Kernels.add(y, to: x, count: n, path: path)
/// }
/// ```
public enum KernelPath: String, Sendable, CaseIterable {
    /// Plain C, for any CPU (and the reference the vector paths are tested against).
    case portable
    /// x86-64 with AVX2, FMA and F16C.
    case avx2
    /// x86-64 with AVX-512 F, BW, DQ and VL.
    case avx512

    /// The fastest path this CPU supports.
    public static let best: KernelPath = supported.last ?? .portable

    /// The paths this CPU can run, slowest first.
    public static let supported: [KernelPath] = allCases.filter(\.isSupported)

    /// True when the running CPU has the instructions this path needs.
    public var isSupported: Bool {
        #if arch(x86_64)
        switch self {
        case .portable: true
        case .avx2: CPUFeatures.current.hasAVX2
        case .avx512: CPUFeatures.current.hasAVX512 && CPUFeatures.current.hasAVX2
        }
        #else
        self == .portable
        #endif
    }

    var isa: qk_isa {
        switch self {
        case .portable: QK_ISA_PORTABLE
        case .avx2: QK_ISA_AVX2
        case .avx512: QK_ISA_AVX512
        }
    }
}
