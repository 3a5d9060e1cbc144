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
// Weights are unpacked to signed bytes in small stack buffers; the compiler vectorizes the
// unpacking with the including file's instruction set.

typedef float (*qk_quant_dot_fn)(const void *row, const void *x, size_t blocks);

static float qk_dot_q8_0(const void *row, const void *xq, size_t blocks) {
    const qk_block_q8_0 *w = row;
    const qk_block_q8a *x = xq;
    qk_fvec even = QK_FZERO(), odd = QK_FZERO();
    size_t b = 0;
    for (; b + 1 < blocks; b += 2) {
        even = QK_FMA(even, QK_DOT32(w[b].qs, x[b].qs), QK_F16(w[b].d) * x[b].d);
        odd = QK_FMA(odd, QK_DOT32(w[b + 1].qs, x[b + 1].qs), QK_F16(w[b + 1].d) * x[b + 1].d);
    }
    if (b < blocks) even = QK_FMA(even, QK_DOT32(w[b].qs, x[b].qs), QK_F16(w[b].d) * x[b].d);
    return QK_FSUM(even) + QK_FSUM(odd);
}

static float qk_dot_q4_0(const void *row, const void *xq, size_t blocks) {
    const qk_block_q4_0 *w = row;
    const qk_block_q8a *x = xq;
    qk_fvec acc = QK_FZERO();
    for (size_t b = 0; b < blocks; b++) {
        acc = QK_FMA(acc, QK_DOT_Q4(w[b].qs, 8, x[b].qs), QK_F16(w[b].d) * x[b].d);
    }
    return QK_FSUM(acc);
}

static float qk_dot_q4_1(const void *row, const void *xq, size_t blocks) {
    const qk_block_q4_1 *w = row;
    const qk_block_q8a *x = xq;
    qk_fvec acc = QK_FZERO();
    float offsets = 0;
    for (size_t b = 0; b < blocks; b++) {
        acc = QK_FMA(acc, QK_DOT_Q4(w[b].qs, 0, x[b].qs), QK_F16(w[b].d) * x[b].d);
        offsets += QK_F16(w[b].m) * x[b].sum;
    }
    return QK_FSUM(acc) + offsets;
}

static float qk_dot_q5_0(const void *row, const void *xq, size_t blocks) {
    const qk_block_q5_0 *w = row;
    const qk_block_q8a *x = xq;
    qk_fvec acc = QK_FZERO();
    for (size_t b = 0; b < blocks; b++) {
        uint32_t high;
        memcpy(&high, w[b].qh, sizeof high);
        int8_t q[32];
        for (int j = 0; j < 16; j++) {
            q[j] = (int8_t)(((w[b].qs[j] & 0xF) | (((high >> j) & 1) << 4)) - 16);
            q[j + 16] = (int8_t)(((w[b].qs[j] >> 4) | (((high >> (j + 16)) & 1) << 4)) - 16);
        }
        acc = QK_FMA(acc, QK_DOT32(q, x[b].qs), QK_F16(w[b].d) * x[b].d);
    }
    return QK_FSUM(acc);
}

static float qk_dot_q4_K(const void *row, const void *xq, size_t blocks) {
    const qk_block_q4_K *w = row;
    const qk_block_q8k *x = xq;
    qk_fvec acc = QK_FZERO();
    float offsets = 0;
    for (size_t b = 0; b < blocks; b++) {
        uint8_t scale[8], min[8];
        for (int g = 0; g < 8; g++) qk_q4k_scale_min(w[b].scales, g, &scale[g], &min[g]);
        qk_ivec sum = QK_IZERO();
        for (int k = 0; k < 4; k++) {
            const uint8_t *packed = w[b].qs + 32 * k;
            const int8_t *a = x[b].qs + 64 * k;
            sum = QK_IADD(sum, QK_SCALE2(QK_DOT_NIBBLES(packed, 0, a), scale[2 * k], scale[2 * k]));
            sum = QK_IADD(sum, QK_SCALE2(QK_DOT_NIBBLES(packed, 4, a + 32), scale[2 * k + 1], scale[2 * k + 1]));
        }
        int minSum = 0;
        for (int g = 0; g < 8; g++) minSum += min[g] * (x[b].sums[2 * g] + x[b].sums[2 * g + 1]);
        acc = QK_FMA(acc, sum, QK_F16(w[b].d) * x[b].d);
        offsets += QK_F16(w[b].dmin) * x[b].d * (float)minSum;
    }
    return QK_FSUM(acc) - offsets;
}

static float qk_dot_q6_K(const void *row, const void *xq, size_t blocks) {
    const qk_block_q6_K *w = row;
    const qk_block_q8k *x = xq;
    qk_fvec acc = QK_FZERO();
    for (size_t b = 0; b < blocks; b++) {
        qk_ivec sum = QK_IZERO();
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = w[b].ql + 64 * half, *qh = w[b].qh + 32 * half;
            const int8_t *scale = w[b].scales + 8 * half;
            const int8_t *a = x[b].qs + 128 * half;
            int8_t q1[32], q2[32], q3[32], q4[32];
            for (int l = 0; l < 32; l++) {
                q1[l] = (int8_t)(((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32);
                q2[l] = (int8_t)(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                q3[l] = (int8_t)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                q4[l] = (int8_t)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
            sum = QK_IADD(sum, QK_SCALE2(QK_DOT32(q1, a), scale[0], scale[1]));
            sum = QK_IADD(sum, QK_SCALE2(QK_DOT32(q2, a + 32), scale[2], scale[3]));
            sum = QK_IADD(sum, QK_SCALE2(QK_DOT32(q3, a + 64), scale[4], scale[5]));
            sum = QK_IADD(sum, QK_SCALE2(QK_DOT32(q4, a + 96), scale[6], scale[7]));
        }
        acc = QK_FMA(acc, sum, QK_F16(w[b].d) * x[b].d);
    }
    return QK_FSUM(acc);
}

void QK_ISA_NAME(qk_quant_linear)(const void *xq, size_t x_rows, qk_matrix w, const float *bias,
                                  size_t row_begin, size_t row_end, float *y) {
    qk_quant_dot_fn dot;
    switch (w.format) {
    case QK_FORMAT_Q8_0: dot = qk_dot_q8_0; break;
    case QK_FORMAT_Q4_0: dot = qk_dot_q4_0; break;
    case QK_FORMAT_Q4_1: dot = qk_dot_q4_1; break;
    case QK_FORMAT_Q5_0: dot = qk_dot_q5_0; break;
    case QK_FORMAT_Q4_K: dot = qk_dot_q4_K; break;
    case QK_FORMAT_Q6_K: dot = qk_dot_q6_K; break;
    default: return;
    }
    const size_t row_bytes = qk_quant_row_bytes(w.format, w.columns);
    const size_t x_bytes = qk_quant_activation_bytes(w.format, w.columns);
    const size_t blocks = w.columns / (qk_quant_is_k(w.format) ? QK_SUPER : QK_BLOCK);
    for (size_t r = row_begin; r < row_end; r++) {
        const char *row = (const char *)w.base + r * row_bytes;
        const float b = bias ? bias[r] : 0.0f;
        for (size_t m = 0; m < x_rows; m++)
            y[m * w.rows + r] = dot(row, (const char *)xq + m * x_bytes, blocks) + b;
    }
}
