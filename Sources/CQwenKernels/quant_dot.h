// Dot products of quantized weight rows with 8-bit activation rows, and the linear layer built on
// them, written once over a few integer primitives that each quant_<isa>.c defines before
// including this file (inside its target attribute):
//
//   qk_ivec QK_DOT32(const int8_t *w, const int8_t *x)  Σ w·x of 32 signed bytes, left in lanes
//                                                      that hold values 0..15, then 16..31
//   qk_ivec QK_DOT_Q4(const uint8_t *qs, int offset, const int8_t *x)  QK_DOT32 of 16 bytes of
//                                                      nibbles (low: values 0..15, high: 16..31)
//                                                      minus offset
//   qk_ivec QK_DOT_NIBBLES(const uint8_t *q, int shift, const int8_t *x)  QK_DOT32 of the low
//                                                      (shift 0) or high (4) nibbles of 32 bytes
//   qk_ivec QK_SCALE2(qk_ivec v, int first, int second) the two halves times their own scale
//   qk_ivec QK_IADD(qk_ivec, qk_ivec), QK_IZERO()
//   qk_fvec QK_FZERO(), QK_FMA(qk_fvec acc, qk_ivec v, float scale)  acc + float(v) · scale
//   float   QK_FSUM(qk_fvec), QK_F16(uint16_t)
//   QK_ISA_NAME(name)                                   name with the path's suffix
//
// Each qk_dots_<format> takes one weight row and `mr` (1...QK_DOT_ROWS) activation rows: the weight
// blocks are loaded and unpacked once for all of them (to signed bytes in small stack buffers, which
// the compiler vectorizes with the including file's instruction set), and every output goes through
// exactly the operations it would alone. So a row's result never depends on how many rows share
// the call — batched decoding returns what decoding alone returns, bit for bit.

#define QK_DOT_INLINE static inline __attribute__((always_inline))

/// Activation rows one call of a qk_dots_<format> function serves.
enum { QK_DOT_ROWS = 4 };

/// The activation row `m` of a batch whose rows are `stride` bytes apart.
#define QK_ACTIVATION(type, xq, stride, m) ((const type *)((const char *)(xq) + (size_t)(m) * (stride)))

QK_DOT_INLINE void qk_dots_q8_0(const int mr, const void *row, const void *xq, size_t stride, size_t blocks,
                                float *out) {
    const qk_block_q8_0 *w = row;
    qk_fvec even[QK_DOT_ROWS], odd[QK_DOT_ROWS];
    for (int m = 0; m < mr; m++) even[m] = odd[m] = QK_FZERO();
    size_t b = 0;
    for (; b + 1 < blocks; b += 2) {
        const float d0 = QK_F16(w[b].d), d1 = QK_F16(w[b + 1].d);
        for (int m = 0; m < mr; m++) {
            const qk_block_q8a *x = QK_ACTIVATION(qk_block_q8a, xq, stride, m);
            even[m] = QK_FMA(even[m], QK_DOT32(w[b].qs, x[b].qs), d0 * x[b].d);
            odd[m] = QK_FMA(odd[m], QK_DOT32(w[b + 1].qs, x[b + 1].qs), d1 * x[b + 1].d);
        }
    }
    if (b < blocks) {
        const float d0 = QK_F16(w[b].d);
        for (int m = 0; m < mr; m++) {
            const qk_block_q8a *x = QK_ACTIVATION(qk_block_q8a, xq, stride, m);
            even[m] = QK_FMA(even[m], QK_DOT32(w[b].qs, x[b].qs), d0 * x[b].d);
        }
    }
    for (int m = 0; m < mr; m++) out[m] = QK_FSUM(even[m]) + QK_FSUM(odd[m]);
}

QK_DOT_INLINE void qk_dots_q4_0(const int mr, const void *row, const void *xq, size_t stride, size_t blocks,
                                float *out) {
    const qk_block_q4_0 *w = row;
    qk_fvec acc[QK_DOT_ROWS];
    for (int m = 0; m < mr; m++) acc[m] = QK_FZERO();
    for (size_t b = 0; b < blocks; b++) {
        const float d = QK_F16(w[b].d);
        for (int m = 0; m < mr; m++) {
            const qk_block_q8a *x = QK_ACTIVATION(qk_block_q8a, xq, stride, m);
            acc[m] = QK_FMA(acc[m], QK_DOT_Q4(w[b].qs, 8, x[b].qs), d * x[b].d);
        }
    }
    for (int m = 0; m < mr; m++) out[m] = QK_FSUM(acc[m]);
}

QK_DOT_INLINE void qk_dots_q4_1(const int mr, const void *row, const void *xq, size_t stride, size_t blocks,
                                float *out) {
    const qk_block_q4_1 *w = row;
    qk_fvec acc[QK_DOT_ROWS];
    float offsets[QK_DOT_ROWS];
    for (int m = 0; m < mr; m++) acc[m] = QK_FZERO(), offsets[m] = 0;
    for (size_t b = 0; b < blocks; b++) {
        const float d = QK_F16(w[b].d), min = QK_F16(w[b].m);
        for (int m = 0; m < mr; m++) {
            const qk_block_q8a *x = QK_ACTIVATION(qk_block_q8a, xq, stride, m);
            acc[m] = QK_FMA(acc[m], QK_DOT_Q4(w[b].qs, 0, x[b].qs), d * x[b].d);
            offsets[m] += min * x[b].sum;
        }
    }
    for (int m = 0; m < mr; m++) out[m] = QK_FSUM(acc[m]) + offsets[m];
}

QK_DOT_INLINE void qk_dots_q5_0(const int mr, const void *row, const void *xq, size_t stride, size_t blocks,
                                float *out) {
    const qk_block_q5_0 *w = row;
    qk_fvec acc[QK_DOT_ROWS];
    for (int m = 0; m < mr; m++) acc[m] = QK_FZERO();
    for (size_t b = 0; b < blocks; b++) {
        uint32_t high;
        memcpy(&high, w[b].qh, sizeof high);
        int8_t q[32];
        for (int j = 0; j < 16; j++) {
            q[j] = (int8_t)(((w[b].qs[j] & 0xF) | (((high >> j) & 1) << 4)) - 16);
            q[j + 16] = (int8_t)(((w[b].qs[j] >> 4) | (((high >> (j + 16)) & 1) << 4)) - 16);
        }
        const float d = QK_F16(w[b].d);
        for (int m = 0; m < mr; m++) {
            const qk_block_q8a *x = QK_ACTIVATION(qk_block_q8a, xq, stride, m);
            acc[m] = QK_FMA(acc[m], QK_DOT32(q, x[b].qs), d * x[b].d);
        }
    }
    for (int m = 0; m < mr; m++) out[m] = QK_FSUM(acc[m]);
}

QK_DOT_INLINE void qk_dots_q4_K(const int mr, const void *row, const void *xq, size_t stride, size_t blocks,
                                float *out) {
    const qk_block_q4_K *w = row;
    qk_fvec acc[QK_DOT_ROWS];
    float offsets[QK_DOT_ROWS];
    for (int m = 0; m < mr; m++) acc[m] = QK_FZERO(), offsets[m] = 0;
    for (size_t b = 0; b < blocks; b++) {
        uint8_t scale[8], min[8];
        for (int g = 0; g < 8; g++) qk_q4k_scale_min(w[b].scales, g, &scale[g], &min[g]);
        const float d = QK_F16(w[b].d), dmin = QK_F16(w[b].dmin);
        for (int m = 0; m < mr; m++) {
            const qk_block_q8k *x = QK_ACTIVATION(qk_block_q8k, xq, stride, m);
            qk_ivec sum = QK_IZERO();
            for (int k = 0; k < 4; k++) {
                const uint8_t *packed = w[b].qs + 32 * k;
                const int8_t *a = x[b].qs + 64 * k;
                sum = QK_IADD(sum, QK_SCALE2(QK_DOT_NIBBLES(packed, 0, a), scale[2 * k], scale[2 * k]));
                sum = QK_IADD(sum, QK_SCALE2(QK_DOT_NIBBLES(packed, 4, a + 32), scale[2 * k + 1], scale[2 * k + 1]));
            }
            int minSum = 0;
            for (int g = 0; g < 8; g++) minSum += min[g] * (x[b].sums[2 * g] + x[b].sums[2 * g + 1]);
            acc[m] = QK_FMA(acc[m], sum, d * x[b].d);
            offsets[m] += dmin * x[b].d * (float)minSum;
        }
    }
    for (int m = 0; m < mr; m++) out[m] = QK_FSUM(acc[m]) - offsets[m];
}

QK_DOT_INLINE void qk_dots_q6_K(const int mr, const void *row, const void *xq, size_t stride, size_t blocks,
                                float *out) {
    const qk_block_q6_K *w = row;
    qk_fvec acc[QK_DOT_ROWS];
    for (int m = 0; m < mr; m++) acc[m] = QK_FZERO();
    for (size_t b = 0; b < blocks; b++) {
        int8_t q[2][4][32];
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = w[b].ql + 64 * half, *qh = w[b].qh + 32 * half;
            for (int l = 0; l < 32; l++) {
                q[half][0][l] = (int8_t)(((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32);
                q[half][1][l] = (int8_t)(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                q[half][2][l] = (int8_t)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                q[half][3][l] = (int8_t)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
        }
        const float d = QK_F16(w[b].d);
        for (int m = 0; m < mr; m++) {
            const qk_block_q8k *x = QK_ACTIVATION(qk_block_q8k, xq, stride, m);
            qk_ivec sum = QK_IZERO();
            for (int half = 0; half < 2; half++) {
                const int8_t *scale = w[b].scales + 8 * half;
                const int8_t *a = x[b].qs + 128 * half;
                for (int k = 0; k < 4; k++)
                    sum = QK_IADD(sum, QK_SCALE2(QK_DOT32(q[half][k], a + 32 * k), scale[2 * k], scale[2 * k + 1]));
            }
            acc[m] = QK_FMA(acc[m], sum, d * x[b].d);
        }
    }
    for (int m = 0; m < mr; m++) out[m] = QK_FSUM(acc[m]);
}

/// The dot products of one weight row with `mr` activation rows, for any `mr` up to QK_DOT_ROWS.
typedef void (*qk_quant_dots_fn)(size_t mr, const void *row, const void *xq, size_t stride, size_t blocks,
                                 float *out);

#define QK_DOTS_ANY(format)                                                                              \
    static void qk_dots_##format##_any(size_t mr, const void *row, const void *xq, size_t stride,         \
                                       size_t blocks, float *out) {                                       \
        switch (mr) {                                                                                     \
        case 1: qk_dots_##format(1, row, xq, stride, blocks, out); break;                                 \
        case 2: qk_dots_##format(2, row, xq, stride, blocks, out); break;                                 \
        case 3: qk_dots_##format(3, row, xq, stride, blocks, out); break;                                 \
        default: qk_dots_##format(4, row, xq, stride, blocks, out); break;                                \
        }                                                                                                 \
    }
QK_DOTS_ANY(q8_0)
QK_DOTS_ANY(q4_0)
QK_DOTS_ANY(q4_1)
QK_DOTS_ANY(q5_0)
QK_DOTS_ANY(q4_K)
QK_DOTS_ANY(q6_K)
#undef QK_DOTS_ANY

void QK_ISA_NAME(qk_quant_linear)(const void *xq, size_t x_rows, qk_matrix w, const float *bias,
                                  size_t row_begin, size_t row_end, float *y) {
    qk_quant_dots_fn dots;
    switch (w.format) {
    case QK_FORMAT_Q8_0: dots = qk_dots_q8_0_any; break;
    case QK_FORMAT_Q4_0: dots = qk_dots_q4_0_any; break;
    case QK_FORMAT_Q4_1: dots = qk_dots_q4_1_any; break;
    case QK_FORMAT_Q5_0: dots = qk_dots_q5_0_any; break;
    case QK_FORMAT_Q4_K: dots = qk_dots_q4_K_any; break;
    case QK_FORMAT_Q6_K: dots = qk_dots_q6_K_any; break;
    default: return;
    }
    const size_t row_bytes = qk_quant_row_bytes(w.format, w.columns);
    const size_t x_bytes = qk_quant_activation_bytes(w.format, w.columns);
    const size_t blocks = w.columns / (qk_quant_is_k(w.format) ? QK_SUPER : QK_BLOCK);
    float out[QK_DOT_ROWS];
    for (size_t r = row_begin; r < row_end; r++) {
        const char *row = (const char *)w.base + r * row_bytes;
        const float b = bias ? bias[r] : 0.0f;
        for (size_t m = 0; m < x_rows; m += QK_DOT_ROWS) {
            const size_t mr = x_rows - m < QK_DOT_ROWS ? x_rows - m : QK_DOT_ROWS;
            dots(mr, row, (const char *)xq + m * x_bytes, x_bytes, blocks, out);
            for (size_t i = 0; i < mr; i++) y[(m + i) * w.rows + r] = out[i] + b;
        }
    }
}
