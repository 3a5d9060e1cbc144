// Plain C kernels: the reference path for every CPU without AVX2 (and Apple silicon).
#include "quant_internal.h"

#include <math.h>

void qk_linear_portable(const float *x, size_t x_rows, qk_matrix w, const float *bias,
                        size_t row_begin, size_t row_end, float *y) {
    const size_t columns = w.columns;
    for (size_t r = row_begin; r < row_end; r++) {
        const void *row = qk_row_pointer(w, r);
        for (size_t m = 0; m < x_rows; m++) {
            const float *xm = x + m * columns;
            float sum[4] = {0, 0, 0, 0};
            size_t c = 0;
            for (; c + 4 <= columns; c += 4)
                for (size_t lane = 0; lane < 4; lane++)
                    sum[lane] += xm[c + lane] * qk_element(row, w.format, c + lane);
            for (; c < columns; c++) sum[0] += xm[c] * qk_element(row, w.format, c);
            float total = (sum[0] + sum[1]) + (sum[2] + sum[3]);
            y[m * w.rows + r] = bias ? total + bias[r] : total;
        }
    }
}

void qk_matrix_row_portable(qk_matrix w, size_t row, float *y) {
    const void *source = qk_row_pointer(w, row);
    for (size_t c = 0; c < w.columns; c++) y[c] = qk_element(source, w.format, c);
}

void qk_rms_norm_portable(const float *x, const float *weight, float epsilon, size_t n, float *y) {
    const float inverse = qk_rms_inverse(x, n, epsilon);
    for (size_t i = 0; i < n; i++) y[i] = (x[i] * inverse) * weight[i];
}

void qk_silu_multiply_portable(float *gate, const float *up, size_t n) {
    for (size_t i = 0; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

void qk_add_portable(const float *y, float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] += y[i];
}

void qk_softmax_portable(float *x, size_t n) {
    if (n == 0) return;
    float maximum = x[0];
    for (size_t i = 1; i < n; i++) maximum = x[i] > maximum ? x[i] : maximum;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = expf(x[i] - maximum);
        sum += x[i];
    }
    const float inverse = (float)(1.0 / sum);
    for (size_t i = 0; i < n; i++) x[i] *= inverse;
}

/// Element d of a cached key or value row of `format`.
static inline float qk_kv_element(const void *row, size_t d, qk_format format) {
    switch (format) {
    case QK_FORMAT_F16: return qk_f16_to_f32(((const uint16_t *)row)[d]);
    case QK_FORMAT_Q8_0: {
        const qk_block_q8_0 *block = (const qk_block_q8_0 *)row + d / QK_BLOCK;
        return qk_f16_to_f32(block->d) * (float)block->qs[d % QK_BLOCK];
    }
    default: return ((const float *)row)[d];
    }
}

__attribute__((always_inline)) static inline void qk_scores(qk_format format, const float *q, const char *keys, size_t row_bytes, size_t count,
                             size_t dim, float scale, float *scores) {
    for (size_t j = 0; j < count; j++) {
        const void *k = keys + j * row_bytes;
        float sum = 0;
        for (size_t d = 0; d < dim; d++) sum += q[d] * qk_kv_element(k, d, format);
        scores[j] = sum * scale;
    }
}

void qk_attention_scores_portable(qk_format format, const float *q, const void *keys, size_t row_bytes,
                                  size_t count, size_t dim, float scale, float *scores) {
    QK_KV_SPECIALIZE(format, qk_scores, q, keys, row_bytes, count, dim, scale, scores)
}

__attribute__((always_inline)) static inline void qk_mix(qk_format format, const float *p, const char *values, size_t row_bytes, size_t count,
                          size_t dim, float *out) {
    for (size_t j = 0; j < count; j++) {
        const void *v = values + j * row_bytes;
        for (size_t d = 0; d < dim; d++) out[d] += p[j] * qk_kv_element(v, d, format);
    }
}

void qk_attention_mix_portable(qk_format format, const float *p, const void *values, size_t row_bytes,
                               size_t count, size_t dim, float *out) {
    QK_KV_SPECIALIZE_CODED(format, qk_mix, p, values, row_bytes, count, dim, out)
}

/// The running sums of qk_attention_mix_lanes reduced in llama.cpp's order: 8 as its tinyBLAS hsum,
/// 32 as its vec_dot_f32 (the four 8-lane vectors as (0 + 2) + (1 + 3), then halves and pairs).
static float qk_reduce_lanes(const float *s, size_t lanes) {
    float x[8], t[4];
    for (int i = 0; i < 8; i++) x[i] = lanes == 8 ? s[i] : (s[i] + s[16 + i]) + (s[8 + i] + s[24 + i]);
    for (int i = 0; i < 4; i++) t[i] = x[i] + x[i + 4];
    return lanes == 8 ? (t[0] + t[2]) + (t[1] + t[3]) : (t[0] + t[1]) + (t[2] + t[3]);
}

void qk_attention_mix_lanes_portable(const float *p, size_t p_stride, const float *values, size_t row_floats,
                                     size_t first, size_t count, size_t dim, size_t lanes, size_t heads, float *out,
                                     size_t out_stride) {
    for (size_t h = 0; h < heads; h++) {
        for (size_t d = 0; d < dim; d++) {
            float sums[32] = {0};
            for (size_t j = 0; j < count; j++)
                sums[(first + j) % lanes] = fmaf(values[j * row_floats + d], p[h * p_stride + j], sums[(first + j) % lanes]);
            out[h * out_stride + d] = qk_reduce_lanes(sums, lanes);
        }
    }
}
