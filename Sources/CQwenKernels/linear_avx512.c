// AVX-512 linear layers: row kernels for decoding (a few activation rows, weights streamed once;
// memory-bound) and a packed, register-tiled matrix-matrix kernel for prefill.
#include "kernels_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "avx512_target.h"

QK_AVX512_BEGIN("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,f16c")

#define QK_ALWAYS_INLINE static inline __attribute__((always_inline))

/// 16 consecutive weights starting at element c of `row`, as float32; lanes past `mask` are 0.
QK_ALWAYS_INLINE __m512 qk_load_weights(const void *row, size_t c, __mmask16 mask, const int format) {
    if (format == QK_FORMAT_F32) return _mm512_maskz_loadu_ps(mask, (const float *)row + c);
    __m256i halves = _mm256_maskz_loadu_epi16(mask, (const uint16_t *)row + c);
    if (format == QK_FORMAT_F16) return _mm512_cvtph_ps(halves);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(halves), 16));
}

/// The same without a mask, for full blocks.
QK_ALWAYS_INLINE __m512 qk_load_weights_full(const void *row, size_t c, const int format) {
    if (format == QK_FORMAT_F32) return _mm512_loadu_ps((const float *)row + c);
    __m256i halves = _mm256_loadu_si256((const __m256i *)((const uint16_t *)row + c));
    if (format == QK_FORMAT_F16) return _mm512_cvtph_ps(halves);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(halves), 16));
}

QK_ALWAYS_INLINE __mmask16 qk_tail_mask(size_t remaining) {
    return remaining >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << remaining) - 1);
}

// MARK: - Row kernels (decoding: up to QK_ROW_KERNEL_LIMIT activation rows)

enum {
    QK_DOT_MR = 2,  ///< activation rows per tile
    QK_DOT_NR = 4,  ///< weight rows per tile, each streamed once for the tile's activation rows
};

/// y[i, r + j] = x[i] · W[r + j] (+ bias[r + j]) for i < mr (1...QK_DOT_MR), j < nr (1...QK_DOT_NR).
/// Every output takes the same steps whatever the tile: 16-lane sums over the first and the second
/// 16 columns of each 32 (a shorter tail into the first), added, reduced, then the bias. So a row's
/// result does not depend on the rows computed beside it, and batched decoding equals decoding alone.
QK_ALWAYS_INLINE void qk_dot_tile(const int mr, const int nr, const float *x, size_t ldx, qk_matrix w, size_t r,
                                  const float *bias, float *y, size_t ldy, const int format) {
    const size_t columns = w.columns;
    const void *rows[QK_DOT_NR];
    for (int j = 0; j < nr; j++) rows[j] = qk_row_pointer(w, r + j);
    __m512 first[QK_DOT_MR][QK_DOT_NR], second[QK_DOT_MR][QK_DOT_NR];
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) first[i][j] = second[i][j] = _mm512_setzero_ps();
    size_t c = 0;
    for (; c + 32 <= columns; c += 32) {
        __m512 xa[QK_DOT_MR], xb[QK_DOT_MR];
        for (int i = 0; i < mr; i++) xa[i] = _mm512_loadu_ps(x + i * ldx + c), xb[i] = _mm512_loadu_ps(x + i * ldx + c + 16);
        for (int j = 0; j < nr; j++) {
            const __m512 wa = qk_load_weights_full(rows[j], c, format), wb = qk_load_weights_full(rows[j], c + 16, format);
            for (int i = 0; i < mr; i++) {
                first[i][j] = _mm512_fmadd_ps(xa[i], wa, first[i][j]);
                second[i][j] = _mm512_fmadd_ps(xb[i], wb, second[i][j]);
            }
        }
    }
    for (; c < columns; c += 16) {
        const __mmask16 mask = qk_tail_mask(columns - c);
        __m512 xa[QK_DOT_MR];
        for (int i = 0; i < mr; i++) xa[i] = _mm512_maskz_loadu_ps(mask, x + i * ldx + c);
        for (int j = 0; j < nr; j++) {
            const __m512 wa = qk_load_weights(rows[j], c, mask, format);
            for (int i = 0; i < mr; i++) first[i][j] = _mm512_fmadd_ps(xa[i], wa, first[i][j]);
        }
    }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) {
            const float sum = _mm512_reduce_add_ps(_mm512_add_ps(first[i][j], second[i][j]));
            y[i * ldy + r + j] = bias ? sum + bias[r + j] : sum;
        }
}

/// qk_dot_tile for any tile of up to QK_DOT_MR × QK_DOT_NR.
QK_ALWAYS_INLINE void qk_dot_tile_any(size_t mr, size_t nr, const float *x, size_t ldx, qk_matrix w, size_t r,
                                      const float *bias, float *y, size_t ldy, const int format) {
    if (mr == 1) {
        switch (nr) {
        case 1: qk_dot_tile(1, 1, x, ldx, w, r, bias, y, ldy, format); break;
        case 2: qk_dot_tile(1, 2, x, ldx, w, r, bias, y, ldy, format); break;
        case 3: qk_dot_tile(1, 3, x, ldx, w, r, bias, y, ldy, format); break;
        default: qk_dot_tile(1, 4, x, ldx, w, r, bias, y, ldy, format); break;
        }
    } else {
        switch (nr) {
        case 1: qk_dot_tile(2, 1, x, ldx, w, r, bias, y, ldy, format); break;
        case 2: qk_dot_tile(2, 2, x, ldx, w, r, bias, y, ldy, format); break;
        case 3: qk_dot_tile(2, 3, x, ldx, w, r, bias, y, ldy, format); break;
        default: qk_dot_tile(2, 4, x, ldx, w, r, bias, y, ldy, format); break;
        }
    }
}

// MARK: - Matrix-matrix (several activation rows)

enum {
    QK_MR = 8,    ///< activation rows per register tile
    QK_NR = 32,   ///< weight rows per packed panel (two vectors)
    QK_KC = 256,  ///< columns per packed panel: 32 KiB of float32, resident in L1
    QK_MC = 256,  ///< activation rows per block: their 256 KiB stay in L2 while every panel passes
};

/// Columns per packed panel: the panels are float32 for every format.
#define QK_PANEL_COLUMNS(format) QK_KC

/// Transposes the 16×16 block v (v[i] is row i) in registers: afterwards v[i] is column i.
QK_ALWAYS_INLINE void qk_transpose16(__m512 v[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]);
    }
    // v[4i + c], 128-bit lane L: rows 4i..<4i+4 of column 4L + c.
    for (int i = 0; i < 4; i++) {
        const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 2]);
        const __m512d c = _mm512_castps_pd(t[4 * i + 1]), d = _mm512_castps_pd(t[4 * i + 3]);
        v[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
        v[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
        v[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(c, d));
        v[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(c, d));
    }
    for (int i = 0; i < 2; i++) {
        for (int c = 0; c < 4; c++) {
            t[8 * i + c] = _mm512_shuffle_f32x4(v[8 * i + c], v[8 * i + 4 + c], 0x88);
            t[8 * i + 4 + c] = _mm512_shuffle_f32x4(v[8 * i + c], v[8 * i + 4 + c], 0xDD);
        }
    }
    for (int c = 0; c < 8; c++) {
        v[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);
        v[c + 8] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xDD);
    }
}

/// panel[k * NR + j] = W[r + j, k0 + k] as float32 for j < nr (zero for nr <= j < NR), k < kc
/// (rounded up to 16, the extra columns zero).
QK_ALWAYS_INLINE void qk_pack_panel(qk_matrix w, size_t r, size_t nr, size_t k0, size_t kc, float *panel,
                                    const int format) {
    for (size_t half = 0; half < QK_NR; half += 16) {
        for (size_t k = 0; k < kc; k += 16) {
            const __mmask16 mask = qk_tail_mask(kc - k);
            __m512 v[16];
            for (size_t j = 0; j < 16; j++)
                v[j] = half + j < nr ? qk_load_weights(qk_row_pointer(w, r + half + j), k0 + k, mask, format)
                                     : _mm512_setzero_ps();
            qk_transpose16(v);
            for (size_t c = 0; c < 16; c++) _mm512_store_ps(panel + (k + c) * QK_NR + half, v[c]);
        }
    }
}

/// y[0..<mr, 0..<nr] (row stride ldy) (+)= x[0..<mr, 0..<kc] (row stride ldx) · panelᵀ.
/// The first column block starts from the bias (or zero); later blocks add to y.
QK_ALWAYS_INLINE void qk_micro_kernel(const int mr, const float *x, size_t ldx, const float *panel, size_t kc,
                                      float *y, size_t ldy, size_t nr, const float *bias, int first) {
    __m512 acc[QK_MR][2];
    const __mmask16 mask0 = qk_tail_mask(nr), mask1 = nr > 16 ? qk_tail_mask(nr - 16) : 0;
    for (int i = 0; i < mr; i++) {
        if (first) {
            acc[i][0] = bias ? _mm512_maskz_loadu_ps(mask0, bias) : _mm512_setzero_ps();
            acc[i][1] = bias ? _mm512_maskz_loadu_ps(mask1, bias + 16) : _mm512_setzero_ps();
        } else {
            acc[i][0] = _mm512_maskz_loadu_ps(mask0, y + i * ldy);
            acc[i][1] = _mm512_maskz_loadu_ps(mask1, y + i * ldy + 16);
        }
    }
    for (size_t k = 0; k < kc; k++) {
        const __m512 b0 = _mm512_load_ps(panel + k * QK_NR), b1 = _mm512_load_ps(panel + k * QK_NR + 16);
        for (int i = 0; i < mr; i++) {
            const __m512 a = _mm512_set1_ps(x[i * ldx + k]);
            acc[i][0] = _mm512_fmadd_ps(a, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(a, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < mr; i++) {
        _mm512_mask_storeu_ps(y + i * ldy, mask0, acc[i][0]);
        _mm512_mask_storeu_ps(y + i * ldy + 16, mask1, acc[i][1]);
    }
}

/// `format` is the weights' (the driver passes it to every ISA's micro-kernel); this path packs
/// float32 panels for every format.
static void qk_micro_kernel_any(size_t mr, const float *x, size_t ldx, const float *panel, size_t kc, float *y,
                                size_t ldy, size_t nr, const float *bias, int first, qk_format format) {
    (void)format;
    switch (mr) {
#define QK_CASE(n) \
    case n: qk_micro_kernel(n, x, ldx, panel, kc, y, ldy, nr, bias, first); break;
        QK_CASE(1) QK_CASE(2) QK_CASE(3) QK_CASE(4) QK_CASE(5) QK_CASE(6) QK_CASE(7) QK_CASE(8)
#undef QK_CASE
    default: break;
    }
}

#define QK_PANEL_ALIGN 64
#define QK_ISA_NAME(name) name##_avx512
#include "linear_driver.h"

void qk_matrix_row_avx512(qk_matrix w, size_t row, float *y) {
    const void *source = qk_row_pointer(w, row);
    for (size_t c = 0; c < w.columns; c += 16) {
        const __mmask16 mask = qk_tail_mask(w.columns - c);
        switch (w.format) {
        case QK_FORMAT_F16: _mm512_mask_storeu_ps(y + c, mask, qk_load_weights(source, c, mask, QK_FORMAT_F16)); break;
        case QK_FORMAT_BF16: _mm512_mask_storeu_ps(y + c, mask, qk_load_weights(source, c, mask, QK_FORMAT_BF16)); break;
        default: _mm512_mask_storeu_ps(y + c, mask, qk_load_weights(source, c, mask, QK_FORMAT_F32)); break;
        }
    }
}

QK_AVX512_END
#endif
