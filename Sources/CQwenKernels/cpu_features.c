#include "CQwenKernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

static uint64_t qk_xgetbv0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

qk_cpu_features qk_detect_cpu_features(void) {
    qk_cpu_features f = {0};
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    int osxsave = (c >> 27) & 1;
    if (!osxsave) return f;
    uint64_t xcr0 = qk_xgetbv0();
    int ymm_ok = (xcr0 & 0x6) == 0x6;
    int zmm_ok = (xcr0 & 0xE6) == 0xE6;
    f.fma = ymm_ok && ((c >> 12) & 1);
    f.f16c = ymm_ok && ((c >> 29) & 1);
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
    f.avx2 = ymm_ok && ((b >> 5) & 1);
    f.avx512f = zmm_ok && ((b >> 16) & 1);
    f.avx512bw = zmm_ok && ((b >> 30) & 1);
    f.avx512dq = zmm_ok && ((b >> 17) & 1);
    f.avx512vl = zmm_ok && ((b >> 31) & 1);
    f.avx512vnni = zmm_ok && ((c >> 11) & 1);
    if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avx512bf16 = zmm_ok && ((a >> 5) & 1);
#ifdef QK_EMULATE_AVX512
    // A test build whose AVX-512 kernels run on emulated intrinsics (avx512_target.h): any AVX2 host can run them.
    f.avx512f = f.avx512bw = f.avx512dq = f.avx512vl = f.avx512vnni = f.avx2 && f.fma && f.f16c;
#endif
    return f;
}
#else
qk_cpu_features qk_detect_cpu_features(void) {
    qk_cpu_features f = {0};
    return f;
}
#endif
