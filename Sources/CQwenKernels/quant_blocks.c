// Block sizes, activation quantization, dequantization and the dispatch of quantized linear layers.
#include "quant_internal.h"

#include <math.h>
#include <stdatomic.h>

size_t qk_quant_row_bytes(qk_format format, size_t columns) {
    switch (format) {
    case QK_FORMAT_Q8_0: case QK_FORMAT_Q8_0_X8: return columns / QK_BLOCK * sizeof(qk_block_q8_0);
    case QK_FORMAT_Q4_0: case QK_FORMAT_Q4_0_X8: return columns / QK_BLOCK * sizeof(qk_block_q4_0);
    case QK_FORMAT_Q4_1: return columns / QK_BLOCK * sizeof(qk_block_q4_1);
    case QK_FORMAT_Q5_0: case QK_FORMAT_Q5_0_X8: return columns / QK_BLOCK * sizeof(qk_block_q5_0);
    case QK_FORMAT_Q4_K: case QK_FORMAT_Q4_K_X8: return columns / QK_SUPER * sizeof(qk_block_q4_K);
    case QK_FORMAT_Q6_K: case QK_FORMAT_Q6_K_X8: return columns / QK_SUPER * sizeof(qk_block_q6_K);
    default: return columns * qk_format_size(format);
    }
}

size_t qk_quant_activation_bytes(qk_format format, size_t columns) {
    return qk_quant_is_k(format) ? columns / QK_SUPER * sizeof(qk_block_q8k)
                                 : columns / QK_BLOCK * sizeof(qk_block_q8a);
}

/// llama.cpp's x86 Q8_0 / Q8_1 activation rule: d = max|x| / 127, q = x · (127 / max|x|) rounded to
/// nearest, ties to even; d and d · Σq are kept as float16 like ggml stores them. (ggml's portable
/// reference rounds x · (1 / d) with ties away from zero: a rare one-step difference, which a random
/// model amplifies to half a logit.)
static void qk_quantize_q8a(const float *x, size_t columns, qk_block_q8a *out) {
    for (size_t b = 0; b < columns / QK_BLOCK; b++, x += QK_BLOCK) {
        float amax = 0;
        for (int j = 0; j < QK_BLOCK; j++) amax = fmaxf(amax, fabsf(x[j]));
        const float d = amax / 127.0f, inverse = amax != 0 ? 127.0f / amax : 0.0f;
        int32_t sum = 0;
        for (int j = 0; j < QK_BLOCK; j++) {
            out[b].qs[j] = (int8_t)nearbyintf(x[j] * inverse);
            sum += out[b].qs[j];
        }
        out[b].d = qk_f16_to_f32(qk_f32_to_f16(d));
        out[b].sum = qk_f16_to_f32(qk_f32_to_f16((float)sum * d));
        out[b].q_sum = sum;
    }
}

/// ggml's Q8_K rule: the value of largest magnitude maps to -127, q = round(x · -127 / max).
static void qk_quantize_q8k(const float *x, size_t columns, qk_block_q8k *out) {
    for (size_t b = 0; b < columns / QK_SUPER; b++, x += QK_SUPER) {
        float amax = 0, max = 0;
        for (int j = 0; j < QK_SUPER; j++) {
            if (fabsf(x[j]) > amax) {
                amax = fabsf(x[j]);
                max = x[j];
            }
        }
        if (amax == 0) {
            memset(&out[b], 0, sizeof out[b]);
            continue;
        }
        const float inverse = -127.0f / max;
        for (int j = 0; j < QK_SUPER; j++) {
            const float q = nearbyintf(inverse * x[j]);
            out[b].qs[j] = (int8_t)(q > 127 ? 127 : q);
        }
        for (int g = 0; g < QK_SUPER / 16; g++) {
            int sum = 0;
            for (int j = 0; j < 16; j++) sum += out[b].qs[16 * g + j];
            out[b].sums[g] = (int16_t)sum;
        }
        out[b].d = 1.0f / inverse;
    }
}

void qk_quantize_activation(qk_isa isa, qk_format format, const float *x, size_t columns, void *out) {
#if defined(__x86_64__) || defined(_M_X64)
    if (isa != QK_ISA_PORTABLE) {
        if (qk_quant_is_k(format)) qk_quantize_q8k_avx2(x, columns, out);
        else qk_quantize_q8a_avx2(x, columns, out);
        return;
    }
#endif
    (void)isa;
    if (qk_quant_is_k(format)) qk_quantize_q8k(x, columns, out);
    else qk_quantize_q8a(x, columns, out);
}

static void qk_dequantize_q8_0(const qk_block_q8_0 *w, size_t blocks, float *y) {
    for (size_t b = 0; b < blocks; b++, y += QK_BLOCK) {
        const float d = qk_f16_to_f32(w[b].d);
        for (int j = 0; j < QK_BLOCK; j++) y[j] = d * w[b].qs[j];
    }
}

static void qk_dequantize_q4_0(const qk_block_q4_0 *w, size_t blocks, float *y) {
    for (size_t b = 0; b < blocks; b++, y += QK_BLOCK) {
        const float d = qk_f16_to_f32(w[b].d);
        for (int j = 0; j < 16; j++) {
            y[j] = d * ((w[b].qs[j] & 0xF) - 8);
            y[j + 16] = d * ((w[b].qs[j] >> 4) - 8);
        }
    }
}

static void qk_dequantize_q4_1(const qk_block_q4_1 *w, size_t blocks, float *y) {
    for (size_t b = 0; b < blocks; b++, y += QK_BLOCK) {
        const float d = qk_f16_to_f32(w[b].d), m = qk_f16_to_f32(w[b].m);
        for (int j = 0; j < 16; j++) {
            y[j] = d * (w[b].qs[j] & 0xF) + m;
            y[j + 16] = d * (w[b].qs[j] >> 4) + m;
        }
    }
}

static void qk_dequantize_q5_0(const qk_block_q5_0 *w, size_t blocks, float *y) {
    for (size_t b = 0; b < blocks; b++, y += QK_BLOCK) {
        const float d = qk_f16_to_f32(w[b].d);
        uint32_t high;
        memcpy(&high, w[b].qh, sizeof high);
        for (int j = 0; j < 16; j++) {
            y[j] = d * (int)(((w[b].qs[j] & 0xF) | (((high >> j) & 1) << 4)) - 16);
            y[j + 16] = d * (int)(((w[b].qs[j] >> 4) | (((high >> (j + 16)) & 1) << 4)) - 16);
        }
    }
}

static void qk_dequantize_q4_K(const qk_block_q4_K *w, size_t blocks, float *y) {
    for (size_t b = 0; b < blocks; b++) {
        const float d = qk_f16_to_f32(w[b].d), dmin = qk_f16_to_f32(w[b].dmin);
        for (int k = 0; k < 4; k++) {
            uint8_t s0, m0, s1, m1;
            qk_q4k_scale_min(w[b].scales, 2 * k, &s0, &m0);
            qk_q4k_scale_min(w[b].scales, 2 * k + 1, &s1, &m1);
            const uint8_t *q = w[b].qs + 32 * k;
            for (int l = 0; l < 32; l++) *y++ = d * s0 * (q[l] & 0xF) - dmin * m0;
            for (int l = 0; l < 32; l++) *y++ = d * s1 * (q[l] >> 4) - dmin * m1;
        }
    }
}

static void qk_dequantize_q6_K(const qk_block_q6_K *w, size_t blocks, float *y) {
    for (size_t b = 0; b < blocks; b++) {
        const float d = qk_f16_to_f32(w[b].d);
        for (int half = 0; half < 2; half++, y += 128) {
            const uint8_t *ql = w[b].ql + 64 * half, *qh = w[b].qh + 32 * half;
            const int8_t *s = w[b].scales + 8 * half;
            for (int l = 0; l < 32; l++) {
                const int g = l / 16;
                y[l] = d * s[g] * (((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32);
                y[l + 32] = d * s[g + 2] * (((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                y[l + 64] = d * s[g + 4] * (((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                y[l + 96] = d * s[g + 6] * (((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
        }
    }
}

qk_format qk_quant_interleaved_format(qk_format format) {
    switch (format) {
    case QK_FORMAT_Q8_0: return QK_FORMAT_Q8_0_X8;
    case QK_FORMAT_Q4_0: return QK_FORMAT_Q4_0_X8;
    case QK_FORMAT_Q5_0: return QK_FORMAT_Q5_0_X8;
    case QK_FORMAT_Q4_K: return QK_FORMAT_Q4_K_X8;
    case QK_FORMAT_Q6_K: return QK_FORMAT_Q6_K_X8;
    default: return format;
    }
}

/// qk_quant_interleave for Q6_K.
static void qk_interleave_q6_K(qk_matrix w, size_t row_begin, size_t row_end, void *out) {
    const size_t blocks = w.columns / QK_SUPER, row_bytes = qk_quant_row_bytes(w.format, w.columns);
    for (size_t first = row_begin; first < row_end; first += 8) {
        const char *rows = (const char *)w.base + first * row_bytes;
        for (size_t b = 0; b < blocks; b++) {
            qk_block_q6_Kx8 *to = (qk_block_q6_Kx8 *)out + first / 8 * blocks + b;
            for (int lane = 0; lane < 8; lane++) {
                const qk_block_q6_K *from = (const qk_block_q6_K *)(rows + lane * row_bytes) + b;
                to->d[lane] = from->d;
                for (int t = 0; t < 16; t++) to->scales[t][lane] = from->scales[t];
                qk_x8_scatter(from->ql, 32, lane, to->ql);
                qk_x8_scatter(from->qh, 16, lane, to->qh);
            }
        }
    }
}

/// qk_quant_interleave for Q4_K.
static void qk_interleave_q4_K(qk_matrix w, size_t row_begin, size_t row_end, void *out) {
    const size_t blocks = w.columns / QK_SUPER, row_bytes = qk_quant_row_bytes(w.format, w.columns);
    for (size_t first = row_begin; first < row_end; first += 8) {
        const char *rows = (const char *)w.base + first * row_bytes;
        for (size_t b = 0; b < blocks; b++) {
            qk_block_q4_Kx8 *to = (qk_block_q4_Kx8 *)out + first / 8 * blocks + b;
            for (int lane = 0; lane < 8; lane++) {
                const qk_block_q4_K *from = (const qk_block_q4_K *)(rows + lane * row_bytes) + b;
                to->d[lane] = from->d;
                to->dmin[lane] = from->dmin;
                for (int t = 0; t < 12; t++) to->scales[t][lane] = from->scales[t];
                qk_x8_scatter(from->qs, 32, lane, to->qs);
            }
        }
    }
}

/// qk_quant_interleave, the pages being in.
static void qk_quant_interleave_rows(qk_matrix w, size_t row_begin, size_t row_end, void *out) {
    if (w.format == QK_FORMAT_Q4_K) return qk_interleave_q4_K(w, row_begin, row_end, out);
    if (w.format == QK_FORMAT_Q6_K) return qk_interleave_q6_K(w, row_begin, row_end, out);
    const size_t blocks = w.columns / QK_BLOCK, row_bytes = qk_quant_row_bytes(w.format, w.columns);
    for (size_t first = row_begin; first < row_end; first += 8) {
        const char *rows = (const char *)w.base + first * row_bytes;
        for (size_t b = 0; b < blocks; b++) {
            if (w.format == QK_FORMAT_Q8_0) {
                qk_block_q8_0x8 *to = (qk_block_q8_0x8 *)out + first / 8 * blocks + b;
                for (int lane = 0; lane < 8; lane++) {
                    const qk_block_q8_0 *from = (const qk_block_q8_0 *)(rows + lane * row_bytes) + b;
                    to->d[lane] = from->d;
                    qk_x8_scatter((const uint8_t *)from->qs, 8, lane, (uint8_t *)to->qs);
                }
            } else if (w.format == QK_FORMAT_Q4_0) {
                qk_block_q4_0x8 *to = (qk_block_q4_0x8 *)out + first / 8 * blocks + b;
                for (int lane = 0; lane < 8; lane++) {
                    const qk_block_q4_0 *from = (const qk_block_q4_0 *)(rows + lane * row_bytes) + b;
                    to->d[lane] = from->d;
                    qk_x8_scatter(from->qs, 4, lane, to->qs);
                }
            } else {
                qk_block_q5_0x8 *to = (qk_block_q5_0x8 *)out + first / 8 * blocks + b;
                memset(to->qh, 0, sizeof to->qh);
                for (int lane = 0; lane < 8; lane++) {
                    const qk_block_q5_0 *from = (const qk_block_q5_0 *)(rows + lane * row_bytes) + b;
                    uint32_t high;
                    memcpy(&high, from->qh, sizeof high);
                    to->d[lane] = from->d;
                    for (int i = 0; i < 8; i++) to->qh[i] |= ((high >> (4 * (i % 4) + 16 * (i / 4))) & 0xF) << (4 * lane);
                    qk_x8_scatter(from->qs, 4, lane, to->qs);
                }
            }
        }
    }
}

void qk_quant_interleave(qk_matrix w, size_t row_begin, size_t row_end, void *out) {
    // Every 8 rows fill 8 rows' bytes in both layouts, so the rows' bytes sit at the same offsets.
    const size_t row_bytes = qk_quant_row_bytes(w.format, w.columns);
    qk_prefault_write((char *)out + row_begin * row_bytes, (row_end - row_begin) * row_bytes);
    qk_quant_interleave_rows(w, row_begin, row_end, out);
}

/// `blocks` blocks of the row-major quantized `format` at `p`, dequantized to y.
static inline void qk_dequantize_blocks(qk_format format, const void *p, size_t blocks, float *y) {
    switch (format) {
    case QK_FORMAT_Q8_0: qk_dequantize_q8_0(p, blocks, y); break;
    case QK_FORMAT_Q4_0: qk_dequantize_q4_0(p, blocks, y); break;
    case QK_FORMAT_Q4_1: qk_dequantize_q4_1(p, blocks, y); break;
    case QK_FORMAT_Q5_0: qk_dequantize_q5_0(p, blocks, y); break;
    case QK_FORMAT_Q4_K: qk_dequantize_q4_K(p, blocks, y); break;
    case QK_FORMAT_Q6_K: qk_dequantize_q6_K(p, blocks, y); break;
    default: break;
    }
}

static void qk_dequantize_x8(qk_matrix w, size_t row, float *y) {
    const qk_format plain = qk_x8_plain_format(w.format);
    const size_t block_size = qk_quant_is_k(plain) ? QK_SUPER : QK_BLOCK;
    for (size_t b = 0; b < w.columns / block_size; b++, y += block_size) {
        union { qk_block_q8_0 q8_0; qk_block_q4_0 q4_0; qk_block_q5_0 q5_0; qk_block_q4_K q4_K; qk_block_q6_K q6_K; } block;
        qk_x8_row_block(w, row, b, &block);
        qk_dequantize_blocks(plain, &block, 1, y);
    }
}

void qk_quant_matrix_row(qk_matrix w, size_t row, float *y) {
    if (qk_quant_is_x8(w.format)) return qk_dequantize_x8(w, row, y);
    const size_t blocks = w.columns / (qk_quant_is_k(w.format) ? QK_SUPER : QK_BLOCK);
    qk_dequantize_blocks(w.format, (const char *)w.base + row * qk_quant_row_bytes(w.format, w.columns), blocks, y);
}

#if defined(__x86_64__) || defined(_M_X64)
/// Whether the CPU has AVX-512 VNNI (-1 until first asked); the AVX-512 path needs it.
static atomic_int qk_has_vnni = -1;
#endif

/// qk_quant_linear (prefill 0) or qk_quant_linear_prefill (1) on the best path `isa` allows.
static void qk_quant_linear_isa(qk_isa isa, const void *xq, size_t x_rows, qk_matrix w, const float *bias,
                                size_t row_begin, size_t row_end, float *y, int prefill) {
#if defined(__x86_64__) || defined(_M_X64)
    if (isa == QK_ISA_AVX512) {
        int vnni = atomic_load_explicit(&qk_has_vnni, memory_order_relaxed);
        if (vnni < 0) {
            vnni = qk_detect_cpu_features().avx512vnni;
            atomic_store_explicit(&qk_has_vnni, vnni, memory_order_relaxed);
        }
        if (vnni) {
            qk_quant_linear_avx512(xq, x_rows, w, bias, row_begin, row_end, y, prefill);
            return;
        }
        isa = QK_ISA_AVX2;
    }
    if (isa == QK_ISA_AVX2) {
        qk_quant_linear_avx2(xq, x_rows, w, bias, row_begin, row_end, y, prefill);
        return;
    }
#endif
    (void)isa;
    qk_quant_linear_portable(xq, x_rows, w, bias, row_begin, row_end, y, prefill);
}

void qk_quant_linear(qk_isa isa, const void *xq, size_t x_rows, qk_matrix w, const float *bias,
                     size_t row_begin, size_t row_end, float *y) {
    qk_quant_linear_isa(isa, xq, x_rows, w, bias, row_begin, row_end, y, 0);
}

void qk_quant_linear_prefill(qk_isa isa, const void *xq, size_t x_rows, qk_matrix w, const float *bias,
                             size_t row_begin, size_t row_end, float *y) {
    qk_quant_linear_isa(isa, xq, x_rows, w, bias, row_begin, row_end, y, 1);
}
