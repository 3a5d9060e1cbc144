#ifndef CQWENKERNELS_H
#define CQWENKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// CPU features the kernels dispatch on, detected once with cpuid (all zero off x86-64).
typedef struct {
    int avx2;
    int fma;
    int f16c;
    int avx512f;
    int avx512bw;
    int avx512dq;
    int avx512vl;
    int avx512vnni;
    int avx512bf16;
} qk_cpu_features;

/// The features of the CPU this process runs on.
qk_cpu_features qk_detect_cpu_features(void);

/// Instruction-set path of a kernel call. The caller guarantees the CPU supports it.
typedef enum {
    QK_ISA_PORTABLE = 0,
    QK_ISA_AVX2 = 1,
    QK_ISA_AVX512 = 2,
} qk_isa;

/// Element type of a weight matrix (row-major, PyTorch Linear layout).
typedef enum {
    QK_FORMAT_F32 = 0,
    QK_FORMAT_F16 = 1,
    QK_FORMAT_BF16 = 2,
    QK_FORMAT_Q8_0 = 3,
    QK_FORMAT_Q4_0 = 4,
    QK_FORMAT_Q4_1 = 5,
    QK_FORMAT_Q5_0 = 6,
    QK_FORMAT_Q4_K = 7,
    QK_FORMAT_Q6_K = 8,
    /// Q8_0 with each 8 rows interleaved block by block (qk_quant_interleave).
    QK_FORMAT_Q8_0_X8 = 9,
    /// Q4_0 with each 8 rows interleaved block by block (qk_quant_interleave).
    QK_FORMAT_Q4_0_X8 = 10,
    /// Q5_0 with each 8 rows interleaved block by block (qk_quant_interleave).
    QK_FORMAT_Q5_0_X8 = 11,
    /// Q4_K with each 8 rows interleaved block by block (qk_quant_interleave).
    QK_FORMAT_Q4_K_X8 = 12,
    /// Q6_K with each 8 rows interleaved block by block (qk_quant_interleave).
    QK_FORMAT_Q6_K_X8 = 13,
} qk_format;

/// A row-major weight matrix of `rows` × `columns` elements of `format`.
typedef struct {
    const void *base;
    qk_format format;
    size_t rows;
    size_t columns;
} qk_matrix;

/// Activation rows up to which qk_linear and qk_quant_linear compute every row exactly as they would
/// compute it alone (decoding kernels); more rows take the matrix-matrix kernels, whose summation
/// order differs.
enum { QK_ROW_KERNEL_LIMIT = 32 };

/// y[m, r] = Σ_c x[m, c] · W[r, c] (+ bias[r]) for m < x_rows and row_begin <= r < row_end.
/// x is [x_rows, W.columns]; y is [x_rows, W.rows]; bias may be NULL.
void qk_linear(qk_isa isa, const float *x, size_t x_rows, qk_matrix w, const float *bias,
               size_t row_begin, size_t row_end, float *y);

/// Converts row `row` of W to float32 into y.
void qk_matrix_row(qk_isa isa, qk_matrix w, size_t row, float *y);

/// y = x / sqrt(mean(x²) + eps) * weight, for one row of n elements; y may equal x.
void qk_rms_norm(qk_isa isa, const float *x, const float *weight, float epsilon, size_t n, float *y);

/// gate[i] = silu(gate[i]) * up[i].
void qk_silu_multiply(qk_isa isa, float *gate, const float *up, size_t n);

/// x[i] += y[i].
void qk_add(qk_isa isa, const float *y, float *x, size_t n);

/// In-place softmax: x[i] = exp(x[i] - max) / Σ exp(x[j] - max).
void qk_softmax(qk_isa isa, float *x, size_t n);

/// Bytes of one cached key or value row of head_dim values stored as kv_format: F32 (head_dim
/// floats), F16 or Q8_0 (ggml's blocks of 32: float16 scale, 32 int8). F16 and Q8_0 rows are padded
/// with zeros to a multiple of 64 values (none for head_dim 64 or 128), so the vector kernels read
/// whole strips without masks and any head_dim works.
size_t qk_kv_row_bytes(qk_format kv_format, size_t head_dim);

/// Stores head_dim floats x as one cached row of kv_format (qk_kv_row_bytes bytes, padding
/// included): F16 rounds to nearest even, Q8_0 quantizes like ggml (d = max|x| / 127 stored as
/// float16, q = round(x / d)).
void qk_kv_store_row(qk_format kv_format, const float *x, size_t head_dim, void *row);

/// Shape of one causal grouped-query attention call (see Kernels.attention).
typedef struct {
    const float *query;   ///< [query_count, head_count, head_dim]
    const void *keys;     ///< [kv_head_count, capacity] rows of qk_kv_row_bytes(kv_format, head_dim)
    const void *values;   ///< laid out like keys
    qk_format kv_format;  ///< F32, F16 or Q8_0
    float *output;        ///< [query_count, head_count, head_dim]
    size_t capacity;
    size_t query_count;
    size_t start_position;
    size_t head_count;
    size_t kv_head_count;
    size_t head_dim;
    size_t window;        ///< 0 = unlimited
    float scale;
} qk_attention_shape;

/// Attention for the (query, kv head) pairs task_begin..<task_end, numbered
/// query * kv_head_count + kv_head; each covers the head_count / kv_head_count query heads
/// that share the kv head. `scores` holds (head_count / kv_head_count) * (start_position +
/// query_count) floats.
void qk_attention(qk_isa isa, const qk_attention_shape *shape, size_t task_begin, size_t task_end,
                  float *scores);

/// A persistent pool of worker threads for fork/join loops.
typedef struct qk_pool qk_pool;

/// Body of a parallel loop: handles indices begin..<end on participant `worker` (0 = caller).
typedef void (*qk_pool_body)(void *context, size_t begin, size_t end, size_t worker);

/// Starts thread_count - 1 workers (the caller is participant 0). NULL if threads cannot start.
qk_pool *qk_pool_create(size_t thread_count);

/// Stops and joins the workers and frees the pool.
void qk_pool_destroy(qk_pool *pool);

/// Splits 0..<count into chunk_count balanced chunks and runs body on each, on all
/// participants; returns when every chunk is done. Not reentrant.
void qk_pool_run(qk_pool *pool, size_t count, size_t chunk_count, qk_pool_body body, void *context);

/// Makes the whole pages inside start..<start + byte_count present and writable in one system call
/// (Linux MADV_POPULATE_WRITE), rather than one page fault per page as they are first written; the
/// pages' contents are unchanged. Returns 1 if it did, 0 where the OS cannot (the pages then fault
/// in as usual).
int qk_prefault_write(void *start, size_t byte_count);

#include "CQwenQuant.h"

#endif
