// Under QK_EMULATE_AVX512 only (see avx512_target.h): the AVX-512 intrinsics the kernels use,
// from SIMDe (Debian's libsimde-dev) with its native names, plus the few this SIMDe release lacks,
// built from its 256-bit ones or element by element from Intel's definitions. The result runs the
// AVX-512 kernels, slowly but with the same arithmetic, on any AVX2 host, so their tests run where
// AVX-512 is missing.
#ifndef QK_AVX512_EMULATION_H
#define QK_AVX512_EMULATION_H

// 512-bit vectors pass between these inline functions without AVX-512's calling convention: one
// translation unit, one convention, so the warning does not apply.
#pragma clang diagnostic ignored "-Wpsabi"
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#include <simde/x86/f16c.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float qk_emu_cvtsh_ss(unsigned short h) {
    return simde_mm_cvtss_f32(simde_mm_cvtph_ps(simde_mm_cvtsi32_si128(h)));
}
#define _cvtsh_ss(h) qk_emu_cvtsh_ss(h)

// The widening conversions from SIMDe's 256-bit ones, half by half.
static inline simde__m512 qk_emu_join_ps(simde__m256 low, simde__m256 high) {
    return simde_mm512_insertf32x8(simde_mm512_castps256_ps512(low), high, 1);
}
static inline simde__m512i qk_emu_join_epi32(simde__m256i low, simde__m256i high) {
    return simde_mm512_inserti64x4(simde_mm512_castsi256_si512(low), high, 1);
}
static inline simde__m256 qk_emu_high_ps(simde__m512 a) {
    return simde_mm256_castpd_ps(simde_mm512_extractf64x4_pd(simde_mm512_castps_pd(a), 1));
}
#define _mm512_cvtepu16_epi32(a)                                                                    \
    qk_emu_join_epi32(simde_mm256_cvtepu16_epi32(simde_mm256_castsi256_si128(a)),                   \
                      simde_mm256_cvtepu16_epi32(simde_mm256_extracti128_si256(a, 1)))
#define _mm512_cvtph_ps(a) \
    qk_emu_join_ps(simde_mm256_cvtph_ps(simde_mm256_castsi256_si128(a)), simde_mm256_cvtph_ps(simde_mm256_extracti128_si256(a, 1)))

// Masked loads and stores element by element: element i (of `size` bytes) moves where bit i of k is set.
static inline void qk_emu_masked_copy(void *to, const void *from, unsigned k, int count, size_t size) {
    for (int i = 0; i < count; i++)
        if (k >> i & 1) memcpy((char *)to + size * i, (const char *)from + size * i, size);
}

static inline simde__m256i qk_emu_mm256_maskz_loadu_epi16(simde__mmask16 k, const void *p) {
    uint16_t v[16] = {0};
    qk_emu_masked_copy(v, p, k, 16, 2);
    return simde_mm256_loadu_si256(v);
}
#define _mm256_maskz_loadu_epi16(k, p) qk_emu_mm256_maskz_loadu_epi16(k, p)

static inline simde__m512 qk_emu_mm512_maskz_loadu_ps(simde__mmask16 k, const void *p) {
    float v[16] = {0};
    qk_emu_masked_copy(v, p, k, 16, 4);
    return simde_mm512_loadu_ps(v);
}
#define _mm512_maskz_loadu_ps(k, p) qk_emu_mm512_maskz_loadu_ps(k, p)

static inline void qk_emu_mm512_mask_storeu_ps(void *p, simde__mmask16 k, simde__m512 a) {
    float v[16];
    simde_mm512_storeu_ps(v, a);
    qk_emu_masked_copy(p, v, k, 16, 4);
}
#define _mm512_mask_storeu_ps(p, k, a) qk_emu_mm512_mask_storeu_ps(p, k, a)

static inline simde__m512 qk_emu_mm512_shuffle_f32x4(simde__m512 a, simde__m512 b, int imm8) {
    float x[16], y[16], r[16];
    simde_mm512_storeu_ps(x, a);
    simde_mm512_storeu_ps(y, b);
    for (int i = 0; i < 4; i++) memcpy(&r[4 * i], (i < 2 ? x : y) + 4 * (imm8 >> (2 * i) & 3), 16);
    return simde_mm512_loadu_ps(r);
}
#undef _mm512_shuffle_f32x4
#define _mm512_shuffle_f32x4(a, b, imm8) qk_emu_mm512_shuffle_f32x4(a, b, imm8)

// Fused, as the instructions are (SIMDe's portable multiply-adds round twice).
static inline simde__m256 qk_emu_mm256_fmadd_ps(simde__m256 a, simde__m256 b, simde__m256 c) {
    float x[8], y[8], z[8];
    simde_mm256_storeu_ps(x, a);
    simde_mm256_storeu_ps(y, b);
    simde_mm256_storeu_ps(z, c);
    for (int i = 0; i < 8; i++) z[i] = fmaf(x[i], y[i], z[i]);
    return simde_mm256_loadu_ps(z);
}
#undef _mm256_fmadd_ps
#define _mm256_fmadd_ps(a, b, c) qk_emu_mm256_fmadd_ps(a, b, c)

static inline simde__m512 qk_emu_mm512_fmadd_ps(simde__m512 a, simde__m512 b, simde__m512 c) {
    return qk_emu_join_ps(
        qk_emu_mm256_fmadd_ps(simde_mm512_castps512_ps256(a), simde_mm512_castps512_ps256(b), simde_mm512_castps512_ps256(c)),
        qk_emu_mm256_fmadd_ps(qk_emu_high_ps(a), qk_emu_high_ps(b), qk_emu_high_ps(c)));
}
#undef _mm512_fmadd_ps
#define _mm512_fmadd_ps(a, b, c) qk_emu_mm512_fmadd_ps(a, b, c)

// The sum in the order clang's header gives it: halves added pairwise, 16 -> 8 -> 4 -> 2 -> 1.
static inline float qk_emu_mm512_reduce_add_ps(simde__m512 a) {
    float v[16];
    simde_mm512_storeu_ps(v, a);
    for (int width = 8; width >= 1; width /= 2)
        for (int i = 0; i < width; i++) v[i] += v[i + width];
    return v[0];
}
#define _mm512_reduce_add_ps(a) qk_emu_mm512_reduce_add_ps(a)

#endif
