import QwenKernels
import Testing

@Suite struct CPUFeaturesTests {
    @Test func avx512ImpliesAVX2OnX86() {
        let cpu = CPUFeatures.current
        #if arch(x86_64)
        if cpu.hasAVX512 { #expect(cpu.avx2 && cpu.fma) }
        #else
        #expect(!cpu.hasAVX512)
        #endif
    }
}
