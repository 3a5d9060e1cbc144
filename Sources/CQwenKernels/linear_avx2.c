// AVX2 + FMA + F16C linear layers: the same two kernels as linear_avx512.c on 8-lane vectors.
#include "kernels_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#define QK_ALWAYS_INLINE static inline __attribute__((always_inline))

QK_ALWAYS_INLINE __m256 qk_convert_weights(__m128i halves, const int format) {
    if (format == QK_FORMAT_F16) return _mm256_cvtph_ps(halves);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(halves), 16));
}

/// 8 consecutive weights starting at element c of `row`, as float32.
QK_ALWAYS_INLINE __m256 qk_load_weights(const void *row, size_t c, const int format) {
    if (format == QK_FORMAT_F32) return _mm256_loadu_ps((const float *)row + c);
    return qk_convert_weights(_mm_loadu_si128((const __m128i *)((const uint16_t *)row + c)), format);
}

/// The first `count` (< 8) weights from element c, zero-padded.
QK_ALWAYS_INLINE __m256 qk_load_weights_partial(const void *row, size_t c, size_t count, const int format) {
    if (format == QK_FORMAT_F32) {
        float buffer[8] = {0};
        memcpy(buffer, (const float *)row + c, count * sizeof(float));
        return _mm256_loadu_ps(buffer);
    }
    uint16_t buffer[8] = {0};
    memcpy(buffer, (const uint16_t *)row + c, count * sizeof(uint16_t));
    return qk_convert_weights(_mm_loadu_si128((const __m128i *)buffer), format);
}

QK_ALWAYS_INLINE __m256 qk_load_partial(const float *x, size_t count) {
    float buffer[8] = {0};
    memcpy(buffer, x, count * sizeof(float));
    return _mm256_loadu_ps(buffer);
}

QK_ALWAYS_INLINE float qk_reduce(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// MARK: - Matrix-vector (one activation row)

QK_ALWAYS_INLINE void qk_gemv_rows4(const float *x, qk_matrix w, size_t r, const float *bias, float *y,
                                    const int format) {
    const size_t columns = w.columns;
    const void *w0 = qk_row_pointer(w, r), *w1 = qk_row_pointer(w, r + 1);
    const void *w2 = qk_row_pointer(w, r + 2), *w3 = qk_row_pointer(w, r + 3);
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps(), b2 = _mm256_setzero_ps(), b3 = _mm256_setzero_ps();
    size_t c = 0;
    for (; c + 16 <= columns; c += 16) {
        __m256 xa = _mm256_loadu_ps(x + c), xb = _mm256_loadu_ps(x + c + 8);
        a0 = _mm256_fmadd_ps(xa, qk_load_weights(w0, c, format), a0);
        a1 = _mm256_fmadd_ps(xa, qk_load_weights(w1, c, format), a1);
        a2 = _mm256_fmadd_ps(xa, qk_load_weights(w2, c, format), a2);
        a3 = _mm256_fmadd_ps(xa, qk_load_weights(w3, c, format), a3);
        b0 = _mm256_fmadd_ps(xb, qk_load_weights(w0, c + 8, format), b0);
        b1 = _mm256_fmadd_ps(xb, qk_load_weights(w1, c + 8, format), b1);
        b2 = _mm256_fmadd_ps(xb, qk_load_weights(w2, c + 8, format), b2);
        b3 = _mm256_fmadd_ps(xb, qk_load_weights(w3, c + 8, format), b3);
    }
    for (; c + 8 <= columns; c += 8) {
        __m256 xa = _mm256_loadu_ps(x + c);
        a0 = _mm256_fmadd_ps(xa, qk_load_weights(w0, c, format), a0);
        a1 = _mm256_fmadd_ps(xa, qk_load_weights(w1, c, format), a1);
        a2 = _mm256_fmadd_ps(xa, qk_load_weights(w2, c, format), a2);
        a3 = _mm256_fmadd_ps(xa, qk_load_weights(w3, c, format), a3);
    }
    if (c < columns) {
        const size_t rest = columns - c;
        __m256 xa = qk_load_partial(x + c, rest);
        a0 = _mm256_fmadd_ps(xa, qk_load_weights_partial(w0, c, rest, format), a0);
        a1 = _mm256_fmadd_ps(xa, qk_load_weights_partial(w1, c, rest, format), a1);
        a2 = _mm256_fmadd_ps(xa, qk_load_weights_partial(w2, c, rest, format), a2);
        a3 = _mm256_fmadd_ps(xa, qk_load_weights_partial(w3, c, rest, format), a3);
    }
    float s0 = qk_reduce(_mm256_add_ps(a0, b0)), s1 = qk_reduce(_mm256_add_ps(a1, b1));
    float s2 = qk_reduce(_mm256_add_ps(a2, b2)), s3 = qk_reduce(_mm256_add_ps(a3, b3));
    if (bias) {
        s0 += bias[r], s1 += bias[r + 1], s2 += bias[r + 2], s3 += bias[r + 3];
    }
    y[r] = s0, y[r + 1] = s1, y[r + 2] = s2, y[r + 3] = s3;
}

/// y[r] for one weight row, streamed with four accumulators.
QK_ALWAYS_INLINE void qk_gemv_row(const float *x, qk_matrix w, size_t r, const float *bias, float *y,
                                  const int format) {
    const void *row = qk_row_pointer(w, r);
    __m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps(), d = _mm256_setzero_ps(), e = _mm256_setzero_ps();
    size_t c = 0;
    for (; c + 32 <= w.columns; c += 32) {
        a = _mm256_fmadd_ps(_mm256_loadu_ps(x + c), qk_load_weights(row, c, format), a);
        b = _mm256_fmadd_ps(_mm256_loadu_ps(x + c + 8), qk_load_weights(row, c + 8, format), b);
        d = _mm256_fmadd_ps(_mm256_loadu_ps(x + c + 16), qk_load_weights(row, c + 16, format), d);
        e = _mm256_fmadd_ps(_mm256_loadu_ps(x + c + 24), qk_load_weights(row, c + 24, format), e);
    }
    for (; c + 8 <= w.columns; c += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(x + c), qk_load_weights(row, c, format), a);
    if (c < w.columns) {
        const size_t rest = w.columns - c;
        a = _mm256_fmadd_ps(qk_load_partial(x + c, rest), qk_load_weights_partial(row, c, rest, format), a);
    }
    float sum = qk_reduce(_mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(d, e)));
    y[r] = bias ? sum + bias[r] : sum;
}

/// y[m, r] for `mx` (2...4) activation rows and one weight row, which is streamed once.
QK_ALWAYS_INLINE void qk_gemv_row_batch(const int mx, const float *x, qk_matrix w, size_t r, const float *bias,
                                        float *y, const int format) {
    const size_t columns = w.columns;
    const void *row = qk_row_pointer(w, r);
    __m256 acc[4][2];
    for (int m = 0; m < mx; m++) acc[m][0] = acc[m][1] = _mm256_setzero_ps();
    size_t c = 0;
    for (; c + 16 <= columns; c += 16) {
        const __m256 w0 = qk_load_weights(row, c, format), w1 = qk_load_weights(row, c + 8, format);
        for (int m = 0; m < mx; m++) {
            acc[m][0] = _mm256_fmadd_ps(_mm256_loadu_ps(x + m * columns + c), w0, acc[m][0]);
            acc[m][1] = _mm256_fmadd_ps(_mm256_loadu_ps(x + m * columns + c + 8), w1, acc[m][1]);
        }
    }
    for (; c < columns; c += 8) {
        const size_t rest = columns - c < 8 ? columns - c : 8;
        const __m256 w0 = rest == 8 ? qk_load_weights(row, c, format) : qk_load_weights_partial(row, c, rest, format);
        for (int m = 0; m < mx; m++)
            acc[m][0] = _mm256_fmadd_ps(qk_load_partial(x + m * columns + c, rest), w0, acc[m][0]);
    }
    for (int m = 0; m < mx; m++) {
        const float sum = qk_reduce(_mm256_add_ps(acc[m][0], acc[m][1]));
        y[m * w.rows + r] = bias ? sum + bias[r] : sum;
    }
}

/// Row order as in linear_avx512.c: float32 rows four at a time, 16-bit rows one at a time.
QK_ALWAYS_INLINE void qk_gemv(const float *x, qk_matrix w, const float *bias, size_t row_begin, size_t row_end,
                              float *y, const int format) {
    size_t r = row_begin;
    if (format == QK_FORMAT_F32)
        for (; r + 4 <= row_end; r += 4) qk_gemv_rows4(x, w, r, bias, y, format);
    for (; r < row_end; r++) qk_gemv_row(x, w, r, bias, y, format);
}

/// A few activation rows (batched decoding): stream each weight row once for all of them.
QK_ALWAYS_INLINE void qk_gemv_batch(const float *x, size_t x_rows, qk_matrix w, const float *bias,
                                    size_t row_begin, size_t row_end, float *y, const int format) {
    for (size_t r = row_begin; r < row_end; r++) {
        switch (x_rows) {
        case 2: qk_gemv_row_batch(2, x, w, r, bias, y, format); break;
        case 3: qk_gemv_row_batch(3, x, w, r, bias, y, format); break;
        default: qk_gemv_row_batch(4, x, w, r, bias, y, format); break;
        }
    }
}

// MARK: - Matrix-matrix (several activation rows)

enum {
    QK_MR = 6,    ///< activation rows per register tile
    QK_NR = 16,   ///< weight rows per packed panel (two vectors)
    QK_KC = 256,  ///< columns per packed panel: 16 KiB of float32
};

/// Transposes the 8×8 block v (v[i] is row i) in registers: afterwards v[i] is column i.
QK_ALWAYS_INLINE void qk_transpose8(__m256 v[8]) {
    __m256 t[8], s[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(v[2 * i], v[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(v[2 * i], v[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) {
        s[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        s[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        s[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        s[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int c = 0; c < 4; c++) {
        v[c] = _mm256_permute2f128_ps(s[c], s[c + 4], 0x20);
        v[c + 4] = _mm256_permute2f128_ps(s[c], s[c + 4], 0x31);
    }
}

/// panel[k * NR + j] = W[r + j, k0 + k] as float32 for j < nr (zero for nr <= j < NR), k < kc
/// (rounded up to 8, the extra columns zero).
QK_ALWAYS_INLINE void qk_pack_panel(qk_matrix w, size_t r, size_t nr, size_t k0, size_t kc, float *panel,
                                    const int format) {
    for (size_t half = 0; half < QK_NR; half += 8) {
        for (size_t k = 0; k < kc; k += 8) {
            __m256 v[8];
            for (size_t j = 0; j < 8; j++) {
                const void *row = qk_row_pointer(w, r + half + j);
                v[j] = half + j >= nr ? _mm256_setzero_ps()
                       : k + 8 <= kc  ? qk_load_weights(row, k0 + k, format)
                                      : qk_load_weights_partial(row, k0 + k, kc - k, format);
            }
            qk_transpose8(v);
            for (size_t c = 0; c < 8; c++) _mm256_store_ps(panel + (k + c) * QK_NR + half, v[c]);
        }
    }
}

/// Lanes i < count set.
QK_ALWAYS_INLINE __m256i qk_lane_mask(size_t count) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(count > 8 ? 8 : count)), lanes);
}

/// y[0..<mr, 0..<nr] (row stride ldy) (+)= x[0..<mr, 0..<kc] (row stride ldx) · panelᵀ.
/// The first column block starts from the bias (or zero); later blocks add to y.
QK_ALWAYS_INLINE void qk_micro_kernel(const int mr, const float *x, size_t ldx, const float *panel, size_t kc,
                                      float *y, size_t ldy, size_t nr, const float *bias, int first) {
    __m256 acc[QK_MR][2];
    const __m256i mask0 = qk_lane_mask(nr), mask1 = qk_lane_mask(nr > 8 ? nr - 8 : 0);
    for (int i = 0; i < mr; i++) {
        if (first) {
            acc[i][0] = bias ? _mm256_maskload_ps(bias, mask0) : _mm256_setzero_ps();
            acc[i][1] = bias ? _mm256_maskload_ps(bias + 8, mask1) : _mm256_setzero_ps();
        } else {
            acc[i][0] = _mm256_maskload_ps(y + i * ldy, mask0);
            acc[i][1] = _mm256_maskload_ps(y + i * ldy + 8, mask1);
        }
    }
    for (size_t k = 0; k < kc; k++) {
        const __m256 b0 = _mm256_load_ps(panel + k * QK_NR), b1 = _mm256_load_ps(panel + k * QK_NR + 8);
        for (int i = 0; i < mr; i++) {
            const __m256 a = _mm256_broadcast_ss(x + i * ldx + k);
            acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < mr; i++) {
        _mm256_maskstore_ps(y + i * ldy, mask0, acc[i][0]);
        _mm256_maskstore_ps(y + i * ldy + 8, mask1, acc[i][1]);
    }
}

static void qk_micro_kernel_any(size_t mr, const float *x, size_t ldx, const float *panel, size_t kc, float *y,
                                size_t ldy, size_t nr, const float *bias, int first) {
    switch (mr) {
#define QK_CASE(n) \
    case n: qk_micro_kernel(n, x, ldx, panel, kc, y, ldy, nr, bias, first); break;
        QK_CASE(1) QK_CASE(2) QK_CASE(3) QK_CASE(4) QK_CASE(5) QK_CASE(6)
#undef QK_CASE
    default: break;
    }
}

#define QK_PANEL_ALIGN 32
#define QK_ISA_NAME(name) name##_avx2
#include "linear_driver.h"

void qk_matrix_row_avx2(qk_matrix w, size_t row, float *y) {
    const void *source = qk_row_pointer(w, row);
    size_t c = 0;
    for (; c + 8 <= w.columns; c += 8) {
        switch (w.format) {
        case QK_FORMAT_F16: _mm256_storeu_ps(y + c, qk_load_weights(source, c, QK_FORMAT_F16)); break;
        case QK_FORMAT_BF16: _mm256_storeu_ps(y + c, qk_load_weights(source, c, QK_FORMAT_BF16)); break;
        default: _mm256_storeu_ps(y + c, qk_load_weights(source, c, QK_FORMAT_F32)); break;
        }
    }
    for (; c < w.columns; c++) y[c] = qk_element(source, w.format, c);
}

#pragma clang attribute pop
#endif
