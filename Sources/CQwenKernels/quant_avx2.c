// Quantized linear layers with AVX2: signed bytes multiplied with _mm256_maddubs_epi16 after the
// sign trick (|w| as unsigned, x with w's sign), pairs summed with _mm256_madd_epi16.
#include "quant_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

typedef __m256i qk_ivec;
typedef __m256 qk_fvec;

/// Σ a·b of 32 unsigned bytes a with 32 signed bytes b, in the lanes QK_DOT32 uses.
static inline qk_ivec qk_dot_unsigned(__m256i a, __m256i b) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), _mm256_set1_epi16(1));
}
#include "quant_ymm.h"
#define QK_ISA_NAME(name) name##_avx2

// Nibble products stay in int16 until a block's end: 8 pairs of 15 · 127 fit.
static inline __m256i QK_X8_NIBBLES_ADD(__m256i s, __m256i u, __m256i x) {
    return _mm256_add_epi16(s, _mm256_maddubs_epi16(u, x));
}
static inline __m256i QK_X8_NIBBLES_TOTAL(__m256i s) { return _mm256_madd_epi16(s, _mm256_set1_epi16(1)); }
static inline __m256i QK_X8_BYTES_ADD(__m256i s, __m256i u, __m256i x) {
    return _mm256_add_epi32(s, qk_dot_unsigned(u, x));
}
#include "quant_x8_ymm.h"

#include "quant_dot.h"

#pragma clang attribute pop
#endif
