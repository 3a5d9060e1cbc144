#ifndef CQWENQUANT_H
#define CQWENQUANT_H

// Block-quantized weights in ggml's layouts (Q8_0, Q4_0, Q4_1, Q5_0, Q4_K, Q6_K), and all of them but
// Q4_1 with 8 rows interleaved (the _X8 formats).
// Included by CQwenKernels.h after qk_isa, qk_format and qk_matrix.

/// Bytes of one row of `columns` elements of a quantized format (columns a multiple of the
/// format's block size).
size_t qk_quant_row_bytes(qk_format format, size_t columns);

/// Bytes of one activation row of `columns` floats quantized for a dot product with `format`
/// (8-bit blocks of 32 for the 32-value formats, 256-value blocks with sums for the k-quants).
size_t qk_quant_activation_bytes(qk_format format, size_t columns);

/// Quantizes one float32 activation row `x` to the 8-bit blocks `format`'s dot product takes, with
/// the vector instructions of `isa` (AVX2 for both x86 paths); every path gives the same bytes.
void qk_quantize_activation(qk_isa isa, qk_format format, const float *x, size_t columns, void *out);

/// y[m, r] = Σ_c x[m, c] · W[r, c] (+ bias[r]) for m < x_rows and row_begin <= r < row_end, with
/// W quantized and x given as x_rows activation rows quantized by qk_quantize_activation
/// (qk_quant_activation_bytes(W.format, W.columns) bytes apart). y is [x_rows, W.rows].
void qk_quant_linear(qk_isa isa, const void *xq, size_t x_rows, qk_matrix w, const float *bias,
                     size_t row_begin, size_t row_end, float *y);

/// qk_quant_linear for many rows of x (prefill). The interleaved formats unpack each block of 8 weight
/// rows once for 4 activation rows (one thread, AVX2, per row in fours against the dequantized
/// float32 panels this replaced: Q4_0 4864 × 896 53 against 199 µs, Q8_0 78 against 139, Q5_0 78
/// against 178, Q4_K 4864 × 1536 135 against 290, Q6_K 190 against 340): Q4_0_X8, Q4_K_X8 and
/// Q6_K_X8 exactly as qk_quant_linear; Q8_0_X8 and Q5_0_X8 sum each block whole before scaling
/// (Q8_0 78 µs per row against 117 µs in qk_quant_linear's eight lanes), so their results differ in
/// the last bits from qk_quant_linear's and from llama.cpp's x86 prefill, which keeps the eight
/// lanes (its tinyBLAS for Q8_0 and Q5_0; it repacks only Q4_0 and Q4_K). The row-major formats
/// are qk_quant_linear itself (llama.cpp's vec_dot for every row, Q4_1's among them).
void qk_quant_linear_prefill(qk_isa isa, const void *xq, size_t x_rows, qk_matrix w, const float *bias,
                             size_t row_begin, size_t row_end, float *y);

/// Dequantizes row `row` of a quantized W into y (W.columns floats).
void qk_quant_matrix_row(qk_matrix w, size_t row, float *y);

/// Rows of one interleaved group of an _X8 format.
enum { QK_INTERLEAVE_ROWS = 8 };

/// The interleaved format of `format` (Q8_0_X8, Q4_0_X8, Q5_0_X8, Q4_K_X8, Q6_K_X8), or `format`
/// itself when it has none.
qk_format qk_quant_interleaved_format(qk_format format);

/// Copies W (Q8_0, Q4_0, Q5_0, Q4_K or Q6_K, rows a multiple of QK_INTERLEAVE_ROWS) to `out` (as many
/// bytes as W) in qk_quant_interleaved_format(W.format): each group of 8 rows stores, block after
/// block, the 8 rows' scales (and the format's other per-block fields), then their codes in 4-byte
/// slices (slice k of row r at 32·k + 4·r), so one 32-byte load feeds all 8 rows and a product comes
/// out in the 8 lanes of one vector. Q8_0, Q5_0, Q4_K and Q6_K give bit for bit the row-major results
/// (llama.cpp's dot products) in qk_quant_linear; Q4_0 (and Q8_0, Q5_0 in qk_quant_linear_prefill) sums
/// each block whole before scaling, as llama.cpp's repacked Q4_0 (its x86 default) does, so it
/// differs from the row-major kernels in the last bits.
/// Rows row_begin..<row_end (multiples of 8) only, so separate threads can share the work; their
/// bytes of `out` are first faulted in with one system call (qk_prefault_write).
void qk_quant_interleave(qk_matrix w, size_t row_begin, size_t row_end, void *out);

/// Quantizes `n` floats (a multiple of the block size) to `format` like ggml's reference
/// quantizers (round to nearest; the k-quants' scale search). Writes qk_quant_row_bytes bytes.
void qk_quantize_row(qk_format format, const float *x, size_t n, void *out);

#endif
