// Quantized linear layers in plain C, for any CPU: the reference the vector paths are tested against.
#include "quant_internal.h"

#include <math.h>

typedef struct { int32_t first, second; } qk_ivec;
typedef float qk_fvec;

static inline qk_ivec QK_DOT32(const int8_t *w, const int8_t *x) {
    qk_ivec v = {0, 0};
    for (int i = 0; i < 16; i++) v.first += w[i] * x[i];
    for (int i = 16; i < 32; i++) v.second += w[i] * x[i];
    return v;
}
static inline qk_ivec QK_DOT_Q4(const uint8_t *qs, int offset, const int8_t *x) {
    int8_t w[32];
    for (int j = 0; j < 16; j++) {
        w[j] = (int8_t)((qs[j] & 0xF) - offset);
        w[j + 16] = (int8_t)((qs[j] >> 4) - offset);
    }
    return QK_DOT32(w, x);
}
static inline qk_ivec QK_DOT_Q5(const uint8_t *qs, const uint8_t *qh, const int8_t *x) {
    uint32_t high;
    memcpy(&high, qh, sizeof high);
    int8_t w[32];
    for (int j = 0; j < 16; j++) {
        w[j] = (int8_t)(((qs[j] & 0xF) | (((high >> j) & 1) << 4)) - 16);
        w[j + 16] = (int8_t)(((qs[j] >> 4) | (((high >> (j + 16)) & 1) << 4)) - 16);
    }
    return QK_DOT32(w, x);
}
static inline qk_ivec QK_DOT_NIBBLES(const uint8_t *q, int shift, const int8_t *x) {
    int8_t w[32];
    for (int j = 0; j < 32; j++) w[j] = (int8_t)((q[j] >> shift) & 0xF);
    return QK_DOT32(w, x);
}
static inline qk_ivec QK_SCALE2(qk_ivec v, int first, int second) {
    return (qk_ivec){v.first * first, v.second * second};
}
static inline qk_ivec QK_IADD(qk_ivec a, qk_ivec b) { return (qk_ivec){a.first + b.first, a.second + b.second}; }
static inline qk_ivec QK_IZERO(void) { return (qk_ivec){0, 0}; }
static inline qk_fvec QK_FZERO(void) { return 0.0f; }
static inline qk_fvec QK_FMA(qk_fvec acc, qk_ivec v, float scale) { return acc + (float)(v.first + v.second) * scale; }
static inline float QK_FSUM(qk_fvec acc) { return acc; }
static inline float QK_F16(uint16_t h) { return qk_f16_to_f32(h); }
#define QK_ISA_NAME(name) name##_portable

/// Row `r` of an _X8 matrix times activation row x, in the vector paths' arithmetic lane by lane:
/// Q4_0 (and Q8_0 and Q5_0 for prefill) adds each block's exact integer sum times the scales with one
/// fused multiply-add; Q8_0 and Q5_0 otherwise keep eight such sums per block (values 4i..4i+3,
/// "lane" i) in eight accumulators, added at the end as ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).
static float qk_x8_dot(qk_matrix w, size_t r, const qk_block_q8a *x, int prefill) {
    float lanes[8] = {0};
    for (size_t b = 0; b < w.columns / QK_BLOCK; b++) {
        union { qk_block_q8_0 q8_0; qk_block_q4_0 q4_0; qk_block_q5_0 q5_0; } block;
        qk_x8_row_block(w, r, b, &block);
        float d;
        int8_t q[32];
        if (w.format == QK_FORMAT_Q8_0_X8) {
            d = qk_f16_to_f32(block.q8_0.d);
            memcpy(q, block.q8_0.qs, sizeof q);
        } else if (w.format == QK_FORMAT_Q4_0_X8) {
            d = qk_f16_to_f32(block.q4_0.d);
            for (int j = 0; j < 16; j++) {
                q[j] = (int8_t)((block.q4_0.qs[j] & 0xF) - 8);
                q[j + 16] = (int8_t)((block.q4_0.qs[j] >> 4) - 8);
            }
        } else {
            uint32_t high;
            memcpy(&high, block.q5_0.qh, sizeof high);
            d = qk_f16_to_f32(block.q5_0.d);
            for (int j = 0; j < 16; j++) {
                q[j] = (int8_t)(((block.q5_0.qs[j] & 0xF) | ((high >> j) & 1) << 4) - 16);
                q[j + 16] = (int8_t)(((block.q5_0.qs[j] >> 4) | ((high >> (j + 16)) & 1) << 4) - 16);
            }
        }
        const float scale = d * x[b].d;
        int32_t sums[8] = {0};
        for (int j = 0; j < QK_BLOCK; j++) sums[j / 4] += q[j] * x[b].qs[j];
        if (w.format == QK_FORMAT_Q4_0_X8 || prefill) {
            int32_t total = 0;
            for (int i = 0; i < 8; i++) total += sums[i];
            lanes[0] = fmaf((float)total, scale, lanes[0]);
        } else {
            for (int i = 0; i < 8; i++) lanes[i] = fmaf((float)sums[i], scale, lanes[i]);
        }
    }
    return ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
}

/// Row `r` of a Q4_K_X8 matrix times activation row x, in the vector path's arithmetic: eight lane
/// sums (each group's partial sums times its scale) per super-block as for Q8_0, and the
/// minimums' term (dmin · d_x) · Σ min · (group sum of x) added apart (fused) and subtracted last.
static float qk_x8_q4_K_dot(qk_matrix w, size_t r, const qk_block_q8k *x) {
    float lanes[8] = {0}, offsets = 0;
    for (size_t b = 0; b < w.columns / QK_SUPER; b++) {
        qk_block_q4_K block;
        qk_x8_row_block(w, r, b, &block);
        int32_t sums[8] = {0}, minimums = 0;
        for (int g = 0; g < 8; g++) {
            uint8_t scale, minimum;
            qk_q4k_scale_min(block.scales, g, &scale, &minimum);
            minimums += minimum * (x[b].sums[2 * g] + x[b].sums[2 * g + 1]);
            for (int l = 0; l < 32; l++) {
                const uint8_t byte = block.qs[32 * (g / 2) + l];
                sums[l / 4] += scale * ((g % 2 ? byte >> 4 : byte & 0xF) * x[b].qs[32 * g + l]);
            }
        }
        const float scale = qk_f16_to_f32(block.d) * x[b].d;
        for (int i = 0; i < 8; i++) lanes[i] = fmaf((float)sums[i], scale, lanes[i]);
        offsets = fmaf(qk_f16_to_f32(block.dmin) * x[b].d, (float)minimums, offsets);
    }
    return (((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]))) -
           offsets;
}

/// Row `r` of a Q6_K_X8 matrix times activation row x, in the vector path's arithmetic: eight lane
/// sums (each 16 values' partial sums times their scale) per super-block as for Q8_0.
static float qk_x8_q6_K_dot(qk_matrix w, size_t r, const qk_block_q8k *x) {
    float lanes[8] = {0};
    for (size_t b = 0; b < w.columns / QK_SUPER; b++) {
        qk_block_q6_K block;
        qk_x8_row_block(w, r, b, &block);
        int32_t sums[8] = {0};
        for (int j = 0; j < QK_SUPER; j++) sums[j % 32 / 4] += block.scales[j / 16] * qk_q6k_code(&block, j) * x[b].qs[j];
        const float s = qk_f16_to_f32(block.d) * x[b].d;
        for (int i = 0; i < 8; i++) lanes[i] = fmaf((float)sums[i], s, lanes[i]);
    }
    return ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
}

static void qk_quant_linear_x8(const void *xq, size_t x_rows, qk_matrix w, const float *bias, size_t row_begin,
                               size_t row_end, float *y, int prefill) {
    const size_t x_bytes = qk_quant_activation_bytes(w.format, w.columns);
    for (size_t r = row_begin; r < row_end; r++)
        for (size_t m = 0; m < x_rows; m++) {
            const void *x = (const char *)xq + m * x_bytes;
            const float dot = w.format == QK_FORMAT_Q4_K_X8 ? qk_x8_q4_K_dot(w, r, x)
                              : w.format == QK_FORMAT_Q6_K_X8 ? qk_x8_q6_K_dot(w, r, x)
                                                              : qk_x8_dot(w, r, x, prefill);
            y[m * w.rows + r] = dot + (bias ? bias[r] : 0.0f);
        }
}

#include "quant_dot.h"
