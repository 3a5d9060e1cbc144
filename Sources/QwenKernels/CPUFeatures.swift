import CQwenKernels

/// The SIMD features of the running CPU, detected once; kernels pick their path from it.
public struct CPUFeatures: Sendable {
    public let avx2: Bool
    public let fma: Bool
    public let f16c: Bool
    public let avx512f: Bool
    public let avx512bw: Bool
    public let avx512dq: Bool
    public let avx512vl: Bool
    public let avx512vnni: Bool
    public let avx512bf16: Bool

    /// The features of this machine.
    public static let current: CPUFeatures = {
        let f = qk_detect_cpu_features()
        return CPUFeatures(
            avx2: f.avx2 != 0, fma: f.fma != 0, f16c: f.f16c != 0, avx512f: f.avx512f != 0,
            avx512bw: f.avx512bw != 0, avx512dq: f.avx512dq != 0, avx512vl: f.avx512vl != 0,
            avx512vnni: f.avx512vnni != 0, avx512bf16: f.avx512bf16 != 0)
    }()

    /// True when the AVX-512 kernels (F, BW, DQ, VL) can run.
    public var hasAVX512: Bool { avx512f && avx512bw && avx512dq && avx512vl }
    /// True when the AVX2 + FMA + F16C kernels can run.
    public var hasAVX2: Bool { avx2 && fma && f16c }
}
