// Float32 to ggml block formats, following ggml's reference quantizers (quantize_row_*_ref) so
// files made here match files made by llama.cpp's tools without an importance matrix.
#include "quant_internal.h"

#include <math.h>

/// Round half to even, as ggml's nearest_int does.
static inline int qk_nearest(float x) { return (int)nearbyintf(x); }

static inline int qk_clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/// The value of largest magnitude among n (0 when all are 0).
static float qk_signed_max(const float *x, int n, float *amax) {
    float max = 0;
    *amax = 0;
    for (int i = 0; i < n; i++) {
        if (fabsf(x[i]) > *amax) {
            *amax = fabsf(x[i]);
            max = x[i];
        }
    }
    return max;
}

static void qk_quantize_q8_0(const float *x, size_t blocks, qk_block_q8_0 *y) {
    for (size_t b = 0; b < blocks; b++, x += QK_BLOCK) {
        float amax = 0;
        for (int j = 0; j < QK_BLOCK; j++) amax = fmaxf(amax, fabsf(x[j]));
        const float d = amax / 127.0f, inverse = d != 0 ? 1.0f / d : 0.0f;
        y[b].d = qk_f32_to_f16(d);
        for (int j = 0; j < QK_BLOCK; j++) y[b].qs[j] = (int8_t)roundf(x[j] * inverse);
    }
}

/// The 32 values of a signed block scaled so the largest magnitude maps to -half: nibbles or
/// 5-bit codes `trunc(x / d + half + 0.5)`, capped at `2·half - 1`.
static void qk_symmetric_codes(const float *x, int half, uint16_t *d_bits, uint8_t *codes) {
    float amax;
    const float d = qk_signed_max(x, QK_BLOCK, &amax) / (float)-half;
    const float inverse = d != 0 ? 1.0f / d : 0.0f;
    *d_bits = qk_f32_to_f16(d);
    for (int j = 0; j < QK_BLOCK; j++) {
        const int code = (int8_t)(x[j] * inverse + (float)half + 0.5f);
        codes[j] = (uint8_t)(code < 2 * half - 1 ? code : 2 * half - 1);
    }
}

static void qk_quantize_q4_0(const float *x, size_t blocks, qk_block_q4_0 *y) {
    for (size_t b = 0; b < blocks; b++, x += QK_BLOCK) {
        uint8_t codes[QK_BLOCK];
        qk_symmetric_codes(x, 8, &y[b].d, codes);
        for (int j = 0; j < 16; j++) y[b].qs[j] = (uint8_t)(codes[j] | (codes[j + 16] << 4));
    }
}

static void qk_quantize_q5_0(const float *x, size_t blocks, qk_block_q5_0 *y) {
    for (size_t b = 0; b < blocks; b++, x += QK_BLOCK) {
        uint8_t codes[QK_BLOCK];
        qk_symmetric_codes(x, 16, &y[b].d, codes);
        uint32_t high = 0;
        for (int j = 0; j < 16; j++) {
            y[b].qs[j] = (uint8_t)((codes[j] & 0xF) | ((codes[j + 16] & 0xF) << 4));
            high |= (uint32_t)(codes[j] >> 4) << j;
            high |= (uint32_t)(codes[j + 16] >> 4) << (j + 16);
        }
        memcpy(y[b].qh, &high, sizeof high);
    }
}

static void qk_quantize_q4_1(const float *x, size_t blocks, qk_block_q4_1 *y) {
    for (size_t b = 0; b < blocks; b++, x += QK_BLOCK) {
        float min = x[0], max = x[0];
        for (int j = 1; j < QK_BLOCK; j++) {
            min = fminf(min, x[j]);
            max = fmaxf(max, x[j]);
        }
        const float d = (max - min) / 15.0f, inverse = d != 0 ? 1.0f / d : 0.0f;
        y[b].d = qk_f32_to_f16(d);
        y[b].m = qk_f32_to_f16(min);
        for (int j = 0; j < 16; j++) {
            const int low = (int8_t)((x[j] - min) * inverse + 0.5f);
            const int high = (int8_t)((x[j + 16] - min) * inverse + 0.5f);
            y[b].qs[j] = (uint8_t)((low < 15 ? low : 15) | ((high < 15 ? high : 15) << 4));
        }
    }
}

/// Fits x ≈ scale · L - min with L in 0...top, minimizing the weighted squared error over a
/// sweep of `steps + 1` candidate scales (ggml's make_qkx2_quants); returns scale, sets *min.
static float qk_fit_scale_min(const float *x, const float *weight, int n, int top, uint8_t *L,
                              float *min_out, float rmin, float rdelta, int steps) {
    float lo = x[0], hi = x[0], weight_sum = weight[0], weighted_x = weight[0] * x[0];
    for (int i = 1; i < n; i++) {
        lo = fminf(lo, x[i]);
        hi = fmaxf(hi, x[i]);
        weight_sum += weight[i];
        weighted_x += weight[i] * x[i];
    }
    if (lo > 0) lo = 0;
    if (hi == lo) {
        memset(L, 0, (size_t)n);
        *min_out = -lo;
        return 0;
    }
    float inverse = top / (hi - lo), scale = 1 / inverse, best = 0;
    for (int i = 0; i < n; i++) {
        L[i] = (uint8_t)qk_clamp(qk_nearest(inverse * (x[i] - lo)), 0, top);
        const float diff = scale * L[i] + lo - x[i];
        best += weight[i] * diff * diff;
    }
    uint8_t candidate[32];
    for (int step = 0; step <= steps; step++) {
        inverse = (rmin + rdelta * step + top) / (hi - lo);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; i++) {
            const int l = qk_clamp(qk_nearest(inverse * (x[i] - lo)), 0, top);
            candidate[i] = (uint8_t)l;
            sum_l += weight[i] * l;
            sum_l2 += weight[i] * l * l;
            sum_xl += weight[i] * l * x[i];
        }
        const float det = weight_sum * sum_l2 - sum_l * sum_l;
        if (det <= 0) continue;
        float this_scale = (weight_sum * sum_xl - weighted_x * sum_l) / det;
        float this_min = (sum_l2 * weighted_x - sum_l * sum_xl) / det;
        if (this_min > 0) {
            this_min = 0;
            this_scale = sum_xl / sum_l2;
        }
        float error = 0;
        for (int i = 0; i < n; i++) {
            const float diff = this_scale * candidate[i] + this_min - x[i];
            error += weight[i] * diff * diff;
        }
        if (error < best) {
            memcpy(L, candidate, (size_t)n);
            best = error;
            scale = this_scale;
            lo = this_min;
        }
    }
    *min_out = -lo;
    return scale;
}

static void qk_quantize_q4_K(const float *x, size_t blocks, qk_block_q4_K *y) {
    for (size_t b = 0; b < blocks; b++, x += QK_SUPER) {
        uint8_t L[QK_SUPER];
        float scales[8], mins[8], max_scale = 0, max_min = 0;
        for (int g = 0; g < 8; g++) {
            const float *xg = x + 32 * g;
            float sum_sq = 0, weight[32];
            for (int l = 0; l < 32; l++) sum_sq += xg[l] * xg[l];
            const float rms = sqrtf(sum_sq / 32);
            for (int l = 0; l < 32; l++) weight[l] = rms + fabsf(xg[l]);
            scales[g] = qk_fit_scale_min(xg, weight, 32, 15, L + 32 * g, &mins[g], -1.0f, 0.1f, 20);
            max_scale = fmaxf(max_scale, scales[g]);
            max_min = fmaxf(max_min, mins[g]);
        }
        const float scale_step = max_scale > 0 ? 63.0f / max_scale : 0.0f;
        const float min_step = max_min > 0 ? 63.0f / max_min : 0.0f;
        memset(y[b].scales, 0, sizeof y[b].scales);
        for (int g = 0; g < 8; g++) {
            const int ls = qk_clamp(qk_nearest(scale_step * scales[g]), 0, 63);
            const int lm = qk_clamp(qk_nearest(min_step * mins[g]), 0, 63);
            if (g < 4) {
                y[b].scales[g] = (uint8_t)ls;
                y[b].scales[g + 4] = (uint8_t)lm;
            } else {
                y[b].scales[g + 4] = (uint8_t)((ls & 0xF) | ((lm & 0xF) << 4));
                y[b].scales[g - 4] |= (uint8_t)((ls >> 4) << 6);
                y[b].scales[g] |= (uint8_t)((lm >> 4) << 6);
            }
        }
        y[b].d = qk_f32_to_f16(max_scale / 63.0f);
        y[b].dmin = qk_f32_to_f16(max_min / 63.0f);
        for (int g = 0; g < 8; g++) {
            uint8_t sc, m;
            qk_q4k_scale_min(y[b].scales, g, &sc, &m);
            const float d = qk_f16_to_f32(y[b].d) * sc;
            if (d == 0) continue;
            const float dm = qk_f16_to_f32(y[b].dmin) * m;
            for (int l = 0; l < 32; l++) L[32 * g + l] = (uint8_t)qk_clamp(qk_nearest((x[32 * g + l] + dm) / d), 0, 15);
        }
        for (int k = 0; k < 4; k++)
            for (int l = 0; l < 32; l++) y[b].qs[32 * k + l] = (uint8_t)(L[64 * k + l] | (L[64 * k + 32 + l] << 4));
    }
}

/// Signed codes L in -32..31 of 16 values for the best least-squares scale among 19 candidates
/// around max / -32, weighted by x² (ggml's make_qx_quants with rmse_type 1); returns the scale.
static float qk_fit_scale6(const float *x, int8_t *L) {
    float amax;
    const float max = qk_signed_max(x, 16, &amax);
    if (amax < 1e-15f) {
        memset(L, 0, 16);
        return 0;
    }
    float sum_lx = 0, sum_l2 = 0;
    float inverse = -32.0f / max;
    for (int i = 0; i < 16; i++) {
        const int l = qk_clamp(qk_nearest(inverse * x[i]), -32, 31);
        L[i] = (int8_t)l;
        const float w = x[i] * x[i];
        sum_lx += w * x[i] * l;
        sum_l2 += w * l * l;
    }
    float scale = sum_l2 != 0 ? sum_lx / sum_l2 : 0.0f;
    float best = scale * sum_lx;
    for (int step = -9; step <= 9; step++) {
        if (step == 0) continue;
        inverse = -(32.0f + 0.1f * step) / max;
        sum_lx = sum_l2 = 0;
        for (int i = 0; i < 16; i++) {
            const int l = qk_clamp(qk_nearest(inverse * x[i]), -32, 31);
            const float w = x[i] * x[i];
            sum_lx += w * x[i] * l;
            sum_l2 += w * l * l;
        }
        if (sum_l2 > 0 && sum_lx * sum_lx > best * sum_l2) {
            for (int i = 0; i < 16; i++) L[i] = (int8_t)qk_clamp(qk_nearest(inverse * x[i]), -32, 31);
            scale = sum_lx / sum_l2;
            best = scale * sum_lx;
        }
    }
    return scale;
}

static void qk_quantize_q6_K(const float *x, size_t blocks, qk_block_q6_K *y) {
    for (size_t b = 0; b < blocks; b++, x += QK_SUPER) {
        int8_t L[QK_SUPER];
        float scales[16], max_scale = 0, max_abs = 0;
        for (int g = 0; g < 16; g++) {
            scales[g] = qk_fit_scale6(x + 16 * g, L + 16 * g);
            if (fabsf(scales[g]) > max_abs) {
                max_abs = fabsf(scales[g]);
                max_scale = scales[g];
            }
        }
        memset(&y[b], 0, sizeof y[b]);
        if (max_abs < 1e-15f) continue;
        const float inverse = -128.0f / max_scale;
        y[b].d = qk_f32_to_f16(1 / inverse);
        for (int g = 0; g < 16; g++) {
            const int s = qk_nearest(inverse * scales[g]);
            y[b].scales[g] = (int8_t)(s < 127 ? s : 127);
        }
        uint8_t codes[QK_SUPER];
        for (int g = 0; g < 16; g++) {
            const float d = qk_f16_to_f32(y[b].d) * y[b].scales[g];
            for (int l = 0; l < 16; l++) {
                // A zero scale keeps the search's codes, as ggml does.
                const int q = d != 0 ? qk_clamp(qk_nearest(x[16 * g + l] / d), -32, 31) : L[16 * g + l];
                codes[16 * g + l] = (uint8_t)(q + 32);
            }
        }
        for (int half = 0; half < 2; half++) {
            const uint8_t *c = codes + 128 * half;
            uint8_t *ql = y[b].ql + 64 * half, *qh = y[b].qh + 32 * half;
            for (int l = 0; l < 32; l++) {
                ql[l] = (uint8_t)((c[l] & 0xF) | ((c[l + 64] & 0xF) << 4));
                ql[l + 32] = (uint8_t)((c[l + 32] & 0xF) | ((c[l + 96] & 0xF) << 4));
                qh[l] = (uint8_t)((c[l] >> 4) | ((c[l + 32] >> 4) << 2) | ((c[l + 64] >> 4) << 4) | ((c[l + 96] >> 4) << 6));
            }
        }
    }
}

void qk_quantize_row(qk_format format, const float *x, size_t n, void *out) {
    switch (format) {
    case QK_FORMAT_Q8_0: qk_quantize_q8_0(x, n / QK_BLOCK, out); break;
    case QK_FORMAT_Q4_0: qk_quantize_q4_0(x, n / QK_BLOCK, out); break;
    case QK_FORMAT_Q4_1: qk_quantize_q4_1(x, n / QK_BLOCK, out); break;
    case QK_FORMAT_Q5_0: qk_quantize_q5_0(x, n / QK_BLOCK, out); break;
    case QK_FORMAT_Q4_K: qk_quantize_q4_K(x, n / QK_SUPER, out); break;
    case QK_FORMAT_Q6_K: qk_quantize_q6_K(x, n / QK_SUPER, out); break;
    default: break;
    }
}
