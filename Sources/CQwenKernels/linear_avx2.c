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

/// The first `count` (< 8) 16-bit values from `values`, zero-padded.
QK_ALWAYS_INLINE __m128i qk_load_halves_partial(const uint16_t *values, size_t count) {
    uint16_t buffer[8] = {0};
    memcpy(buffer, values, count * sizeof(uint16_t));
    return _mm_loadu_si128((const __m128i *)buffer);
}

/// The first `count` (< 8) weights from element c, zero-padded.
QK_ALWAYS_INLINE __m256 qk_load_weights_partial(const void *row, size_t c, size_t count, const int format) {
    if (format == QK_FORMAT_F32) {
        float buffer[8] = {0};
        memcpy(buffer, (const float *)row + c, count * sizeof(float));
        return _mm256_loadu_ps(buffer);
    }
    return qk_convert_weights(qk_load_halves_partial((const uint16_t *)row + c, count), format);
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

// MARK: - Row kernels (decoding: up to QK_ROW_KERNEL_LIMIT activation rows)

enum {
    QK_PREFETCH_AHEAD = 768,  ///< weights (elements) a row kernel prefetches ahead of its loads
    QK_DOT_MR = 2,  ///< activation rows per tile
    QK_DOT_NR = 2,  ///< weight rows per tile (16 vector registers hold 2 × 2 × 2 accumulators)
};

/// y[i, r + j] = x[i] · W[r + j] (+ bias[r + j]) for i < mr, j < nr, as in linear_avx512.c: every
/// output sums the first and the second 8 columns of each 16 in its own 8-lane accumulators (a tail
/// of 8, then a partial one, into the first), adds them, reduces, then adds the bias — the same steps
/// whatever the tile, so a row's result does not depend on the rows computed beside it.
QK_ALWAYS_INLINE void qk_dot_tile(const int mr, const int nr, const float *x, size_t ldx, qk_matrix w, size_t r,
                                  const float *bias, float *y, size_t ldy, const int format) {
    const size_t columns = w.columns;
    const void *rows[QK_DOT_NR];
    for (int j = 0; j < nr; j++) rows[j] = qk_row_pointer(w, r + j);
    __m256 first[QK_DOT_MR][QK_DOT_NR], second[QK_DOT_MR][QK_DOT_NR];
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) first[i][j] = second[i][j] = _mm256_setzero_ps();
    size_t c = 0;
    for (; c + 16 <= columns; c += 16) {
        // The weights stream from memory: asking for them 1.5 KiB ahead keeps more of the stream in
        // flight than the hardware prefetcher alone (one Zen 3 core, 151936 × 896 F16: 15.4 -> 18 GB/s).
        for (int j = 0; j < nr; j++)
            _mm_prefetch((const char *)rows[j] + (c + QK_PREFETCH_AHEAD) * qk_format_size((qk_format)format), _MM_HINT_T0);
        __m256 xa[QK_DOT_MR], xb[QK_DOT_MR];
        for (int i = 0; i < mr; i++) xa[i] = _mm256_loadu_ps(x + i * ldx + c), xb[i] = _mm256_loadu_ps(x + i * ldx + c + 8);
        for (int j = 0; j < nr; j++) {
            const __m256 wa = qk_load_weights(rows[j], c, format), wb = qk_load_weights(rows[j], c + 8, format);
            for (int i = 0; i < mr; i++) {
                first[i][j] = _mm256_fmadd_ps(xa[i], wa, first[i][j]);
                second[i][j] = _mm256_fmadd_ps(xb[i], wb, second[i][j]);
            }
        }
    }
    for (; c < columns; c += 8) {
        const size_t rest = columns - c < 8 ? columns - c : 8;
        __m256 xa[QK_DOT_MR];
        for (int i = 0; i < mr; i++) xa[i] = rest == 8 ? _mm256_loadu_ps(x + i * ldx + c) : qk_load_partial(x + i * ldx + c, rest);
        for (int j = 0; j < nr; j++) {
            const __m256 wa = rest == 8 ? qk_load_weights(rows[j], c, format) : qk_load_weights_partial(rows[j], c, rest, format);
            for (int i = 0; i < mr; i++) first[i][j] = _mm256_fmadd_ps(xa[i], wa, first[i][j]);
        }
    }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) {
            const float sum = qk_reduce(_mm256_add_ps(first[i][j], second[i][j]));
            y[i * ldy + r + j] = bias ? sum + bias[r + j] : sum;
        }
}

/// qk_dot_tile for any tile of up to QK_DOT_MR × QK_DOT_NR.
QK_ALWAYS_INLINE void qk_dot_tile_any(size_t mr, size_t nr, const float *x, size_t ldx, qk_matrix w, size_t r,
                                      const float *bias, float *y, size_t ldy, const int format) {
    if (mr == 1) {
        if (nr == 1) qk_dot_tile(1, 1, x, ldx, w, r, bias, y, ldy, format);
        else qk_dot_tile(1, 2, x, ldx, w, r, bias, y, ldy, format);
    } else {
        if (nr == 1) qk_dot_tile(2, 1, x, ldx, w, r, bias, y, ldy, format);
        else qk_dot_tile(2, 2, x, ldx, w, r, bias, y, ldy, format);
    }
}

// MARK: - Matrix-matrix (several activation rows)

enum {
    QK_MR = 6,    ///< activation rows per register tile
    QK_NR = 16,   ///< weight rows per packed panel (two vectors)
    QK_KC = 256,  ///< float32 columns per packed panel (16 KiB)
    QK_MC = 256,  ///< activation rows per block: their 256 KiB stay in L2 while every panel passes
};

/// Columns per packed panel of `format`: 16-bit panels hold twice QK_KC in the same 16 KiB, half as
/// many micro-kernel calls and output reloads (1.5B F16, 512-token prefill, 6 alternating runs:
/// faster in 5, median 59.7 -> 61.6 tok/s).
#define QK_PANEL_COLUMNS(format) ((format) == QK_FORMAT_F32 ? QK_KC : 2 * QK_KC)

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

/// Transposes the 8×8 block of 16-bit values v (v[i] is row i) in registers: afterwards v[i] is column i.
QK_ALWAYS_INLINE void qk_transpose8_epi16(__m128i v[8]) {
    __m128i a[8], b[8];
    for (int i = 0; i < 4; i++) {
        a[2 * i] = _mm_unpacklo_epi16(v[2 * i], v[2 * i + 1]);
        a[2 * i + 1] = _mm_unpackhi_epi16(v[2 * i], v[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) {
        b[4 * i] = _mm_unpacklo_epi32(a[4 * i], a[4 * i + 2]);
        b[4 * i + 1] = _mm_unpackhi_epi32(a[4 * i], a[4 * i + 2]);
        b[4 * i + 2] = _mm_unpacklo_epi32(a[4 * i + 1], a[4 * i + 3]);
        b[4 * i + 3] = _mm_unpackhi_epi32(a[4 * i + 1], a[4 * i + 3]);
    }
    for (int c = 0; c < 4; c++) {
        v[2 * c] = _mm_unpacklo_epi64(b[c], b[c + 4]);
        v[2 * c + 1] = _mm_unpackhi_epi64(b[c], b[c + 4]);
    }
}

/// panel[k * NR + j] = W[r + j, k0 + k] for j < nr (zero for nr <= j < NR), k < kc (rounded up to 8,
/// the extra columns zero): float32 values for F32 weights; for F16 and BF16 the 16-bit values
/// themselves, which the micro-kernel converts as it loads them. Half the bytes to write, and
/// to hold in L1, as a float32 panel (1.5B F16 shapes, 512 rows, 2 threads: 1.03–1.1× the speed).
QK_ALWAYS_INLINE void qk_pack_panel(qk_matrix w, size_t r, size_t nr, size_t k0, size_t kc, float *panel,
                                    const int format) {
    for (size_t half = 0; half < QK_NR; half += 8) {
        for (size_t k = 0; k < kc; k += 8) {
            if (format == QK_FORMAT_F32) {
                __m256 v[8];
                for (size_t j = 0; j < 8; j++) {
                    const void *row = qk_row_pointer(w, r + half + j);
                    v[j] = half + j >= nr ? _mm256_setzero_ps()
                           : k + 8 <= kc  ? qk_load_weights(row, k0 + k, format)
                                          : qk_load_weights_partial(row, k0 + k, kc - k, format);
                }
                qk_transpose8(v);
                for (size_t c = 0; c < 8; c++) _mm256_store_ps(panel + (k + c) * QK_NR + half, v[c]);
            } else {
                __m128i v[8];
                for (size_t j = 0; j < 8; j++) {
                    const uint16_t *row = (const uint16_t *)qk_row_pointer(w, r + half + j) + k0 + k;
                    v[j] = half + j >= nr ? _mm_setzero_si128()
                           : k + 8 <= kc  ? _mm_loadu_si128((const __m128i *)row)
                                          : qk_load_halves_partial(row, kc - k);
                }
                qk_transpose8_epi16(v);
                uint16_t *halves = (uint16_t *)panel;
                for (size_t c = 0; c < 8; c++) _mm_store_si128((__m128i *)(halves + (k + c) * QK_NR + half), v[c]);
            }
        }
    }
}

/// Lanes i < count set.
QK_ALWAYS_INLINE __m256i qk_lane_mask(size_t count) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(count > 8 ? 8 : count)), lanes);
}

/// Loads (or stores) a row of up to 16 outputs: plain vector moves for a whole row (`nr` is a
/// constant QK_NR there), masked ones for the last, partial panel (masked moves are slow on AMD cores:
/// the 4864 × 896 × 512 product ran 38.5 -> 41.8 GMAC/s on one Zen 3 core without them).
QK_ALWAYS_INLINE void qk_load_outputs(const float *row, size_t nr, __m256 out[2]) {
    if (nr == QK_NR) {
        out[0] = _mm256_loadu_ps(row), out[1] = _mm256_loadu_ps(row + 8);
    } else {
        out[0] = _mm256_maskload_ps(row, qk_lane_mask(nr));
        out[1] = _mm256_maskload_ps(row + 8, qk_lane_mask(nr > 8 ? nr - 8 : 0));
    }
}
QK_ALWAYS_INLINE void qk_store_outputs(float *row, size_t nr, const __m256 out[2]) {
    if (nr == QK_NR) {
        _mm256_storeu_ps(row, out[0]), _mm256_storeu_ps(row + 8, out[1]);
    } else {
        _mm256_maskstore_ps(row, qk_lane_mask(nr), out[0]);
        _mm256_maskstore_ps(row + 8, qk_lane_mask(nr > 8 ? nr - 8 : 0), out[1]);
    }
}

/// 8 values of a panel qk_pack_panel packed for `format` from element `index`, as float32.
QK_ALWAYS_INLINE __m256 qk_load_panel(const float *panel, size_t index, const int format) {
    if (format == QK_FORMAT_F32) return _mm256_load_ps(panel + index);
    return qk_convert_weights(_mm_load_si128((const __m128i *)((const uint16_t *)panel + index)), format);
}

/// y[0..<mr, 0..<nr] (row stride ldy) (+)= x[0..<mr, 0..<kc] (row stride ldx) · panelᵀ, the panel
/// packed for weights of `format`.
/// The first column block starts from the bias (or zero); later blocks add to y. The outputs and
/// the first activations of the next tile down (the driver's next call) are prefetched: its output
/// rows are 19 KiB apart and usually out of cache (41.8 -> 43.2 GMAC/s, 4864 × 896 × 512, one core).
QK_ALWAYS_INLINE void qk_micro_kernel(const int mr, const float *x, size_t ldx, const float *panel, size_t kc,
                                      float *y, size_t ldy, size_t nr, const float *bias, int first, const int format) {
    for (int i = 0; i < QK_MR; i++) {
        const char *next_y = (const char *)(y + (QK_MR + i) * ldy), *next_x = (const char *)(x + (QK_MR + i) * ldx);
        _mm_prefetch(next_y, _MM_HINT_T0), _mm_prefetch(next_y + 60, _MM_HINT_T0);
        _mm_prefetch(next_x, _MM_HINT_T0), _mm_prefetch(next_x + 64, _MM_HINT_T0);
    }
    __m256 acc[QK_MR][2];
    for (int i = 0; i < mr; i++) {
        if (!first) qk_load_outputs(y + i * ldy, nr, acc[i]);
        else if (bias) qk_load_outputs(bias, nr, acc[i]);
        else acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    }
    for (size_t k = 0; k < kc; k++) {
        const __m256 b0 = qk_load_panel(panel, k * QK_NR, format), b1 = qk_load_panel(panel, k * QK_NR + 8, format);
        for (int i = 0; i < mr; i++) {
            const __m256 a = _mm256_broadcast_ss(x + i * ldx + k);
            acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < mr; i++) qk_store_outputs(y + i * ldy, nr, acc[i]);
}

QK_ALWAYS_INLINE void qk_micro_kernel_rows(size_t mr, const float *x, size_t ldx, const float *panel, size_t kc,
                                           float *y, size_t ldy, size_t nr, const float *bias, int first, const int format) {
    switch (mr) {
#define QK_CASE(n)                                                                                 \
    case n:                                                                                        \
        if (nr == QK_NR) qk_micro_kernel(n, x, ldx, panel, kc, y, ldy, QK_NR, bias, first, format); \
        else qk_micro_kernel(n, x, ldx, panel, kc, y, ldy, nr, bias, first, format);               \
        break;
        QK_CASE(1) QK_CASE(2) QK_CASE(3) QK_CASE(4) QK_CASE(5) QK_CASE(6)
#undef QK_CASE
    default: break;
    }
}

static void qk_micro_kernel_any(size_t mr, const float *x, size_t ldx, const float *panel, size_t kc, float *y,
                                size_t ldy, size_t nr, const float *bias, int first, qk_format format) {
    switch (format) {
    case QK_FORMAT_F16: qk_micro_kernel_rows(mr, x, ldx, panel, kc, y, ldy, nr, bias, first, QK_FORMAT_F16); break;
    case QK_FORMAT_BF16: qk_micro_kernel_rows(mr, x, ldx, panel, kc, y, ldy, nr, bias, first, QK_FORMAT_BF16); break;
    default: qk_micro_kernel_rows(mr, x, ldx, panel, kc, y, ldy, nr, bias, first, QK_FORMAT_F32); break;
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
