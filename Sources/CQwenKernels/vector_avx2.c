// AVX2 + FMA elementwise kernels and attention halves, in llama.cpp's AVX2 float32 order; the AVX-512
// path runs them too (why: kernels_internal.h).
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

/// The floats x[0..<min(n, 8)], the other lanes zero. Whole vectors take plain loads: masked moves
/// are slow on AMD cores.
QK_ALWAYS_INLINE __m256 qk_load_upto8(const float *x, size_t n) {
    return n >= 8 ? _mm256_loadu_ps(x) : _mm256_maskload_ps(x, qk_mask(n));
}

/// Stores the first min(n, 8) lanes of v at x (plain stores for whole vectors, as qk_load_upto8).
QK_ALWAYS_INLINE void qk_store_upto8(float *x, size_t n, __m256 v) {
    if (n >= 8) _mm256_storeu_ps(x, v);
    else _mm256_maskstore_ps(x, qk_mask(n), v);
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

/// e^x as llama.cpp's AVX2 kernels compute it (the Arm optimized-routines method): with
/// n = round(x / ln 2) and b = x - n·ln 2 (ln 2 in two parts), e^x = 2^n · (1 + p(b)) for a
/// degree-5 polynomial p, the scaling split in two where |n| > 126 so that results near overflow and
/// in the subnormal range come out right (at most 1.5 ulp from the true value). Softmax and SiLU
/// use it, so their results equal llama.cpp's bit for bit on AVX2.
QK_ALWAYS_INLINE __m256 qk_exp(__m256 x) {
    const __m256 shifter = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shifter);
    const __m256 n = _mm256_sub_ps(z, shifter);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f), _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256i exponent = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
    const __m256 scale = _mm256_castsi256_ps(_mm256_add_epi32(exponent, _mm256_castps_si256(_mm256_set1_ps(1))));
    const __m256 magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), n);
    const __m256 large = _mm256_cmp_ps(magnitude, _mm256_set1_ps(126), _CMP_GT_OQ);
    const __m256 b2 = _mm256_mul_ps(b, b);
    const __m256 poly = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), b2,
                        _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
        b2, _mm256_mul_ps(_mm256_set1_ps(0x1.ffffecp-1f), b));
    if (!_mm256_movemask_ps(large)) return _mm256_fmadd_ps(poly, scale, scale);
    // 2^n = s1 · s2 with both factors normal (s1 = 2^±127 or so), or s1² when |n| > 192 (overflow or zero).
    const __m256i negative = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ)),
                                              _mm256_set1_epi32((int)0x82000000u));
    const __m256 s1 = _mm256_castsi256_ps(_mm256_add_epi32(negative, _mm256_set1_epi32(0x7f000000)));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_sub_epi32(exponent, negative));
    const __m256 huge = _mm256_cmp_ps(magnitude, _mm256_set1_ps(192), _CMP_GT_OQ);
    const __m256 split = _mm256_mul_ps(_mm256_fmadd_ps(s2, poly, s2), s1);
    const __m256 normal = _mm256_fmadd_ps(scale, poly, scale);
    return _mm256_blendv_ps(_mm256_blendv_ps(normal, split, large), _mm256_mul_ps(s1, s1), huge);
}

void qk_rms_norm_avx2(const float *x, const float *weight, float epsilon, size_t n, float *y) {
    const __m256 inverse = _mm256_set1_ps(qk_rms_inverse(x, n, epsilon));
    for (size_t i = 0; i < n; i += 8) {
        const __m256 a = qk_load_upto8(x + i, n - i);
        qk_store_upto8(y + i, n - i, _mm256_mul_ps(_mm256_mul_ps(a, inverse), qk_load_upto8(weight + i, n - i)));
    }
}

void qk_silu_multiply_avx2(float *gate, const float *up, size_t n) {
    const __m256 one = _mm256_set1_ps(1.0f);
    for (size_t i = 0; i < n; i += 8) {
        const __m256 g = qk_load_upto8(gate + i, n - i);
        const __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, qk_exp(_mm256_sub_ps(_mm256_setzero_ps(), g))));
        qk_store_upto8(gate + i, n - i, _mm256_mul_ps(silu, qk_load_upto8(up + i, n - i)));
    }
}

void qk_add_avx2(const float *y, float *x, size_t n) {
    for (size_t i = 0; i < n; i += 8) qk_store_upto8(x + i, n - i, _mm256_add_ps(qk_load_upto8(x + i, n - i), qk_load_upto8(y + i, n - i)));
}

void qk_softmax_avx2(float *x, size_t n) {
    if (n == 0) return;
    const __m256 negative_infinity = _mm256_set1_ps(-INFINITY);
    __m256 maximum = negative_infinity;
    for (size_t i = 0; i < n; i += 8) {
        const __m256i tail = qk_mask(n - i);
        const __m256 v = n - i >= 8 ? _mm256_loadu_ps(x + i)
                                    : _mm256_blendv_ps(negative_infinity, _mm256_maskload_ps(x + i, tail), _mm256_castsi256_ps(tail));
        maximum = _mm256_max_ps(maximum, v);
    }
    const __m256 shift = _mm256_set1_ps(qk_reduce_max(maximum));
    // llama.cpp's order: each 8 exponentials summed in float32, those sums in float64, then one
    // float32 reciprocal multiplied in.
    double sum = 0;
    for (size_t i = 0; i < n; i += 8) {
        const __m256 exponential = qk_exp(_mm256_sub_ps(qk_load_upto8(x + i, n - i), shift));
        const __m256 e = n - i >= 8 ? exponential : _mm256_and_ps(exponential, _mm256_castsi256_ps(qk_mask(n - i)));
        qk_store_upto8(x + i, n - i, e);
        sum += (double)qk_reduce_add(e);
    }
    const __m256 inverse = _mm256_set1_ps((float)(1.0 / sum));
    for (size_t i = 0; i < n; i += 8) qk_store_upto8(x + i, n - i, _mm256_mul_ps(qk_load_upto8(x + i, n - i), inverse));
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

/// Σ q·k over `dim` float32 values as ggml's vec_dot_f32 sums it on AVX2: four 8-lane running sums
/// over each 32 values, added (0 + 2) + (1 + 3) (this function, over the first `whole` = dim rounded
/// down to 32 values), the 8 lanes halved and pairwise added (qk_ggml_lane_total or, for 8 dot
/// products at once, qk_ggml_lane_totals8), then any values past the last 32 one by one
/// (qk_dot_f32_tail).
QK_ALWAYS_INLINE __m256 qk_dot_f32_ggml_lanes(const float *q, const float *k, size_t whole) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (size_t d = 0; d < whole; d += 32)
        for (int c = 0; c < 4; c++)
            acc[c] = _mm256_fmadd_ps(_mm256_loadu_ps(q + d + 8 * c), _mm256_loadu_ps(k + d + 8 * c), acc[c]);
    return _mm256_add_ps(_mm256_add_ps(acc[0], acc[2]), _mm256_add_ps(acc[1], acc[3]));
}

/// ggml's reduction of one 8-lane sum: halves added, then pairs: (h0 + h1) + (h2 + h3).
QK_ALWAYS_INLINE float qk_ggml_lane_total(__m256 lanes) {
    const __m128 halves = _mm_add_ps(_mm256_castps256_ps128(lanes), _mm256_extractf128_ps(lanes, 1));
    const __m128 pairs = _mm_hadd_ps(halves, halves);
    return _mm_cvtss_f32(_mm_hadd_ps(pairs, pairs));
}

/// qk_ggml_lane_total of l[0..<8] as lanes 0..<8 of one vector, with the same additions.
QK_ALWAYS_INLINE __m256 qk_ggml_lane_totals8(const __m256 l[8]) {
    __m256 halves[4];  // halves[i] = [halves of l[2i] | halves of l[2i + 1]]
    for (int i = 0; i < 4; i++)
        halves[i] = _mm256_add_ps(_mm256_permute2f128_ps(l[2 * i], l[2 * i + 1], 0x20),
                                  _mm256_permute2f128_ps(l[2 * i], l[2 * i + 1], 0x31));
    // Pairs, then totals: lanes hold sums 0, 2, 4, 6 | 1, 3, 5, 7.
    const __m256 totals = _mm256_hadd_ps(_mm256_hadd_ps(halves[0], halves[1]), _mm256_hadd_ps(halves[2], halves[3]));
    return _mm256_permutevar8x32_ps(totals, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/// sum + q[d]·k[d] for d in whole..<dim, one fused multiply-add at a time.
QK_ALWAYS_INLINE float qk_dot_f32_tail(const float *q, const float *k, size_t whole, size_t dim, float sum) {
    for (size_t d = whole; d < dim; d++) sum = _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(q[d]), _mm_set_ss(k[d]), _mm_set_ss(sum)));
    return sum;
}

QK_ALWAYS_INLINE float qk_dot_f32_ggml(const float *q, const float *k, size_t dim) {
    const size_t whole = dim & ~(size_t)31;
    return qk_dot_f32_tail(q, k, whole, dim, qk_ggml_lane_total(qk_dot_f32_ggml_lanes(q, k, whole)));
}

/// scores[j] = (q · key j) · scale for 8 keys, each summed as qk_dot_f32_ggml (reduced together).
QK_ALWAYS_INLINE void qk_scores_f32_8(const float *q, const char *keys, size_t row_bytes, size_t dim, float scale,
                                      float *scores) {
    const size_t whole = dim & ~(size_t)31;
    __m256 lanes[8];
    for (int i = 0; i < 8; i++) lanes[i] = qk_dot_f32_ggml_lanes(q, (const float *)(keys + (size_t)i * row_bytes), whole);
    const __m256 totals = qk_ggml_lane_totals8(lanes);
    if (whole == dim) {
        _mm256_storeu_ps(scores, _mm256_mul_ps(totals, _mm256_set1_ps(scale)));
        return;
    }
    float sums[8];
    _mm256_storeu_ps(sums, totals);
    for (int i = 0; i < 8; i++)
        scores[i] = qk_dot_f32_tail(q, (const float *)(keys + (size_t)i * row_bytes), whole, dim, sums[i]) * scale;
}

QK_ALWAYS_INLINE void qk_scores(qk_format format, const float *q, const char *keys, size_t row_bytes, size_t count,
                                size_t dim, float scale, float *scores) {
    size_t j = 0;
    if (format == QK_FORMAT_F32) {
        for (; j + 8 <= count; j += 8) qk_scores_f32_8(q, keys + j * row_bytes, row_bytes, dim, scale, scores + j);
        for (; j < count; j++) scores[j] = qk_dot_f32_ggml(q, (const float *)(keys + j * row_bytes), dim) * scale;
        return;
    }
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
    QK_KV_SPECIALIZE_CODED(format, qk_mix, p, values, row_bytes, count, dim, out)
}

/// qk_attention_mix_lanes for H query heads (1-4) at once, on strips of W vectors (H · W <= 8 running
/// sums per lane): each value row's strip is loaded once for all H heads. The value rows are read in
/// order and each lane's running sums kept in L1 (`sums`): read lane by lane instead (rows `lanes`
/// apart, a new page per load when decoding), the kernel took ~30 % longer in a served batch
/// (Benchmarks/RESULTS.md, seventh serving run). Each head's running sums of each lane are then
/// reduced as llama.cpp does: 8 lanes as its tinyBLAS hsum ((0 + 4) + (2 + 6)) + ((1 + 5) + (3 + 7)),
/// 32 as vec_dot_f32 (qk_dot_f32_ggml).
/// Every output's arithmetic is the one-head kernel's, whatever H and W.
QK_ALWAYS_INLINE void qk_mix_lanes_heads(const int H, const int W, const float *p, size_t p_stride, const float *values,
                                         size_t row_floats, size_t first, size_t count, size_t dim, size_t lanes,
                                         float *out, size_t out_stride) {
    float sums[32][64] __attribute__((aligned(32)));  // lane, then head h's vector v at (h · W + v) · 8
    for (size_t d0 = 0; d0 < dim; d0 += 8 * (size_t)W) {
        const size_t width = dim - d0 < 8 * (size_t)W ? dim - d0 : 8 * (size_t)W, vectors = (width + 7) / 8;
        for (size_t lane = 0; lane < lanes; lane++)
            for (int i = 0; i < H * W; i++) _mm256_store_ps(sums[lane] + i * 8, _mm256_setzero_ps());
        size_t next_lane = first % lanes;  // position first + j sums in lane (first + j) % lanes
        for (size_t j = 0; j < count; j++) {
            const float *row = values + j * row_floats + d0;
            __m256 strip[8];
            for (int v = 0; v < W; v++)
                if ((size_t)v < vectors) strip[v] = qk_load_upto8(row + 8 * v, width - 8 * (size_t)v);
            float *sum = sums[next_lane];
            for (int h = 0; h < H; h++) {
                const __m256 weight = _mm256_set1_ps(p[(size_t)h * p_stride + j]);
                for (int v = 0; v < W; v++)
                    if ((size_t)v < vectors) {
                        float *acc = sum + (h * W + v) * 8;
                        _mm256_store_ps(acc, _mm256_fmadd_ps(strip[v], weight, _mm256_load_ps(acc)));
                    }
            }
            if (++next_lane == lanes) next_lane = 0;
        }
        for (int h = 0; h < H; h++)
            for (size_t v = 0; v < vectors; v++) {
                __m256 s[32];
                for (size_t lane = 0; lane < lanes; lane++) s[lane] = _mm256_load_ps(sums[lane] + (h * W + (int)v) * 8);
                __m256 result;
                if (lanes == 8) {
                    __m256 t[4];
                    for (int i = 0; i < 4; i++) t[i] = _mm256_add_ps(s[i + 4], s[i]);
                    result = _mm256_add_ps(_mm256_add_ps(t[0], t[2]), _mm256_add_ps(t[1], t[3]));
                } else {
                    __m256 x[8], t[4];
                    for (int i = 0; i < 8; i++)
                        x[i] = _mm256_add_ps(_mm256_add_ps(s[i], s[16 + i]), _mm256_add_ps(s[8 + i], s[24 + i]));
                    for (int i = 0; i < 4; i++) t[i] = _mm256_add_ps(x[i], x[i + 4]);
                    result = _mm256_add_ps(_mm256_add_ps(t[0], t[1]), _mm256_add_ps(t[2], t[3]));
                }
                qk_store_upto8(out + (size_t)h * out_stride + d0 + 8 * v, width - 8 * v, result);
            }
    }
}

void qk_attention_mix_lanes_avx2(const float *p, size_t p_stride, const float *values, size_t row_floats,
                                 size_t first, size_t count, size_t dim, size_t lanes, size_t heads, float *out,
                                 size_t out_stride) {
    for (size_t h = 0; h < heads;) {
        const size_t left = heads - h, take = left == 5 ? 3 : left > 4 ? 4 : left;  // 7 = 4 + 3, 6 = 4 + 2, 5 = 3 + 2
        const float *ph = p + h * p_stride;
        float *oh = out + h * out_stride;
        switch (take) {
        case 4: qk_mix_lanes_heads(4, 2, ph, p_stride, values, row_floats, first, count, dim, lanes, oh, out_stride); break;
        case 3: qk_mix_lanes_heads(3, 2, ph, p_stride, values, row_floats, first, count, dim, lanes, oh, out_stride); break;
        case 2: qk_mix_lanes_heads(2, 4, ph, p_stride, values, row_floats, first, count, dim, lanes, oh, out_stride); break;
        default: qk_mix_lanes_heads(1, 8, ph, p_stride, values, row_floats, first, count, dim, lanes, oh, out_stride); break;
        }
        h += take;
    }
}

#pragma clang attribute pop
#endif
