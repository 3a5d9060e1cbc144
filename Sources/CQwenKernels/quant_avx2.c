// Quantized linear layers with AVX2: signed bytes multiplied with _mm256_maddubs_epi16 after the
// sign trick (|w| as unsigned, x with w's sign), pairs summed with _mm256_madd_epi16.
#include "quant_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

typedef __m256i qk_ivec;
typedef __m256 qk_fvec;

static inline qk_ivec QK_DOT32(const int8_t *w, const int8_t *x) {
    const __m256i a = _mm256_loadu_si256((const __m256i *)w);
    const __m256i b = _mm256_loadu_si256((const __m256i *)x);
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
    return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
}
static inline qk_ivec QK_SCALE2(qk_ivec v, int first, int second) {
    return _mm256_mullo_epi32(v, _mm256_setr_epi32(first, first, first, first, second, second, second, second));
}
static inline qk_ivec QK_IADD(qk_ivec a, qk_ivec b) { return _mm256_add_epi32(a, b); }
static inline qk_ivec QK_IZERO(void) { return _mm256_setzero_si256(); }
static inline qk_fvec QK_FZERO(void) { return _mm256_setzero_ps(); }
static inline qk_fvec QK_FMA(qk_fvec acc, qk_ivec v, float scale) {
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(v), _mm256_set1_ps(scale), acc);
}
static inline float QK_FSUM(qk_fvec acc) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
static inline float QK_F16(uint16_t h) { return _cvtsh_ss(h); }
#define QK_ISA_NAME(name) name##_avx2

#include "quant_dot.h"

#pragma clang attribute pop
#endif
