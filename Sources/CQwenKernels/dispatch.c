// Public entry points: route each call to the instruction-set path the caller chose.
#include "kernels_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
/// The matrix kernels: one per path.
#define QK_DISPATCH(isa, name, ...)                                 \
    switch (isa) {                                                  \
    case QK_ISA_AVX512: name##_avx512(__VA_ARGS__); break;          \
    case QK_ISA_AVX2: name##_avx2(__VA_ARGS__); break;              \
    default: name##_portable(__VA_ARGS__); break;                   \
    }
/// The elementwise and attention kernels: the AVX2 ones on both x86 paths (kernels_internal.h).
#define QK_DISPATCH_VECTOR(isa, name, ...)                          \
    switch (isa) {                                                  \
    case QK_ISA_AVX512:                                             \
    case QK_ISA_AVX2: name##_avx2(__VA_ARGS__); break;              \
    default: name##_portable(__VA_ARGS__); break;                   \
    }
#else
#define QK_DISPATCH(isa, name, ...) name##_portable(__VA_ARGS__);
#define QK_DISPATCH_VECTOR(isa, name, ...) name##_portable(__VA_ARGS__);
#endif

void qk_linear(qk_isa isa, const float *x, size_t x_rows, qk_matrix w, const float *bias,
               size_t row_begin, size_t row_end, float *y) {
    QK_DISPATCH(isa, qk_linear, x, x_rows, w, bias, row_begin, row_end, y)
}

void qk_matrix_row(qk_isa isa, qk_matrix w, size_t row, float *y) {
    QK_DISPATCH(isa, qk_matrix_row, w, row, y)
}

void qk_rms_norm(qk_isa isa, const float *x, const float *weight, float epsilon, size_t n, float *y) {
    QK_DISPATCH_VECTOR(isa, qk_rms_norm, x, weight, epsilon, n, y)
}

void qk_silu_multiply(qk_isa isa, float *gate, const float *up, size_t n) {
    QK_DISPATCH_VECTOR(isa, qk_silu_multiply, gate, up, n)
}

void qk_add(qk_isa isa, const float *y, float *x, size_t n) { QK_DISPATCH_VECTOR(isa, qk_add, y, x, n) }

void qk_softmax(qk_isa isa, float *x, size_t n) { QK_DISPATCH_VECTOR(isa, qk_softmax, x, n) }

/// Keys per block: a block of keys and values (16 KiB at head_dim 64 in float32) stays in L1 while
/// every query head of the group uses it.
enum { QK_KEY_BLOCK = 64 };

void qk_attention(qk_isa isa, const qk_attention_shape *s, size_t task_begin, size_t task_end,
                  float *scores) {
    const size_t group = s->head_count / s->kv_head_count;
    const size_t dim = s->head_dim;
    const size_t stride = s->start_position + s->query_count;
    const qk_format format = s->kv_format;
    const size_t row_bytes = qk_kv_row_bytes(format, dim);
    for (size_t task = task_begin; task < task_end; task++) {
        const size_t i = task / s->kv_head_count, kv_head = task % s->kv_head_count;
        const size_t position = s->start_position + i;
        const size_t first = (s->window && position + 1 > s->window) ? position + 1 - s->window : 0;
        const size_t count = position + 1 - first;
        const char *keys = (const char *)s->keys + (kv_head * s->capacity + first) * row_bytes;
        const char *values = (const char *)s->values + (kv_head * s->capacity + first) * row_bytes;
        const size_t head0 = kv_head * group;
        const float *query = s->query + (i * s->head_count + head0) * dim;
        float *output = s->output + (i * s->head_count + head0) * dim;
        for (size_t j = 0; j < count; j += QK_KEY_BLOCK) {
            const size_t n = count - j < QK_KEY_BLOCK ? count - j : QK_KEY_BLOCK;
            for (size_t h = 0; h < group; h++)
                QK_DISPATCH_VECTOR(isa, qk_attention_scores, format, query + h * dim, keys + j * row_bytes, row_bytes, n,
                            dim, s->scale, scores + h * stride + j)
        }
        for (size_t h = 0; h < group; h++) QK_DISPATCH_VECTOR(isa, qk_softmax, scores + h * stride, count)
        if (format == QK_FORMAT_F32) {
            // llama.cpp's order (its KV cache in float32): one query (decoding) as vec_dot_f32's 32
            // lanes, several (prefill) as its tinyBLAS's 8.
            const size_t lanes = s->query_count == 1 ? 32 : 8;
            QK_DISPATCH_VECTOR(isa, qk_attention_mix_lanes, scores, stride, (const float *)values, row_bytes / sizeof(float),
                        first, count, dim, lanes, group, output, dim)
            continue;
        }
        for (size_t h = 0; h < group; h++) memset(output + h * dim, 0, dim * sizeof(float));
        for (size_t j = 0; j < count; j += QK_KEY_BLOCK) {
            const size_t n = count - j < QK_KEY_BLOCK ? count - j : QK_KEY_BLOCK;
            for (size_t h = 0; h < group; h++)
                QK_DISPATCH_VECTOR(isa, qk_attention_mix, format, scores + h * stride + j, values + j * row_bytes, row_bytes,
                            n, dim, output + h * dim)
        }
    }
}
