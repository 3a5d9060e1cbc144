// AVX2 + FMA elementwise kernels and attention halves: vector_avx512.c on 8-lane vectors.
#include "quant_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#include <math.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#define QK_ALWAYS_INLINE static inline __attribute__((always_inline))

/// Lanes i < remaining set (all 8 when remaining >= 8).
QK_ALWAYS_INLINE __m256i qk_mask(size_t remaining) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(remaining > 8 ? 8 : remaining)), lanes);
}

QK_ALWAYS_INLINE float qk_reduce_add(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

QK_ALWAYS_INLINE float qk_reduce_max(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// e^x to within 2 ulp (Cephes expf polynomial on x - n·ln2, scaled by 2^n in two steps so
/// that results in the subnormal range and up to overflow come out right).
QK_ALWAYS_INLINE __m256 qk_exp(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-104.0f)), _mm256_set1_ps(89.0f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i half = _mm256_srai_epi32(ni, 1);
    const __m256i bias = _mm256_set1_epi32(127);
    const __m256 scale1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
    const __m256 scale2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, half), bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, scale1), scale2);
}

void qk_rms_norm_avx2(const float *x, const float *weight, float epsilon, size_t n, float *y) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
        s0 = _mm256_fmadd_ps(a, a, s0);
        s1 = _mm256_fmadd_ps(b, b, s1);
    }
    for (; i < n; i += 8) {
        const __m256 a = _mm256_maskload_ps(x + i, qk_mask(n - i));
        s0 = _mm256_fmadd_ps(a, a, s0);
    }
    const float sum = qk_reduce_add(_mm256_add_ps(s0, s1));
    const __m256 inverse = _mm256_set1_ps(1.0f / sqrtf(sum / (float)n + epsilon));
    for (i = 0; i < n; i += 8) {
        const __m256i mask = qk_mask(n - i);
        const __m256 a = _mm256_maskload_ps(x + i, mask);
        _mm256_maskstore_ps(y + i, mask, _mm256_mul_ps(_mm256_mul_ps(a, inverse), _mm256_maskload_ps(weight + i, mask)));
    }
}

void qk_silu_multiply_avx2(float *gate, const float *up, size_t n) {
    const __m256 one = _mm256_set1_ps(1.0f);
    for (size_t i = 0; i < n; i += 8) {
        const __m256i mask = qk_mask(n - i);
        const __m256 g = _mm256_maskload_ps(gate + i, mask);
        const __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, qk_exp(_mm256_sub_ps(_mm256_setzero_ps(), g))));
        _mm256_maskstore_ps(gate + i, mask, _mm256_mul_ps(silu, _mm256_maskload_ps(up + i, mask)));
    }
}

void qk_add_avx2(const float *y, float *x, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
        const __m256i mask = qk_mask(n - i);
        _mm256_maskstore_ps(x + i, mask, _mm256_add_ps(_mm256_maskload_ps(x + i, mask), _mm256_maskload_ps(y + i, mask)));
    }
}

void qk_softmax_avx2(float *x, size_t n) {
    if (n == 0) return;
    const __m256 negative_infinity = _mm256_set1_ps(-INFINITY);
    __m256 maximum = negative_infinity;
    for (size_t i = 0; i < n; i += 8) {
        const __m256i mask = qk_mask(n - i);
        const __m256 v = _mm256_blendv_ps(negative_infinity, _mm256_maskload_ps(x + i, mask), _mm256_castsi256_ps(mask));
        maximum = _mm256_max_ps(maximum, v);
    }
    const __m256 shift = _mm256_set1_ps(qk_reduce_max(maximum));
    __m256 sum = _mm256_setzero_ps();
    for (size_t i = 0; i < n; i += 8) {
        const __m256i mask = qk_mask(n - i);
        const __m256 e = _mm256_and_ps(qk_exp(_mm256_sub_ps(_mm256_maskload_ps(x + i, mask), shift)), _mm256_castsi256_ps(mask));
        _mm256_maskstore_ps(x + i, mask, e);
        sum = _mm256_add_ps(sum, e);
    }
    const __m256 inverse = _mm256_set1_ps(1.0f / qk_reduce_add(sum));
    for (size_t i = 0; i < n; i += 8) {
        const __m256i mask = qk_mask(n - i);
        _mm256_maskstore_ps(x + i, mask, _mm256_mul_ps(_mm256_maskload_ps(x + i, mask), inverse));
    }
}

/// The scale of value d of a cached row: its block's float16 scale for Q8_0, 1 for float rows.
QK_ALWAYS_INLINE float qk_kv_scale(const void *row, size_t d, qk_format format) {
    return format == QK_FORMAT_Q8_0 ? _cvtsh_ss(((const qk_block_q8_0 *)row)[d / QK_BLOCK].d) : 1.0f;
}

/// Values d..<d + 8 of a cached key or value row of `format`, before qk_kv_scale: float32 under
/// `mask`, float16 converted with F16C, Q8_0 int8 converted (F16 and Q8_0 rows are padded to whole
/// 64-value strips, so their loads need no mask).
QK_ALWAYS_INLINE __m256 qk_kv_load_unscaled(const void *row, size_t d, __m256i mask, qk_format format) {
    switch (format) {
    case QK_FORMAT_F16: return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)row + d)));
    case QK_FORMAT_Q8_0: {
        const int8_t *codes = ((const qk_block_q8_0 *)row)[d / QK_BLOCK].qs + d % QK_BLOCK;
        return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)codes)));
    }
    default: return _mm256_maskload_ps((const float *)row + d, mask);
    }
}

/// Values d..<d + 8 of a cached key or value row of `format`, converted to float32.
QK_ALWAYS_INLINE __m256 qk_kv_load(const void *row, size_t d, __m256i mask, qk_format format) {
    const __m256 v = qk_kv_load_unscaled(row, d, mask, format);
    return format == QK_FORMAT_Q8_0 ? _mm256_mul_ps(v, _mm256_set1_ps(qk_kv_scale(row, d, format))) : v;
}

QK_ALWAYS_INLINE void qk_scores(qk_format format, const float *q, const char *keys, size_t row_bytes, size_t count,
                                size_t dim, float scale, float *scores) {
    size_t j = 0;
    for (; format == QK_FORMAT_Q8_0 && j + 4 <= count; j += 4) {
        // Per block of 32: the four products of unscaled codes, then one multiply-add by the scale.
        const char *k = keys + j * row_bytes;
        __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
        for (size_t b = 0; b < dim; b += QK_BLOCK) {
            __m256 qv[4];
            for (int c = 0; c < 4; c++) {
                const size_t d = b + 8 * (size_t)c;
                qv[c] = _mm256_maskload_ps(q + d, qk_mask(d < dim ? dim - d : 0));
            }
            for (int i = 0; i < 4; i++) {
                const char *row = k + (size_t)i * row_bytes;
                __m256 block = _mm256_mul_ps(qv[0], qk_kv_load_unscaled(row, b, qk_mask(0), format));
                for (int c = 1; c < 4; c++)
                    block = _mm256_fmadd_ps(qv[c], qk_kv_load_unscaled(row, b + 8 * (size_t)c, qk_mask(0), format), block);
                acc[i] = _mm256_fmadd_ps(block, _mm256_set1_ps(qk_kv_scale(row, b, format)), acc[i]);
            }
        }
        for (int i = 0; i < 4; i++) scores[j + (size_t)i] = qk_reduce_add(acc[i]) * scale;
    }
    for (; j + 4 <= count; j += 4) {
        const char *k = keys + j * row_bytes;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        for (size_t d = 0; d < dim; d += 8) {
            const __m256i mask = qk_mask(dim - d);
            const __m256 qv = _mm256_maskload_ps(q + d, mask);
            a0 = _mm256_fmadd_ps(qv, qk_kv_load(k, d, mask, format), a0);
            a1 = _mm256_fmadd_ps(qv, qk_kv_load(k + row_bytes, d, mask, format), a1);
            a2 = _mm256_fmadd_ps(qv, qk_kv_load(k + 2 * row_bytes, d, mask, format), a2);
            a3 = _mm256_fmadd_ps(qv, qk_kv_load(k + 3 * row_bytes, d, mask, format), a3);
        }
        scores[j] = qk_reduce_add(a0) * scale;
        scores[j + 1] = qk_reduce_add(a1) * scale;
        scores[j + 2] = qk_reduce_add(a2) * scale;
        scores[j + 3] = qk_reduce_add(a3) * scale;
    }
    for (; j < count; j++) {
        const char *k = keys + j * row_bytes;
        __m256 a = _mm256_setzero_ps();
        for (size_t d = 0; d < dim; d += 8) {
            const __m256i mask = qk_mask(dim - d);
            a = _mm256_fmadd_ps(_mm256_maskload_ps(q + d, mask), qk_kv_load(k, d, mask, format), a);
        }
        scores[j] = qk_reduce_add(a) * scale;
    }
}

void qk_attention_scores_avx2(qk_format format, const float *q, const void *keys, size_t row_bytes, size_t count,
                              size_t dim, float scale, float *scores) {
    QK_KV_SPECIALIZE(format, qk_scores, q, keys, row_bytes, count, dim, scale, scores)
}

QK_ALWAYS_INLINE void qk_mix(qk_format format, const float *p, const char *values, size_t row_bytes, size_t count,
                             size_t dim, float *out) {
    for (size_t d = 0; d < dim; d += 32) {
        const __m256i m0 = qk_mask(dim - d);
        const __m256i m1 = qk_mask(dim > d + 8 ? dim - d - 8 : 0);
        const __m256i m2 = qk_mask(dim > d + 16 ? dim - d - 16 : 0);
        const __m256i m3 = qk_mask(dim > d + 24 ? dim - d - 24 : 0);
        __m256 a0 = _mm256_maskload_ps(out + d, m0), a1 = _mm256_maskload_ps(out + d + 8, m1);
        __m256 a2 = _mm256_maskload_ps(out + d + 16, m2), a3 = _mm256_maskload_ps(out + d + 24, m3);
        // The 32 values of a strip share one Q8_0 block (d is a multiple of 32): its scale goes into
        // the weight.
        for (size_t j = 0; j < count; j++) {
            const char *v = values + j * row_bytes;
            const __m256 weight = _mm256_set1_ps(p[j] * qk_kv_scale(v, d, format));
            a0 = _mm256_fmadd_ps(weight, qk_kv_load_unscaled(v, d, m0, format), a0);
            a1 = _mm256_fmadd_ps(weight, qk_kv_load_unscaled(v, d + 8, m1, format), a1);
            a2 = _mm256_fmadd_ps(weight, qk_kv_load_unscaled(v, d + 16, m2, format), a2);
            a3 = _mm256_fmadd_ps(weight, qk_kv_load_unscaled(v, d + 24, m3, format), a3);
        }
        _mm256_maskstore_ps(out + d, m0, a0);
        _mm256_maskstore_ps(out + d + 8, m1, a1);
        _mm256_maskstore_ps(out + d + 16, m2, a2);
        _mm256_maskstore_ps(out + d + 24, m3, a3);
    }
}

void qk_attention_mix_avx2(qk_format format, const float *p, const void *values, size_t row_bytes, size_t count,
                           size_t dim, float *out) {
    QK_KV_SPECIALIZE(format, qk_mix, p, values, row_bytes, count, dim, out)
}

#pragma clang attribute pop
#endif
