// Quantized linear layers with AVX2: signed bytes multiplied with _mm256_maddubs_epi16 after the
// sign trick (|w| as unsigned, x with w's sign), pairs summed with _mm256_madd_epi16.
#include "quant_internal.h"

#include <math.h>

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

/// The largest |x| of the 8·n floats at x.
static inline float qk_max_magnitude(const float *x, int n) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    for (int i = 0; i < n; i++) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 8 * i)));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    return _mm_cvtss_f32(_mm_max_ss(h, _mm_movehdup_ps(h)));
}

/// The 32 floats at x times `scale`, rounded to nearest with ties to even (nearbyintf's rounding),
/// capped at 127, stored as 32 bytes at out and left in q (lane l of q[i] is value 8i + l).
static inline void qk_round32(const float *x, __m256 scale, int8_t *out, __m256i q[4]) {
    for (int i = 0; i < 4; i++)
        q[i] = _mm256_min_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * i), scale)), _mm256_set1_epi32(127));
    const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
    _mm256_storeu_si256((__m256i *)out, _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
}

static inline int32_t qk_hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    return _mm_cvtsi128_si32(_mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1)));
}

/// qk_quantize_q8a (quant_blocks.c) on 256-bit vectors, with the same results.
void qk_quantize_q8a_avx2(const float *x, size_t columns, qk_block_q8a *out) {
    for (size_t b = 0; b < columns / QK_BLOCK; b++, x += QK_BLOCK) {
        const float amax = qk_max_magnitude(x, 4);
        const float d = amax / 127.0f, inverse = amax != 0 ? 127.0f / amax : 0.0f;
        __m256i q[4];
        qk_round32(x, _mm256_set1_ps(inverse), out[b].qs, q);
        const int32_t sum = qk_hsum_epi32(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3])));
        out[b].d = qk_f16_to_f32(qk_f32_to_f16(d));
        out[b].sum = qk_f16_to_f32(qk_f32_to_f16((float)sum * d));
        out[b].q_sum = sum;
    }
}

/// qk_quantize_q8k (quant_blocks.c) on 256-bit vectors, with the same results.
void qk_quantize_q8k_avx2(const float *x, size_t columns, qk_block_q8k *out) {
    for (size_t b = 0; b < columns / QK_SUPER; b++, x += QK_SUPER) {
        const float amax = qk_max_magnitude(x, QK_SUPER / 8);
        if (amax == 0) {
            memset(&out[b], 0, sizeof out[b]);
            continue;
        }
        int j = 0;
        while (fabsf(x[j]) != amax) j++;
        const float inverse = -127.0f / x[j];
        for (int k = 0; k < QK_SUPER / 32; k++) {
            __m256i q[4];
            qk_round32(x + 32 * k, _mm256_set1_ps(inverse), out[b].qs + 32 * k, q);
            out[b].sums[2 * k] = (int16_t)qk_hsum_epi32(_mm256_add_epi32(q[0], q[1]));
            out[b].sums[2 * k + 1] = (int16_t)qk_hsum_epi32(_mm256_add_epi32(q[2], q[3]));
        }
        out[b].d = 1.0f / inverse;
    }
}

#pragma clang attribute pop
#endif
