// The interleaved formats (Q8_0_X8, Q4_0_X8, Q5_0_X8, Q4_K_X8, Q6_K_X8) on 256-bit vectors, shared by the AVX2 and the AVX-512
// VNNI files. A group's block b holds 8 rows' codes in 4-byte slices (slice k of row r at 32·k + 4·r),
// so one load and one broadcast 4-byte slice of the activation give each 32-bit lane the products of
// its own row, and one float16 load the 8 rows' scales. The including file defines, under its target
// attribute:
//
//   __m256i QK_X8_NIBBLES_ADD(__m256i s, __m256i u, __m256i x)  s plus u·x (u unsigned nibbles, x
//                                                               signed), in the sums' running form
//   __m256i QK_X8_NIBBLES_TOTAL(__m256i s)                       the running form as 8 int32 lanes
//   __m256i QK_X8_BYTES_ADD(__m256i s, __m256i u, __m256i x)     s plus u·x summed in fours (int32)
#ifndef QK_QUANT_X8_YMM_H
#define QK_QUANT_X8_YMM_H

/// Adds, for each of mr activation rows, the products of slice k's unsigned low codes (values 4k..4k+3
/// of 8 rows) to low_sum[m] and of its high codes (values 16 + 4k..) to high_sum[m] — the same array
/// when one running sum holds a whole block.
static inline __attribute__((always_inline)) void qk_x8_nibble_slice(const int mr, const qk_block_q8a *const x[],
                                                                     int k, __m256i low, __m256i high,
                                                                     __m256i low_sum[], __m256i high_sum[]) {
    for (int m = 0; m < mr; m++) {
        int32_t first, second;
        memcpy(&first, x[m]->qs + 4 * k, 4);
        memcpy(&second, x[m]->qs + 16 + 4 * k, 4);
        low_sum[m] = QK_X8_NIBBLES_ADD(low_sum[m], low, _mm256_set1_epi32(first));
        high_sum[m] = QK_X8_NIBBLES_ADD(high_sum[m], high, _mm256_set1_epi32(second));
    }
}

/// Q4_0_X8, Q8_0_X8 and Q5_0_X8 (`format`, a constant): acc[m] lane r = Σ over blocks, in order, of
/// row r's exact integer block sum with activation row m times the two scales (one fused
/// multiply-add per block) — the arithmetic of llama.cpp's repacked Q4_0 (its x86 default for
/// Q4_0; for Q8_0 and Q5_0 its x86 build keeps vec_dot's 8 lanes in prefill too) — for the group of 8
/// rows at `group` and mr activation rows `stride` bytes apart. A block's codes are loaded and
/// unpacked once for all mr rows.
static inline __attribute__((always_inline)) void qk_x8_whole_blocks(const int format, const int mr, const void *group,
                                                                     const void *xq, size_t stride, size_t blocks,
                                                                     __m256 acc[QK_DOT_ROWS]) {
    for (int m = 0; m < mr; m++) acc[m] = _mm256_setzero_ps();
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const size_t block_bytes = format == QK_FORMAT_Q4_0_X8   ? sizeof(qk_block_q4_0x8)
                               : format == QK_FORMAT_Q8_0_X8 ? sizeof(qk_block_q8_0x8)
                                                             : sizeof(qk_block_q5_0x8);
    for (size_t b = 0; b < blocks; b++) {
        const char *g = (const char *)group + b * block_bytes;
        const qk_block_q8a *x[QK_DOT_ROWS];
        __m256i sum[QK_DOT_ROWS];
        for (int m = 0; m < mr; m++) x[m] = QK_ACTIVATION(qk_block_q8a, xq, stride, m) + b, sum[m] = _mm256_setzero_si256();
        if (format == QK_FORMAT_Q4_0_X8) {
            // Codes taken unsigned (0..15): Σ (c - 8)·x = Σ c·x - 8·Σ x.
            for (int k = 0; k < 4; k++) {
                const __m256i packed = _mm256_loadu_si256((const __m256i *)(((const qk_block_q4_0x8 *)g)->qs + 32 * k));
                const __m256i low = _mm256_and_si256(packed, nibble);
                const __m256i high = _mm256_and_si256(_mm256_srli_epi16(packed, 4), nibble);
                qk_x8_nibble_slice(mr, x, k, low, high, sum, sum);
            }
            for (int m = 0; m < mr; m++)
                sum[m] = _mm256_sub_epi32(QK_X8_NIBBLES_TOTAL(sum[m]), _mm256_set1_epi32(8 * x[m]->q_sum));
        } else if (format == QK_FORMAT_Q5_0_X8) {
            // Codes taken unsigned (0..31): Σ (c - 16)·x = Σ c·x - 16·Σ x. The low and the high halves
            // run apart, as 4 pairs of 31 · 127 fit the nibble sums' running form where 8 would not.
            // (Q4_0 above keeps one running sum: a second one per row spills the 16 vector registers
            // at 4 rows, measured 53 -> 96 µs per row of 4864 × 896.)
            const qk_block_q5_0x8 *q = (const qk_block_q5_0x8 *)g;
            __m256i high_sum[QK_DOT_ROWS];
            for (int m = 0; m < mr; m++) high_sum[m] = _mm256_setzero_si256();
            for (int k = 0; k < 4; k++) {
                const __m256i packed = _mm256_loadu_si256((const __m256i *)(q->qs + 32 * k));
                const __m256i low = _mm256_or_si256(_mm256_and_si256(packed, nibble), qk_fifth_bits(q->qh[k]));
                const __m256i high =
                    _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(packed, 4), nibble), qk_fifth_bits(q->qh[4 + k]));
                qk_x8_nibble_slice(mr, x, k, low, high, sum, high_sum);
            }
            for (int m = 0; m < mr; m++)
                sum[m] = _mm256_sub_epi32(_mm256_add_epi32(QK_X8_NIBBLES_TOTAL(sum[m]), QK_X8_NIBBLES_TOTAL(high_sum[m])),
                                          _mm256_set1_epi32(16 * x[m]->q_sum));
        } else {
            // The sign trick: |w| (unsigned) times x with w's sign.
            for (int k = 0; k < 8; k++) {
                const __m256i w = _mm256_loadu_si256((const __m256i *)(((const qk_block_q8_0x8 *)g)->qs + 32 * k));
                const __m256i magnitude = _mm256_sign_epi8(w, w);
                for (int m = 0; m < mr; m++) {
                    int32_t slice;
                    memcpy(&slice, x[m]->qs + 4 * k, 4);
                    sum[m] = QK_X8_BYTES_ADD(sum[m], magnitude, _mm256_sign_epi8(_mm256_set1_epi32(slice), w));
                }
            }
        }
        // Every block format starts with the 8 rows' float16 scales.
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g));
        for (int m = 0; m < mr; m++)
            acc[m] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum[m]), _mm256_mul_ps(d, _mm256_set1_ps(x[m]->d)), acc[m]);
    }
}

/// A group's products with `stride`-spaced activation rows, out[m] for each row m of a fixed count.
typedef void (*qk_x8_group_fn)(const void *group, const void *xq, size_t stride, size_t blocks, __m256 *out);
/// qk_x8_<name>_<mr>: `kernel` (of format, mr, then a qk_x8_group_fn's arguments) for a fixed format and mr.
#define QK_X8_GROUP(name, kernel, format, mr)                                                               \
    static void qk_x8_##name##_##mr(const void *group, const void *xq, size_t stride, size_t blocks,       \
                                    __m256 *out) {                                                         \
        kernel(format, mr, group, xq, stride, blocks, out);                                                \
    }
QK_X8_GROUP(q4_0, qk_x8_whole_blocks, QK_FORMAT_Q4_0_X8, 1) QK_X8_GROUP(q4_0, qk_x8_whole_blocks, QK_FORMAT_Q4_0_X8, 2)
QK_X8_GROUP(q4_0, qk_x8_whole_blocks, QK_FORMAT_Q4_0_X8, 3) QK_X8_GROUP(q4_0, qk_x8_whole_blocks, QK_FORMAT_Q4_0_X8, 4)
QK_X8_GROUP(q8_0, qk_x8_whole_blocks, QK_FORMAT_Q8_0_X8, 1) QK_X8_GROUP(q8_0, qk_x8_whole_blocks, QK_FORMAT_Q8_0_X8, 2)
QK_X8_GROUP(q8_0, qk_x8_whole_blocks, QK_FORMAT_Q8_0_X8, 3) QK_X8_GROUP(q8_0, qk_x8_whole_blocks, QK_FORMAT_Q8_0_X8, 4)
QK_X8_GROUP(q5_0, qk_x8_whole_blocks, QK_FORMAT_Q5_0_X8, 1) QK_X8_GROUP(q5_0, qk_x8_whole_blocks, QK_FORMAT_Q5_0_X8, 2)
QK_X8_GROUP(q5_0, qk_x8_whole_blocks, QK_FORMAT_Q5_0_X8, 3) QK_X8_GROUP(q5_0, qk_x8_whole_blocks, QK_FORMAT_Q5_0_X8, 4)
static const qk_x8_group_fn qk_x8_q4_0[QK_DOT_ROWS] = {qk_x8_q4_0_1, qk_x8_q4_0_2, qk_x8_q4_0_3, qk_x8_q4_0_4};
static const qk_x8_group_fn qk_x8_q8_0_whole[QK_DOT_ROWS] = {qk_x8_q8_0_1, qk_x8_q8_0_2, qk_x8_q8_0_3, qk_x8_q8_0_4};
static const qk_x8_group_fn qk_x8_q5_0_whole[QK_DOT_ROWS] = {qk_x8_q5_0_1, qk_x8_q5_0_2, qk_x8_q5_0_3, qk_x8_q5_0_4};

/// The 8 lane accumulators of a row-major dot product added as ggml adds them:
/// ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).
static inline __m256 qk_x8_lane_total(const __m256 l[8]) {
    const __m256 even = _mm256_add_ps(_mm256_add_ps(l[0], l[4]), _mm256_add_ps(l[2], l[6]));
    const __m256 odd = _mm256_add_ps(_mm256_add_ps(l[1], l[5]), _mm256_add_ps(l[3], l[7]));
    return _mm256_add_ps(even, odd);
}

/// Block b of a Q8_0_X8 or Q5_0_X8 (`format`) group; both start with the 8 rows' float16 scales.
static inline __attribute__((always_inline)) const void *qk_x8_lane_block(const int format, const void *group, size_t b) {
    return format == QK_FORMAT_Q8_0_X8 ? (const void *)((const qk_block_q8_0x8 *)group + b)
                                       : (const void *)((const qk_block_q5_0x8 *)group + b);
}

/// Lane i's signed codes in a Q8_0_X8 or Q5_0_X8 block: values 4i..4i+3 of the 8 rows (Q5_0: the
/// low nibbles of slice i for i < 4, the high nibbles of slice i - 4 after).
static inline __attribute__((always_inline)) __m256i qk_x8_lane_codes(const int format, const void *block, int i) {
    if (format == QK_FORMAT_Q8_0_X8) return _mm256_loadu_si256((const __m256i *)(((const qk_block_q8_0x8 *)block)->qs + 32 * i));
    const qk_block_q5_0x8 *g = (const qk_block_q5_0x8 *)block;
    const __m256i packed = _mm256_loadu_si256((const __m256i *)(g->qs + 32 * (i % 4)));
    const __m256i nibbles = _mm256_and_si256(i < 4 ? packed : _mm256_srli_epi16(packed, 4), _mm256_set1_epi8(0x0F));
    return _mm256_sub_epi8(_mm256_or_si256(nibbles, qk_fifth_bits(g->qh[i])), _mm256_set1_epi8(16));
}

/// A block's 8 row scales times the activation block's.
static inline __attribute__((always_inline)) __m256 qk_x8_lane_scale(const void *block, float xd) {
    return _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)block)), _mm256_set1_ps(xd));
}

/// Lane i's term of one block: the sum of the 4 products at values 4i..4i+3 of each row (`magnitude`
/// = |codes|), times the scales, added to acc.
static inline __attribute__((always_inline)) __m256 qk_x8_lane_add(__m256 acc, __m256i codes, __m256i magnitude,
                                                                   const int8_t *slice, __m256 scale) {
    int32_t x;
    memcpy(&x, slice, sizeof x);
    const __m256i products = qk_dot_unsigned(magnitude, _mm256_sign_epi8(_mm256_set1_epi32(x), codes));
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(products), scale, acc);
}

/// Q8_0_X8 and Q5_0_X8, one activation row: lane r = row r's product, in the arithmetic of
/// llama.cpp's (and the row-major tiles') dot products. There, lane i of one accumulator adds,
/// block by block, the sum of the 4 products at values 4i..4i+3 times the scales, and the 8 lanes
/// are added at the end as ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)). Here a slice of a
/// block holds one lane's 4 values for all 8 rows, so acc[i] is lane i of the 8 rows' accumulators.
static inline __attribute__((always_inline)) void qk_x8_lanes_row(const int format, const void *group,
                                                                  const qk_block_q8a *x, size_t blocks, __m256 *out) {
    __m256 acc[8];
    for (int i = 0; i < 8; i++) acc[i] = _mm256_setzero_ps();
    for (size_t b = 0; b < blocks; b++) {
        const void *block = qk_x8_lane_block(format, group, b);
        const __m256 scale = qk_x8_lane_scale(block, x[b].d);
        for (int i = 0; i < 8; i++) {
            const __m256i codes = qk_x8_lane_codes(format, block, i);
            acc[i] = qk_x8_lane_add(acc[i], codes, _mm256_sign_epi8(codes, codes), x[b].qs + 4 * i, scale);
        }
    }
    *out = qk_x8_lane_total(acc);
}

/// Activation rows of one qk_x8_lanes_tile, and the blocks it keeps in L1 per pass.
enum { QK_X8_LANE_ROWS = 8, QK_X8_LANE_BLOCKS = 16 };

/// qk_x8_lanes_row for mr (3..QK_X8_LANE_ROWS) activation rows `stride` bytes apart, bit for bit the
/// same: every lane adds the same terms in the same order. Its 8 lanes × mr rows of accumulators do
/// not fit the 16 vector registers, so it runs lane by lane (two at a time for up to 4 rows) over
/// chunks of QK_X8_LANE_BLOCKS blocks, keeping only the current lanes' accumulators in registers and
/// the others, and the chunk's scales, in L1: each block's codes are loaded and made unsigned once
/// for all mr rows (8 Q8_0 rows, AVX2: 104 µs per row of 4864 × 896 against 150 row by row).
static inline __attribute__((always_inline)) void qk_x8_lanes_tile(const int format, const int mr, const void *group,
                                                                   const void *xq, size_t stride, size_t blocks,
                                                                   __m256 *out) {
    const int pass = mr <= 4 ? 2 : 1;
    __m256 lanes[8][QK_X8_LANE_ROWS], scales[QK_X8_LANE_BLOCKS][QK_X8_LANE_ROWS];
    for (size_t first = 0; first < blocks; first += QK_X8_LANE_BLOCKS) {
        const size_t count = blocks - first < QK_X8_LANE_BLOCKS ? blocks - first : QK_X8_LANE_BLOCKS;
        // The passes read each block 8 times in short strides the hardware prefetcher does not follow:
        // the next chunk's bytes (the next group's first chunk after the last) are fetched while this
        // one runs, a line or two per block step.
        const char *ahead = qk_x8_lane_block(format, group, first + count);
        const char *ahead_end = qk_x8_lane_block(format, group, first + count + QK_X8_LANE_BLOCKS);
        for (size_t b = 0; b < count; b++)
            for (int m = 0; m < mr; m++)
                scales[b][m] = qk_x8_lane_scale(qk_x8_lane_block(format, group, first + b),
                                                (QK_ACTIVATION(qk_block_q8a, xq, stride, m) + first + b)->d);
        for (int i = 0; i < 8; i += pass) {
            __m256 acc[2][QK_X8_LANE_ROWS];
            for (int l = 0; l < pass; l++)
                for (int m = 0; m < mr; m++) acc[l][m] = first == 0 ? _mm256_setzero_ps() : lanes[i + l][m];
            for (size_t b = 0; b < count; b++) {
                const void *block = qk_x8_lane_block(format, group, first + b);
                for (int l = 0; l < pass && ahead < ahead_end; l++, ahead += 64) _mm_prefetch(ahead, _MM_HINT_T0);
                for (int l = 0; l < pass; l++) {
                    const __m256i codes = qk_x8_lane_codes(format, block, i + l);
                    const __m256i magnitude = _mm256_sign_epi8(codes, codes);
                    for (int m = 0; m < mr; m++) {
                        const qk_block_q8a *x = QK_ACTIVATION(qk_block_q8a, xq, stride, m) + first + b;
                        acc[l][m] = qk_x8_lane_add(acc[l][m], codes, magnitude, x->qs + 4 * (i + l), scales[b][m]);
                    }
                }
            }
            for (int l = 0; l < pass; l++)
                for (int m = 0; m < mr; m++) lanes[i + l][m] = acc[l][m];
        }
    }
    for (int m = 0; m < mr; m++) {
        const __m256 row[8] = {lanes[0][m], lanes[1][m], lanes[2][m], lanes[3][m],
                               lanes[4][m], lanes[5][m], lanes[6][m], lanes[7][m]};
        out[m] = qk_x8_lane_total(row);
    }
}

QK_X8_GROUP(q8_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q8_0_X8, 3) QK_X8_GROUP(q8_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q8_0_X8, 4)
QK_X8_GROUP(q8_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q8_0_X8, 5) QK_X8_GROUP(q8_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q8_0_X8, 6)
QK_X8_GROUP(q8_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q8_0_X8, 7) QK_X8_GROUP(q8_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q8_0_X8, 8)
QK_X8_GROUP(q5_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q5_0_X8, 3) QK_X8_GROUP(q5_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q5_0_X8, 4)
QK_X8_GROUP(q5_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q5_0_X8, 5) QK_X8_GROUP(q5_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q5_0_X8, 6)
QK_X8_GROUP(q5_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q5_0_X8, 7) QK_X8_GROUP(q5_0_lanes, qk_x8_lanes_tile, QK_FORMAT_Q5_0_X8, 8)
#undef QK_X8_GROUP
/// The tiles of 3..8 rows (index mr - 3).
static const qk_x8_group_fn qk_x8_q8_0_lanes[QK_X8_LANE_ROWS - 2] = {qk_x8_q8_0_lanes_3, qk_x8_q8_0_lanes_4, qk_x8_q8_0_lanes_5,
                                                                    qk_x8_q8_0_lanes_6, qk_x8_q8_0_lanes_7, qk_x8_q8_0_lanes_8};
static const qk_x8_group_fn qk_x8_q5_0_lanes[QK_X8_LANE_ROWS - 2] = {qk_x8_q5_0_lanes_3, qk_x8_q5_0_lanes_4, qk_x8_q5_0_lanes_5,
                                                                    qk_x8_q5_0_lanes_6, qk_x8_q5_0_lanes_7, qk_x8_q5_0_lanes_8};

static void qk_x8_q8_0_row(const void *group, const qk_block_q8a *x, size_t blocks, __m256 *out) {
    qk_x8_lanes_row(QK_FORMAT_Q8_0_X8, group, x, blocks, out);
}
static void qk_x8_q5_0_row(const void *group, const qk_block_q8a *x, size_t blocks, __m256 *out) {
    qk_x8_lanes_row(QK_FORMAT_Q5_0_X8, group, x, blocks, out);
}

/// Decoding's Q8_0_X8 or Q5_0_X8 products of one group with x_rows activation rows into out (a lane
/// per weight row): tiles of near-equal size up to QK_X8_LANE_ROWS rows, and rows alone where a tile
/// would have fewer than 3 (there, with too few accumulators to hide the adds' latency, the tile is
/// slower than the row kernel). Either way each row's result is qk_x8_lanes_row's.
static void qk_x8_lanes(qk_format format, const void *group, const void *xq, size_t x_rows, size_t x_bytes,
                        size_t blocks, const float *bias, size_t rows, float *y) {
    const __m256 b8 = bias ? _mm256_loadu_ps(bias) : _mm256_setzero_ps();
    __m256 out[QK_X8_LANE_ROWS];
    for (size_t m = 0, mr; m < x_rows; m += mr) {
        const size_t left = x_rows - m, tiles = (left + QK_X8_LANE_ROWS - 1) / QK_X8_LANE_ROWS;
        mr = (left + tiles - 1) / tiles;
        const char *x = (const char *)xq + m * x_bytes;
        if (mr >= 3) {
            (format == QK_FORMAT_Q8_0_X8 ? qk_x8_q8_0_lanes : qk_x8_q5_0_lanes)[mr - 3](group, x, x_bytes, blocks, out);
        } else {
            for (size_t j = 0; j < mr; j++)
                (format == QK_FORMAT_Q8_0_X8 ? qk_x8_q8_0_row : qk_x8_q5_0_row)(
                    group, (const qk_block_q8a *)(x + j * x_bytes), blocks, &out[j]);
        }
        for (size_t j = 0; j < mr; j++) _mm256_storeu_ps(y + (m + j) * rows, _mm256_add_ps(out[j], b8));
    }
}

/// Q4_K_X8 (mr activation rows `stride` bytes apart): out[m] lane r = row r's product with row m,
/// in the row-major (llama.cpp) Q4_K arithmetic — lane i of the 8 accumulators adds per super-block
/// the sum over the 8 groups of the group scale times the partial sum of values 4i..4i+3, times
/// d · d_x, and the minimums' term (dmin · d_x) · Σ min · (group sum of x) is added apart with a
/// fused multiply-add (as the compiler contracts the row-major kernel's) and subtracted last. The
/// scales and codes of a super-block are unpacked once for all mr rows.
static inline __attribute__((always_inline)) void qk_x8_q4_K_group(const int mr, const void *group, const void *xq,
                                                                   size_t stride, size_t blocks, __m256 out[QK_DOT_ROWS]) {
    __m256 acc[QK_DOT_ROWS][8], offsets[QK_DOT_ROWS];
    for (int m = 0; m < mr; m++) {
        offsets[m] = _mm256_setzero_ps();
        for (int i = 0; i < 8; i++) acc[m][i] = _mm256_setzero_ps();
    }
    const __m256i nibble = _mm256_set1_epi8(0x0F), low6 = _mm256_set1_epi8(63), top2 = _mm256_set1_epi8(0x30);
    for (size_t b = 0; b < blocks; b++) {
        const qk_block_q4_Kx8 *g = (const qk_block_q4_Kx8 *)group + b;
        const qk_block_q8k *x[QK_DOT_ROWS];
        for (int m = 0; m < mr; m++) x[m] = QK_ACTIVATION(qk_block_q8k, xq, stride, m) + b;
        // The 6-bit scales and minimums of the 8 groups × 8 rows (qk_q4k_scale_min on 32 bytes at once:
        // (byte >> 6) << 4 is (byte as 16 bits >> 2) & 0x30).
        const __m256i t0 = _mm256_loadu_si256((const __m256i *)g->scales[0]);
        const __m256i t1 = _mm256_loadu_si256((const __m256i *)g->scales[4]);
        const __m256i t2 = _mm256_loadu_si256((const __m256i *)g->scales[8]);
        uint8_t scales[8][8], minimums[8][8];
        _mm256_storeu_si256((__m256i *)scales[0], _mm256_and_si256(t0, low6));
        _mm256_storeu_si256((__m256i *)minimums[0], _mm256_and_si256(t1, low6));
        _mm256_storeu_si256((__m256i *)scales[4], _mm256_or_si256(_mm256_and_si256(t2, nibble),
                                                                  _mm256_and_si256(_mm256_srli_epi16(t0, 2), top2)));
        _mm256_storeu_si256((__m256i *)minimums[4],
                            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(t2, 4), nibble),
                                            _mm256_and_si256(_mm256_srli_epi16(t1, 2), top2)));
        __m256i pairs[8], minimum_sum[QK_DOT_ROWS];
        for (int m = 0; m < mr; m++) minimum_sum[m] = _mm256_setzero_si256();
        for (int j = 0; j < 8; j++) {
            // Each row's scale in both 16-bit halves of its lane, to scale pair sums in _mm256_madd_epi16.
            const __m256i scale = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)scales[j]));
            pairs[j] = _mm256_or_si256(scale, _mm256_slli_epi32(scale, 16));
            const __m256i minimum = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)minimums[j]));
            for (int m = 0; m < mr; m++)
                minimum_sum[m] = _mm256_add_epi32(
                    minimum_sum[m], _mm256_mullo_epi32(minimum, _mm256_set1_epi32(x[m]->sums[2 * j] + x[m]->sums[2 * j + 1])));
        }
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g->d));
        const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g->dmin));
        __m256 scale[QK_DOT_ROWS];
        for (int m = 0; m < mr; m++) {
            const __m256 xd = _mm256_set1_ps(x[m]->d);
            scale[m] = _mm256_mul_ps(d, xd);
            offsets[m] = _mm256_fmadd_ps(_mm256_mul_ps(dmin, xd), _mm256_cvtepi32_ps(minimum_sum[m]), offsets[m]);
        }
        for (int i = 0; i < 8; i++) {
            __m256i sum[QK_DOT_ROWS];
            for (int m = 0; m < mr; m++) sum[m] = _mm256_setzero_si256();
            for (int k = 0; k < 4; k++) {
                const __m256i packed = _mm256_loadu_si256((const __m256i *)(g->qs + 32 * (8 * k + i)));
                const __m256i low = _mm256_and_si256(packed, nibble);
                const __m256i high = _mm256_and_si256(_mm256_srli_epi16(packed, 4), nibble);
                for (int m = 0; m < mr; m++) {
                    int32_t first, second;
                    memcpy(&first, x[m]->qs + 64 * k + 4 * i, 4);
                    memcpy(&second, x[m]->qs + 64 * k + 32 + 4 * i, 4);
                    const __m256i products = _mm256_add_epi32(
                        _mm256_madd_epi16(_mm256_maddubs_epi16(low, _mm256_set1_epi32(first)), pairs[2 * k]),
                        _mm256_madd_epi16(_mm256_maddubs_epi16(high, _mm256_set1_epi32(second)), pairs[2 * k + 1]));
                    sum[m] = _mm256_add_epi32(sum[m], products);
                }
            }
            for (int m = 0; m < mr; m++) acc[m][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum[m]), scale[m], acc[m][i]);
        }
    }
    for (int m = 0; m < mr; m++) out[m] = _mm256_sub_ps(qk_x8_lane_total(acc[m]), offsets[m]);
}

/// Q6_K_X8 (mr activation rows `stride` bytes apart): out[m] lane r = row r's product with row m,
/// in the row-major (llama.cpp) Q6_K arithmetic — lane i of the 8 accumulators adds per super-block
/// the sum over the 8 chunks of 32 values of each chunk's partial sum of values 4i..4i+3 times its
/// 16 values' scale, times d · d_x. The scales and codes of a super-block are unpacked once for all
/// mr rows.
static inline __attribute__((always_inline)) void qk_x8_q6_K_group(const int mr, const void *group, const void *xq,
                                                                   size_t stride, size_t blocks, __m256 out[QK_DOT_ROWS]) {
    __m256 acc[QK_DOT_ROWS][8];
    for (int m = 0; m < mr; m++)
        for (int i = 0; i < 8; i++) acc[m][i] = _mm256_setzero_ps();
    const __m256i nibble = _mm256_set1_epi8(0x0F), top = _mm256_set1_epi8(0x30), offset = _mm256_set1_epi8(32);
    for (size_t b = 0; b < blocks; b++) {
        const qk_block_q6_Kx8 *g = (const qk_block_q6_Kx8 *)group + b;
        const qk_block_q8k *x[QK_DOT_ROWS];
        for (int m = 0; m < mr; m++) x[m] = QK_ACTIVATION(qk_block_q8k, xq, stride, m) + b;
        __m256i pairs[16];
        for (int t = 0; t < 16; t++) {
            // Each row's scale in both 16-bit halves of its lane, to scale pair sums in _mm256_madd_epi16.
            const __m256i scale = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)g->scales[t]));
            pairs[t] = _mm256_or_si256(_mm256_and_si256(scale, _mm256_set1_epi32(0xFFFF)), _mm256_slli_epi32(scale, 16));
        }
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g->d));
        __m256 scale[QK_DOT_ROWS];
        for (int m = 0; m < mr; m++) scale[m] = _mm256_mul_ps(d, _mm256_set1_ps(x[m]->d));
        for (int i = 0; i < 8; i++) {
            __m256i sum[QK_DOT_ROWS];
            for (int m = 0; m < mr; m++) sum[m] = _mm256_setzero_si256();
            for (int h = 0; h < 2; h++) {
                // Chunk k of the half: low (k = 0, 1) or high (2, 3) nibbles of ql bytes 64h + 32(k % 2) + l,
                // with bits 2k, 2k + 1 of qh byte 32h + l as bits 4 and 5 ((qh >> 2k) << 4 & 0x30).
                const __m256i a = _mm256_loadu_si256((const __m256i *)(g->ql + 32 * (16 * h + i)));
                const __m256i c = _mm256_loadu_si256((const __m256i *)(g->ql + 32 * (16 * h + 8 + i)));
                const __m256i high = _mm256_loadu_si256((const __m256i *)(g->qh + 32 * (8 * h + i)));
                const __m256i codes[4] = {
                    _mm256_or_si256(_mm256_and_si256(a, nibble), _mm256_and_si256(_mm256_slli_epi16(high, 4), top)),
                    _mm256_or_si256(_mm256_and_si256(c, nibble), _mm256_and_si256(_mm256_slli_epi16(high, 2), top)),
                    _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(a, 4), nibble), _mm256_and_si256(high, top)),
                    _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(c, 4), nibble),
                                    _mm256_and_si256(_mm256_srli_epi16(high, 2), top)),
                };
                for (int k = 0; k < 4; k++) {
                    // The sign trick: |w| (unsigned) times x with w's sign.
                    const __m256i w = _mm256_sub_epi8(codes[k], offset), magnitude = _mm256_sign_epi8(w, w);
                    const __m256i pair = pairs[8 * h + 2 * k + i / 4];
                    for (int m = 0; m < mr; m++) {
                        int32_t slice;
                        memcpy(&slice, x[m]->qs + 128 * h + 32 * k + 4 * i, 4);
                        const __m256i products = _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(_mm256_set1_epi32(slice), w));
                        sum[m] = _mm256_add_epi32(sum[m], _mm256_madd_epi16(products, pair));
                    }
                }
            }
            for (int m = 0; m < mr; m++) acc[m][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum[m]), scale[m], acc[m][i]);
        }
    }
    for (int m = 0; m < mr; m++) out[m] = qk_x8_lane_total(acc[m]);
}

#define QK_X8_K(name, mr)                                                                                  \
    static void qk_x8_##name##_##mr(const void *group, const void *xq, size_t stride, size_t blocks,       \
                                    __m256 acc[QK_DOT_ROWS]) {                                             \
        qk_x8_##name##_group(mr, group, xq, stride, blocks, acc);                                          \
    }
QK_X8_K(q4_K, 1) QK_X8_K(q4_K, 2) QK_X8_K(q4_K, 3) QK_X8_K(q4_K, 4)
QK_X8_K(q6_K, 1) QK_X8_K(q6_K, 2) QK_X8_K(q6_K, 3) QK_X8_K(q6_K, 4)
#undef QK_X8_K
static const qk_x8_group_fn qk_x8_q4_K[QK_DOT_ROWS] = {qk_x8_q4_K_1, qk_x8_q4_K_2, qk_x8_q4_K_3, qk_x8_q4_K_4};
static const qk_x8_group_fn qk_x8_q6_K[QK_DOT_ROWS] = {qk_x8_q6_K_1, qk_x8_q6_K_2, qk_x8_q6_K_3, qk_x8_q6_K_4};

/// qk_quant_linear (prefill 0) or qk_quant_linear_prefill (1) for the _X8 formats; row_begin and
/// row_end are multiples of 8.
static void qk_quant_linear_x8(const void *xq, size_t x_rows, qk_matrix w, const float *bias, size_t row_begin,
                               size_t row_end, float *y, int prefill) {
    const size_t blocks = w.columns / (qk_quant_is_k(w.format) ? QK_SUPER : QK_BLOCK);
    const size_t x_bytes = qk_quant_activation_bytes(w.format, w.columns);
    const size_t group_bytes = QK_INTERLEAVE_ROWS * qk_quant_row_bytes(w.format, w.columns);
    // Q8_0 and Q5_0 decode in ggml's 8 lanes per block (qk_x8_lanes) and prefill with whole-block
    // sums; the other layouts take up to 4 rows per pass either way.
    const int lanes = !prefill && (w.format == QK_FORMAT_Q8_0_X8 || w.format == QK_FORMAT_Q5_0_X8);
    __m256 acc[QK_DOT_ROWS];
    for (size_t r = row_begin; r < row_end; r += QK_INTERLEAVE_ROWS) {
        const char *group = (const char *)w.base + r / QK_INTERLEAVE_ROWS * group_bytes;
        if (lanes) {
            qk_x8_lanes(w.format, group, xq, x_rows, x_bytes, blocks, bias ? bias + r : NULL, w.rows, y + r);
            continue;
        }
        const __m256 b8 = bias ? _mm256_loadu_ps(bias + r) : _mm256_setzero_ps();
        for (size_t m = 0; m < x_rows; m += QK_DOT_ROWS) {
            const size_t mr = x_rows - m < QK_DOT_ROWS ? x_rows - m : QK_DOT_ROWS;
            const char *x = (const char *)xq + m * x_bytes;
            if (w.format == QK_FORMAT_Q4_0_X8) qk_x8_q4_0[mr - 1](group, x, x_bytes, blocks, acc);
            else if (w.format == QK_FORMAT_Q8_0_X8) qk_x8_q8_0_whole[mr - 1](group, x, x_bytes, blocks, acc);
            else if (w.format == QK_FORMAT_Q5_0_X8) qk_x8_q5_0_whole[mr - 1](group, x, x_bytes, blocks, acc);
            else if (w.format == QK_FORMAT_Q4_K_X8) qk_x8_q4_K[mr - 1](group, x, x_bytes, blocks, acc);
            else qk_x8_q6_K[mr - 1](group, x, x_bytes, blocks, acc);
            for (size_t j = 0; j < mr; j++) _mm256_storeu_ps(y + (m + j) * w.rows + r, _mm256_add_ps(acc[j], b8));
        }
    }
}

#endif
