#ifndef QK_QUANT_INTERNAL_H
#define QK_QUANT_INTERNAL_H

// ggml's block layouts (ggml-common.h) and the 8-bit activation blocks the dot products take.
#include "kernels_internal.h"

enum { QK_BLOCK = 32, QK_SUPER = 256 };

/// 32 values: d · q.
typedef struct { uint16_t d; int8_t qs[32]; } qk_block_q8_0;
/// 32 values: d · (nibble - 8); byte j holds value j (low nibble) and value j + 16 (high).
typedef struct { uint16_t d; uint8_t qs[16]; } qk_block_q4_0;
/// 32 values: d · nibble + m.
typedef struct { uint16_t d, m; uint8_t qs[16]; } qk_block_q4_1;
/// 32 values: d · ((nibble | fifth bit << 4) - 16); bit j of qh is value j's fifth bit.
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; } qk_block_q5_0;
/// 256 values in 8 groups of 32: d · scale_g · nibble - dmin · min_g, with 6-bit scales and
/// minimums packed in 12 bytes; qs byte 32k + l holds value 64k + l (low) and 64k + 32 + l (high).
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[128]; } qk_block_q4_K;
/// 256 values in 16 groups of 16: d · scale_g · (q - 32) with 6-bit q split in 4 low bits (ql)
/// and 2 high bits (qh), int8 scales.
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } qk_block_q6_K;

/// Block b of 8 interleaved Q8_0 rows: the rows' scales, then slice k (4 bytes) of row r at 32·k + 4·r.
typedef struct { uint16_t d[8]; int8_t qs[256]; } qk_block_q8_0x8;
/// Block b of 8 interleaved Q4_0 rows: the rows' scales, then slice k (4 bytes) of row r at 32·k + 4·r.
typedef struct { uint16_t d[8]; uint8_t qs[128]; } qk_block_q4_0x8;
/// Block b of 8 interleaved Q5_0 rows: scales, fifth bits, and nibbles sliced as Q4_0's. Bit 4·r + j
/// of qh[i] is the fifth bit of row r's value 4·i + j (i < 4) or 16 + 4·(i - 4) + j (i >= 4): the
/// values of the low (i < 4) or high nibbles of slice i % 4.
typedef struct { uint16_t d[8]; uint32_t qh[8]; uint8_t qs[128]; } qk_block_q5_0x8;
/// Super-block b of 8 interleaved Q4_K rows: scales and minimums, byte t of row r's 12 packed group
/// scales at scales[t][r], then slice (k, i) — bytes 32·k + 4·i .. + 3 of a row's codes, values 64·k
/// + 4·i + j (low nibbles) and 64·k + 32 + 4·i + j (high) — of row r at 32·(8·k + i) + 4·r.
typedef struct { uint16_t d[8], dmin[8]; uint8_t scales[12][8]; uint8_t qs[1024]; } qk_block_q4_Kx8;
/// Super-block b of 8 interleaved Q6_K rows: scales (scale t of row r at scales[t][r]), then slice
/// s (bytes 4·s .. + 3) of row r's ql at ql[32·s + 4·r] and of its qh at qh[32·s + 4·r].
typedef struct { uint16_t d[8]; int8_t scales[16][8]; uint8_t ql[1024]; uint8_t qh[512]; } qk_block_q6_Kx8;

/// An activation block of 32 values: d · q, with d rounded to float16 as ggml's Q8_0 stores it,
/// sum = d · Σ q rounded to float16 as ggml's Q8_1 stores it (for formats with a minimum), and
/// q_sum = Σ q (for Q4_0_X8, whose codes are multiplied unsigned and the offset 8 · Σ q taken after).
typedef struct { float d; float sum; int32_t q_sum; int8_t qs[32]; } qk_block_q8a;
/// An activation super-block of 256 values: d · q, and the sums of each 16 q.
typedef struct { float d; int8_t qs[256]; int16_t sums[16]; } qk_block_q8k;

_Static_assert(sizeof(qk_block_q8_0) == 34, "Q8_0 block");
_Static_assert(sizeof(qk_block_q4_0) == 18, "Q4_0 block");
_Static_assert(sizeof(qk_block_q4_1) == 20, "Q4_1 block");
_Static_assert(sizeof(qk_block_q5_0) == 22, "Q5_0 block");
_Static_assert(sizeof(qk_block_q4_K) == 144, "Q4_K block");
_Static_assert(sizeof(qk_block_q6_K) == 210, "Q6_K block");
_Static_assert(sizeof(qk_block_q8_0x8) == 8 * sizeof(qk_block_q8_0), "Q8_0_X8 block");
_Static_assert(sizeof(qk_block_q4_0x8) == 8 * sizeof(qk_block_q4_0), "Q4_0_X8 block");
_Static_assert(sizeof(qk_block_q5_0x8) == 8 * sizeof(qk_block_q5_0), "Q5_0_X8 block");
_Static_assert(sizeof(qk_block_q4_Kx8) == 8 * sizeof(qk_block_q4_K), "Q4_K_X8 block");
_Static_assert(sizeof(qk_block_q6_Kx8) == 8 * sizeof(qk_block_q6_K), "Q6_K_X8 block");

/// float32 to float16 bits, rounding to nearest even (overflow to infinity, NaN kept).
static inline uint16_t qk_f32_to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    const uint32_t sign = (x >> 16) & 0x8000;
    const uint32_t abs = x & 0x7FFFFFFF;
    if (abs > 0x7F800000) return (uint16_t)(sign | 0x7E00);
    if (abs >= 0x477FF000) return (uint16_t)(sign | 0x7C00);
    if (abs < 0x38800000) {
        // Subnormal or zero: scale so the integer part is the float16 mantissa, rounding to even.
        float a;
        memcpy(&a, &abs, sizeof a);
        const float scaled = a * 16777216.0f;  // 2^24: float16 subnormal unit is 2^-24
        uint32_t m = (uint32_t)scaled;
        const float rest = scaled - (float)m;
        if (rest > 0.5f || (rest == 0.5f && (m & 1))) m++;
        return (uint16_t)(sign | m);
    }
    uint32_t h = ((abs - 0x38000000) >> 13);
    const uint32_t rest = abs & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) h++;
    return (uint16_t)(sign | h);
}

/// The scale and minimum of group j (0..<8) of a Q4_K block's packed 12 bytes.
static inline void qk_q4k_scale_min(const uint8_t *packed, int j, uint8_t *scale, uint8_t *min) {
    if (j < 4) {
        *scale = packed[j] & 63;
        *min = packed[j + 4] & 63;
    } else {
        *scale = (uint8_t)((packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4));
        *min = (uint8_t)((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4));
    }
}

/// Activation rows one call of a dot-product tile serves.
enum { QK_DOT_ROWS = 4 };

/// The activation row `m` of a batch whose rows are `stride` bytes apart.
#define QK_ACTIVATION(type, xq, stride, m) ((const type *)((const char *)(xq) + (size_t)(m) * (stride)))

/// True for the formats with 8 rows interleaved.
static inline int qk_quant_is_x8(qk_format format) {
    return format == QK_FORMAT_Q8_0_X8 || format == QK_FORMAT_Q4_0_X8 || format == QK_FORMAT_Q5_0_X8 ||
           format == QK_FORMAT_Q4_K_X8 || format == QK_FORMAT_Q6_K_X8;
}

/// Whether the format takes 256-value activation super-blocks (the k-quants).
static inline int qk_quant_is_k(qk_format format) {
    return format == QK_FORMAT_Q4_K || format == QK_FORMAT_Q6_K || format == QK_FORMAT_Q4_K_X8 ||
           format == QK_FORMAT_Q6_K_X8;
}

/// The row-major format an _X8 format interleaves.
static inline qk_format qk_x8_plain_format(qk_format format) {
    switch (format) {
    case QK_FORMAT_Q8_0_X8: return QK_FORMAT_Q8_0;
    case QK_FORMAT_Q4_0_X8: return QK_FORMAT_Q4_0;
    case QK_FORMAT_Q5_0_X8: return QK_FORMAT_Q5_0;
    case QK_FORMAT_Q4_K_X8: return QK_FORMAT_Q4_K;
    default: return QK_FORMAT_Q6_K;
    }
}

/// Slice s (4 bytes at 4·s, s < count) of one row's codes to lane `lane` of an interleaved group
/// (at 32·s + 4·lane), as qk_quant_interleave lays them out.
static inline void qk_x8_scatter(const uint8_t *row, int count, size_t lane, uint8_t *group) {
    for (int s = 0; s < count; s++) memcpy(group + 32 * s + 4 * lane, row + 4 * s, 4);
}

/// The inverse of qk_x8_scatter: lane `lane`'s slices of a group back to a row's codes.
static inline void qk_x8_gather(const uint8_t *group, size_t lane, int count, uint8_t *row) {
    for (int s = 0; s < count; s++) memcpy(row + 4 * s, group + 32 * s + 4 * lane, 4);
}

/// Block b of row `row` of an _X8 matrix, written to `out` as the plain block it was (the one place
/// that reads the interleaved layouts element by element).
static inline void qk_x8_row_block(qk_matrix w, size_t row, size_t b, void *out) {
    const size_t lane = row % 8;
    const size_t group = row / 8 * (w.columns / (qk_quant_is_k(w.format) ? QK_SUPER : QK_BLOCK)) + b;
    switch (w.format) {
    case QK_FORMAT_Q8_0_X8: {
        const qk_block_q8_0x8 *g = (const qk_block_q8_0x8 *)w.base + group;
        qk_block_q8_0 *to = out;
        to->d = g->d[lane];
        qk_x8_gather((const uint8_t *)g->qs, lane, 8, (uint8_t *)to->qs);
        break;
    }
    case QK_FORMAT_Q4_0_X8: {
        const qk_block_q4_0x8 *g = (const qk_block_q4_0x8 *)w.base + group;
        qk_block_q4_0 *to = out;
        to->d = g->d[lane];
        qk_x8_gather(g->qs, lane, 4, to->qs);
        break;
    }
    case QK_FORMAT_Q5_0_X8: {
        const qk_block_q5_0x8 *g = (const qk_block_q5_0x8 *)w.base + group;
        qk_block_q5_0 *to = out;
        uint32_t high = 0;
        for (int i = 0; i < 8; i++) high |= ((g->qh[i] >> (4 * lane)) & 0xF) << (4 * (i % 4) + 16 * (i / 4));
        to->d = g->d[lane];
        memcpy(to->qh, &high, sizeof high);
        qk_x8_gather(g->qs, lane, 4, to->qs);
        break;
    }
    case QK_FORMAT_Q4_K_X8: {
        const qk_block_q4_Kx8 *g = (const qk_block_q4_Kx8 *)w.base + group;
        qk_block_q4_K *to = out;
        to->d = g->d[lane];
        to->dmin = g->dmin[lane];
        for (int t = 0; t < 12; t++) to->scales[t] = g->scales[t][lane];
        qk_x8_gather(g->qs, lane, 32, to->qs);
        break;
    }
    default: {
        const qk_block_q6_Kx8 *g = (const qk_block_q6_Kx8 *)w.base + group;
        qk_block_q6_K *to = out;
        to->d = g->d[lane];
        for (int t = 0; t < 16; t++) to->scales[t] = g->scales[t][lane];
        qk_x8_gather(g->ql, lane, 32, to->ql);
        qk_x8_gather(g->qh, lane, 16, to->qh);
        break;
    }
    }
}

/// Value j (0..<256) of a Q6_K block as its signed 6-bit code (-32..31).
static inline int qk_q6k_code(const qk_block_q6_K *w, int j) {
    const int half = j / 128, quarter = j % 128 / 32, l = j % 32;
    const uint8_t low = w->ql[64 * half + 32 * (quarter % 2) + l];
    const int high = (w->qh[32 * half + l] >> (2 * quarter)) & 3;
    return ((quarter < 2 ? low & 0xF : low >> 4) | high << 4) - 32;
}


#define QK_DECLARE_QUANT_ISA(isa)                                                                  \
    void qk_quant_linear_##isa(const void *xq, size_t x_rows, qk_matrix w, const float *bias,      \
                               size_t row_begin, size_t row_end, float *y, int prefill);

QK_DECLARE_QUANT_ISA(portable)
#if defined(__x86_64__) || defined(_M_X64)
QK_DECLARE_QUANT_ISA(avx2)
QK_DECLARE_QUANT_ISA(avx512)
void qk_quantize_q8a_avx2(const float *x, size_t columns, qk_block_q8a *out);
void qk_quantize_q8k_avx2(const float *x, size_t columns, qk_block_q8k *out);
#endif

#endif
