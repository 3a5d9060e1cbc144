// Dot products of quantized weight rows with 8-bit activation rows, and the linear layer built on
// them, written once over a few integer primitives that each quant_<isa>.c defines before
// including this file (inside its target attribute):
//
//   qk_ivec QK_DOT32(const int8_t *w, const int8_t *x)  Σ w·x of 32 signed bytes, left in lanes
//                                                      that hold values 0..15, then 16..31
//   qk_ivec QK_DOT_Q4(const uint8_t *qs, int offset, const int8_t *x)  QK_DOT32 of 16 bytes of
//                                                      nibbles (low: values 0..15, high: 16..31)
//                                                      minus offset
//   qk_ivec QK_DOT_Q5(const uint8_t *qs, const uint8_t *qh, const int8_t *x)  QK_DOT32 of a Q5_0
//                                                      block's values (nibble | fifth bit << 4) - 16
//   qk_ivec QK_DOT_NIBBLES(const uint8_t *q, int shift, const int8_t *x)  QK_DOT32 of the low
//                                                      (shift 0) or high (4) nibbles of 32 bytes
//   qk_ivec QK_SCALE2(qk_ivec v, int first, int second) the two halves times their own scale
//   qk_ivec QK_IADD(qk_ivec, qk_ivec), QK_IZERO()
//   qk_fvec QK_FZERO(), QK_FMA(qk_fvec acc, qk_ivec v, float scale)  acc + float(v) · scale
//   float   QK_FSUM(qk_fvec), QK_F16(uint16_t)
//   QK_ISA_NAME(name)                                   name with the path's suffix
//   qk_quant_linear_x8(..., int prefill)                qk_quant_linear (prefill 0) or
//                                                      qk_quant_linear_prefill (1) for the _X8 formats
//
// The 32-value block formats run in tiles of up to QK_TILE_ROWS weight rows × QK_DOT_ROWS activation
// rows (qk_tile_blocks); each k-quant qk_dots_<format> takes one weight row and up to QK_DOT_ROWS
// activation rows. Either way the weight blocks are loaded and unpacked once for every activation
// row, and every output goes through exactly the operations it would alone, in llama.cpp's order.
// So a row's result never depends on how many rows share the call — batched decoding returns what
// decoding alone returns, bit for bit.

#define QK_DOT_INLINE static inline __attribute__((always_inline))

/// Weight rows of one block-format tile (with QK_DOT_ROWS activation rows).
enum { QK_TILE_ROWS = 4 };

/// The integer dot product of block `b` of a weight row of the 32-value block format `format` (a
/// constant, so the switch folds) with the 32 activation bytes `x`.
QK_DOT_INLINE qk_ivec qk_block_dot(const int format, const void *row, size_t b, const int8_t *x) {
    switch (format) {
    case QK_FORMAT_Q8_0: return QK_DOT32(((const qk_block_q8_0 *)row)[b].qs, x);
    case QK_FORMAT_Q4_0: return QK_DOT_Q4(((const qk_block_q4_0 *)row)[b].qs, 8, x);
    case QK_FORMAT_Q4_1: return QK_DOT_Q4(((const qk_block_q4_1 *)row)[b].qs, 0, x);
    default: return QK_DOT_Q5(((const qk_block_q5_0 *)row)[b].qs, ((const qk_block_q5_0 *)row)[b].qh, x);
    }
}

/// The scale of block `b` (every 32-value block format starts with it).
QK_DOT_INLINE float qk_block_scale(const int format, const void *row, size_t b) {
    switch (format) {
    case QK_FORMAT_Q8_0: return QK_F16(((const qk_block_q8_0 *)row)[b].d);
    case QK_FORMAT_Q4_0: return QK_F16(((const qk_block_q4_0 *)row)[b].d);
    case QK_FORMAT_Q4_1: return QK_F16(((const qk_block_q4_1 *)row)[b].d);
    default: return QK_F16(((const qk_block_q5_0 *)row)[b].d);
    }
}

/// Q4_1's block minimum (0 for the other formats).
QK_DOT_INLINE float qk_block_minimum(const int format, const void *row, size_t b) {
    return format == QK_FORMAT_Q4_1 ? QK_F16(((const qk_block_q4_1 *)row)[b].m) : 0.0f;
}

/// Products of `nr` weight rows of a 32-value block format (Q8_0, Q4_0, Q4_1, Q5_0; `format` is a
/// constant, so the switches fold) with `mr` activation rows, in out[r][m]. Each output has one
/// accumulator taking the blocks in order — llama.cpp's order, whose results these match — and a
/// row's outputs never depend on the tile: the weight rows of a tile only give a single activation
/// row independent chains of fused multiply-adds to interleave. Q4_1's minimum times the
/// activation block's sum is summed apart and added last, as llama.cpp does.
QK_DOT_INLINE void qk_tile_blocks(const int format, const int nr, const int mr, const char *rows, size_t row_bytes,
                                  const void *xq, size_t stride, size_t blocks, float out[][QK_DOT_ROWS]) {
    qk_fvec acc[QK_TILE_ROWS][QK_DOT_ROWS];
    float offsets[QK_TILE_ROWS][QK_DOT_ROWS];
    for (int r = 0; r < nr; r++)
        for (int m = 0; m < mr; m++) acc[r][m] = QK_FZERO(), offsets[r][m] = 0;
    for (size_t b = 0; b < blocks; b++) {
        for (int r = 0; r < nr; r++) {
            const char *row = rows + r * row_bytes;
            const float d = qk_block_scale(format, row, b);
            for (int m = 0; m < mr; m++) {
                const qk_block_q8a *x = QK_ACTIVATION(qk_block_q8a, xq, stride, m) + b;
                acc[r][m] = QK_FMA(acc[r][m], qk_block_dot(format, row, b, x->qs), d * x->d);
                if (format == QK_FORMAT_Q4_1) offsets[r][m] += qk_block_minimum(format, row, b) * x->sum;
            }
        }
    }
    for (int r = 0; r < nr; r++)
        for (int m = 0; m < mr; m++) out[r][m] = QK_FSUM(acc[r][m]) + offsets[r][m];
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
QK_DOTS_ANY(q4_K)
QK_DOTS_ANY(q6_K)
#undef QK_DOTS_ANY

/// One tile shape of one block format; qk_tiles_<format>[nr - 1][mr - 1] picks it.
typedef void (*qk_tile_fn)(const char *rows, size_t row_bytes, const void *xq, size_t stride, size_t blocks,
                           float out[][QK_DOT_ROWS]);
#define QK_TILE(format, name, nr, mr)                                                                       \
    static void qk_tile_##name##_##nr##_##mr(const char *rows, size_t row_bytes, const void *xq, size_t stride, \
                                            size_t blocks, float out[][QK_DOT_ROWS]) {                    \
        qk_tile_blocks(format, nr, mr, rows, row_bytes, xq, stride, blocks, out);                           \
    }
#define QK_TILES(format, name)                                                                              \
    QK_TILE(format, name, 1, 1) QK_TILE(format, name, 1, 2) QK_TILE(format, name, 1, 3) QK_TILE(format, name, 1, 4) \
    QK_TILE(format, name, 2, 1) QK_TILE(format, name, 2, 2) QK_TILE(format, name, 2, 3) QK_TILE(format, name, 2, 4) \
    QK_TILE(format, name, 3, 1) QK_TILE(format, name, 3, 2) QK_TILE(format, name, 3, 3) QK_TILE(format, name, 3, 4) \
    QK_TILE(format, name, 4, 1) QK_TILE(format, name, 4, 2) QK_TILE(format, name, 4, 3) QK_TILE(format, name, 4, 4) \
    static const qk_tile_fn qk_tiles_##name[QK_TILE_ROWS][QK_DOT_ROWS] = {                                   \
        {qk_tile_##name##_1_1, qk_tile_##name##_1_2, qk_tile_##name##_1_3, qk_tile_##name##_1_4},            \
        {qk_tile_##name##_2_1, qk_tile_##name##_2_2, qk_tile_##name##_2_3, qk_tile_##name##_2_4},            \
        {qk_tile_##name##_3_1, qk_tile_##name##_3_2, qk_tile_##name##_3_3, qk_tile_##name##_3_4},            \
        {qk_tile_##name##_4_1, qk_tile_##name##_4_2, qk_tile_##name##_4_3, qk_tile_##name##_4_4},            \
    };
QK_TILES(QK_FORMAT_Q8_0, q8_0)
QK_TILES(QK_FORMAT_Q4_0, q4_0)
QK_TILES(QK_FORMAT_Q4_1, q4_1)
QK_TILES(QK_FORMAT_Q5_0, q5_0)
#undef QK_TILES
#undef QK_TILE

/// The block-format linear layer in tiles of QK_TILE_ROWS weight rows × QK_DOT_ROWS activation rows
/// (AVX2, one thread, 4864 × 896: Q4_0 one row 537 -> 280 µs and 4 rows 215 -> 163 µs per row against
/// one weight row at a time; Q8_0 312 -> 262 and 159 -> 142).
static void qk_quant_linear_blocks(const qk_tile_fn (*tiles)[QK_DOT_ROWS], const void *xq, size_t x_rows,
                                   qk_matrix w, const float *bias, size_t row_begin, size_t row_end, float *y) {
    const size_t row_bytes = qk_quant_row_bytes(w.format, w.columns);
    const size_t x_bytes = qk_quant_activation_bytes(w.format, w.columns);
    const size_t blocks = w.columns / QK_BLOCK;
    float out[QK_TILE_ROWS][QK_DOT_ROWS];
    for (size_t r = row_begin; r < row_end; r += QK_TILE_ROWS) {
        const size_t nr = row_end - r < QK_TILE_ROWS ? row_end - r : QK_TILE_ROWS;
        for (size_t m = 0; m < x_rows; m += QK_DOT_ROWS) {
            const size_t mr = x_rows - m < QK_DOT_ROWS ? x_rows - m : QK_DOT_ROWS;
            tiles[nr - 1][mr - 1]((const char *)w.base + r * row_bytes, row_bytes, (const char *)xq + m * x_bytes,
                                  x_bytes, blocks, out);
            for (size_t i = 0; i < nr; i++)
                for (size_t j = 0; j < mr; j++) y[(m + j) * w.rows + r + i] = out[i][j] + (bias ? bias[r + i] : 0.0f);
        }
    }
}

void QK_ISA_NAME(qk_quant_linear)(const void *xq, size_t x_rows, qk_matrix w, const float *bias,
                                  size_t row_begin, size_t row_end, float *y, int prefill) {
    qk_quant_dots_fn dots;
    switch (w.format) {
    case QK_FORMAT_Q8_0: return qk_quant_linear_blocks(qk_tiles_q8_0, xq, x_rows, w, bias, row_begin, row_end, y);
    case QK_FORMAT_Q4_0: return qk_quant_linear_blocks(qk_tiles_q4_0, xq, x_rows, w, bias, row_begin, row_end, y);
    case QK_FORMAT_Q4_1: return qk_quant_linear_blocks(qk_tiles_q4_1, xq, x_rows, w, bias, row_begin, row_end, y);
    case QK_FORMAT_Q5_0: return qk_quant_linear_blocks(qk_tiles_q5_0, xq, x_rows, w, bias, row_begin, row_end, y);
    case QK_FORMAT_Q8_0_X8: case QK_FORMAT_Q4_0_X8: case QK_FORMAT_Q5_0_X8: case QK_FORMAT_Q4_K_X8:
    case QK_FORMAT_Q6_K_X8:
        return qk_quant_linear_x8(xq, x_rows, w, bias, row_begin, row_end, y, prefill);
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
