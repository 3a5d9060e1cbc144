// AVX-512 elementwise kernels (norm, activation, residual, softmax) and the two halves of
// attention (scores, weighted sum of values).
#include "quant_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "avx512_target.h"
#include <math.h>

QK_AVX512_BEGIN("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,f16c")

#define QK_ALWAYS_INLINE static inline __attribute__((always_inline))

QK_ALWAYS_INLINE __mmask16 qk_mask(size_t remaining) {
    return remaining >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << remaining) - 1);
}

/// e^x to within 2 ulp (Cephes expf polynomial on x - n·ln2, scaled by 2^n).
QK_ALWAYS_INLINE __m512 qk_exp(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-104.0f)), _mm512_set1_ps(89.0f));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n);
}

void qk_rms_norm_avx512(const float *x, const float *weight, float epsilon, size_t n, float *y) {
    const __m512 inverse = _mm512_set1_ps(qk_rms_inverse(x, n, epsilon));
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 mask = qk_mask(n - i);
        const __m512 a = _mm512_maskz_loadu_ps(mask, x + i);
        _mm512_mask_storeu_ps(y + i, mask, _mm512_mul_ps(_mm512_mul_ps(a, inverse), _mm512_maskz_loadu_ps(mask, weight + i)));
    }
}

void qk_silu_multiply_avx512(float *gate, const float *up, size_t n) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 mask = qk_mask(n - i);
        const __m512 g = _mm512_maskz_loadu_ps(mask, gate + i);
        const __m512 silu = _mm512_div_ps(g, _mm512_add_ps(one, qk_exp(_mm512_sub_ps(_mm512_setzero_ps(), g))));
        _mm512_mask_storeu_ps(gate + i, mask, _mm512_mul_ps(silu, _mm512_maskz_loadu_ps(mask, up + i)));
    }
}

void qk_add_avx512(const float *y, float *x, size_t n) {
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 mask = qk_mask(n - i);
        _mm512_mask_storeu_ps(x + i, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, x + i), _mm512_maskz_loadu_ps(mask, y + i)));
    }
}

void qk_softmax_avx512(float *x, size_t n) {
    if (n == 0) return;
    __m512 maximum = _mm512_set1_ps(-INFINITY);
    for (size_t i = 0; i < n; i += 16)
        maximum = _mm512_max_ps(maximum, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), qk_mask(n - i), x + i));
    const __m512 shift = _mm512_set1_ps(_mm512_reduce_max_ps(maximum));
    __m512 sum = _mm512_setzero_ps();
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 mask = qk_mask(n - i);
        const __m512 e = _mm512_maskz_mov_ps(mask, qk_exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, x + i), shift)));
        _mm512_mask_storeu_ps(x + i, mask, e);
        sum = _mm512_add_ps(sum, e);
    }
    const __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 mask = qk_mask(n - i);
        _mm512_mask_storeu_ps(x + i, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, x + i), inverse));
    }
}

/// Sums of 16 vectors: lane i of the result is the sum of the lanes of v[i].
QK_ALWAYS_INLINE __m512 qk_reduce16(__m512 v[16]) {
    // Each step halves the vector count, pairing lanes so that sums of v[i] stay in lanes
    // that end up at index i.
    __m512 a[8], b[4], c[2];
    for (int i = 0; i < 8; i++)
        a[i] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]), _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]));
    // a[i] lane 4L + {0,1,2,3}: partial sums of v[2i], v[2i+1], v[2i], v[2i+1] over lane L.
    for (int i = 0; i < 4; i++) {
        const __m512d x = _mm512_castps_pd(a[2 * i]), y = _mm512_castps_pd(a[2 * i + 1]);
        b[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)), _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
    }
    // b[i] lane 4L + j: partial sum of v[4i + j] over 128-bit lane L.
    for (int i = 0; i < 2; i++)
        c[i] = _mm512_add_ps(_mm512_shuffle_f32x4(b[2 * i], b[2 * i + 1], 0x88),
                             _mm512_shuffle_f32x4(b[2 * i], b[2 * i + 1], 0xDD));
    // c[i] 128-bit lanes 0, 1: halves of the sums of v[8i..<8i+4]; lanes 2, 3: of v[8i+4..<8i+8].
    return _mm512_add_ps(_mm512_shuffle_f32x4(c[0], c[1], 0x88), _mm512_shuffle_f32x4(c[0], c[1], 0xDD));
}

/// Values d..<d + 16 of a cached key or value row of `format`: float32 under `mask`, float16
/// converted with F16C, Q8_0 int8 converted and scaled by their block's float16 scale (F16 and
/// Q8_0 rows are padded to whole 64-value strips, so their loads need no mask).
QK_ALWAYS_INLINE __m512 qk_kv_load(const void *row, size_t d, __mmask16 mask, qk_format format) {
    switch (format) {
    case QK_FORMAT_F16: return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)((const uint16_t *)row + d)));
    case QK_FORMAT_Q8_0: {
        const qk_block_q8_0 *block = (const qk_block_q8_0 *)row + d / QK_BLOCK;
        const __m512 q = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(block->qs + d % QK_BLOCK))));
        return _mm512_mul_ps(q, _mm512_set1_ps(_cvtsh_ss(block->d)));
    }
    default: return _mm512_maskz_loadu_ps(mask, (const float *)row + d);
    }
}

QK_ALWAYS_INLINE void qk_scores(qk_format format, const float *q, const char *keys, size_t row_bytes, size_t count,
                                size_t dim, float scale, float *scores) {
    const __m512 scale_vector = _mm512_set1_ps(scale);
    size_t j = 0;
    for (; j + 16 <= count; j += 16) {
        const char *k = keys + j * row_bytes;
        __m512 acc[16];
        for (int i = 0; i < 16; i++) acc[i] = _mm512_setzero_ps();
        for (size_t d = 0; d < dim; d += 16) {
            const __mmask16 mask = qk_mask(dim - d);
            const __m512 qv = _mm512_maskz_loadu_ps(mask, q + d);
            for (int i = 0; i < 16; i++) acc[i] = _mm512_fmadd_ps(qv, qk_kv_load(k + i * row_bytes, d, mask, format), acc[i]);
        }
        _mm512_storeu_ps(scores + j, _mm512_mul_ps(qk_reduce16(acc), scale_vector));
    }
    for (; j < count; j++) {
        const char *k = keys + j * row_bytes;
        __m512 a = _mm512_setzero_ps();
        for (size_t d = 0; d < dim; d += 16) {
            const __mmask16 mask = qk_mask(dim - d);
            a = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, q + d), qk_kv_load(k, d, mask, format), a);
        }
        scores[j] = _mm512_reduce_add_ps(a) * scale;
    }
}

void qk_attention_scores_avx512(qk_format format, const float *q, const void *keys, size_t row_bytes, size_t count,
                                size_t dim, float scale, float *scores) {
    QK_KV_SPECIALIZE(format, qk_scores, q, keys, row_bytes, count, dim, scale, scores)
}

QK_ALWAYS_INLINE void qk_mix(qk_format format, const float *p, const char *values, size_t row_bytes, size_t count,
                             size_t dim, float *out) {
    for (size_t d = 0; d < dim; d += 64) {
        const __mmask16 m0 = qk_mask(dim - d);
        const __mmask16 m1 = dim > d + 16 ? qk_mask(dim - d - 16) : 0;
        const __mmask16 m2 = dim > d + 32 ? qk_mask(dim - d - 32) : 0;
        const __mmask16 m3 = dim > d + 48 ? qk_mask(dim - d - 48) : 0;
        // Two sets of accumulators over even and odd positions keep eight FMA chains in flight.
        __m512 a0 = _mm512_maskz_loadu_ps(m0, out + d), a1 = _mm512_maskz_loadu_ps(m1, out + d + 16);
        __m512 a2 = _mm512_maskz_loadu_ps(m2, out + d + 32), a3 = _mm512_maskz_loadu_ps(m3, out + d + 48);
        __m512 b0 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps(), b2 = _mm512_setzero_ps(), b3 = _mm512_setzero_ps();
        size_t j = 0;
        for (; j + 2 <= count; j += 2) {
            const char *v = values + j * row_bytes, *u = v + row_bytes;
            const __m512 pv = _mm512_set1_ps(p[j]), pu = _mm512_set1_ps(p[j + 1]);
            a0 = _mm512_fmadd_ps(pv, qk_kv_load(v, d, m0, format), a0);
            a1 = _mm512_fmadd_ps(pv, qk_kv_load(v, d + 16, m1, format), a1);
            a2 = _mm512_fmadd_ps(pv, qk_kv_load(v, d + 32, m2, format), a2);
            a3 = _mm512_fmadd_ps(pv, qk_kv_load(v, d + 48, m3, format), a3);
            b0 = _mm512_fmadd_ps(pu, qk_kv_load(u, d, m0, format), b0);
            b1 = _mm512_fmadd_ps(pu, qk_kv_load(u, d + 16, m1, format), b1);
            b2 = _mm512_fmadd_ps(pu, qk_kv_load(u, d + 32, m2, format), b2);
            b3 = _mm512_fmadd_ps(pu, qk_kv_load(u, d + 48, m3, format), b3);
        }
        if (j < count) {
            const char *v = values + j * row_bytes;
            const __m512 pv = _mm512_set1_ps(p[j]);
            a0 = _mm512_fmadd_ps(pv, qk_kv_load(v, d, m0, format), a0);
            a1 = _mm512_fmadd_ps(pv, qk_kv_load(v, d + 16, m1, format), a1);
            a2 = _mm512_fmadd_ps(pv, qk_kv_load(v, d + 32, m2, format), a2);
            a3 = _mm512_fmadd_ps(pv, qk_kv_load(v, d + 48, m3, format), a3);
        }
        _mm512_mask_storeu_ps(out + d, m0, _mm512_add_ps(a0, b0));
        _mm512_mask_storeu_ps(out + d + 16, m1, _mm512_add_ps(a1, b1));
        _mm512_mask_storeu_ps(out + d + 32, m2, _mm512_add_ps(a2, b2));
        _mm512_mask_storeu_ps(out + d + 48, m3, _mm512_add_ps(a3, b3));
    }
}

void qk_attention_mix_avx512(qk_format format, const float *p, const void *values, size_t row_bytes, size_t count,
                             size_t dim, float *out) {
    QK_KV_SPECIALIZE_CODED(format, qk_mix, p, values, row_bytes, count, dim, out)
}

/// The AVX2 kernel: llama.cpp's float32 attention order is its AVX2 build's here too.
void qk_attention_mix_lanes_avx512(const float *p, size_t p_stride, const float *values, size_t row_floats,
                                   size_t first, size_t count, size_t dim, size_t lanes, size_t heads, float *out,
                                   size_t out_stride) {
    qk_attention_mix_lanes_avx2(p, p_stride, values, row_floats, first, count, dim, lanes, heads, out, out_stride);
}

QK_AVX512_END
#endif
