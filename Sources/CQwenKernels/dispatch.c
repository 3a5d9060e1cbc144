// Public entry points: route each call to the instruction-set path the caller chose.
#include "kernels_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#define QK_DISPATCH(isa, name, ...)                                 \
    switch (isa) {                                                  \
    case QK_ISA_AVX512: name##_avx512(__VA_ARGS__); break;          \
    case QK_ISA_AVX2: name##_avx2(__VA_ARGS__); break;              \
    default: name##_portable(__VA_ARGS__); break;                   \
    }
#else
#define QK_DISPATCH(isa, name, ...) name##_portable(__VA_ARGS__);
#endif

void qk_linear(qk_isa isa, const float *x, size_t x_rows, qk_matrix w, const float *bias,
               size_t row_begin, size_t row_end, float *y) {
    QK_DISPATCH(isa, qk_linear, x, x_rows, w, bias, row_begin, row_end, y)
}

void qk_matrix_row(qk_isa isa, qk_matrix w, size_t row, float *y) {
    QK_DISPATCH(isa, qk_matrix_row, w, row, y)
}

void qk_rms_norm(qk_isa isa, const float *x, const float *weight, float epsilon, size_t n, float *y) {
    QK_DISPATCH(isa, qk_rms_norm, x, weight, epsilon, n, y)
}

void qk_silu_multiply(qk_isa isa, float *gate, const float *up, size_t n) {
    QK_DISPATCH(isa, qk_silu_multiply, gate, up, n)
}

void qk_add(qk_isa isa, const float *y, float *x, size_t n) { QK_DISPATCH(isa, qk_add, y, x, n) }

void qk_softmax(qk_isa isa, float *x, size_t n) { QK_DISPATCH(isa, qk_softmax, x, n) }

void qk_attention(qk_isa isa, const qk_attention_shape *s, size_t task_begin, size_t task_end,
                  float *scores) {
    const size_t group = s->head_count / s->kv_head_count;
    const size_t dim = s->head_dim;
    for (size_t task = task_begin; task < task_end; task++) {
        const size_t i = task / s->head_count, head = task % s->head_count;
        const size_t position = s->start_position + i;
        const size_t first = (s->window && position + 1 > s->window) ? position + 1 - s->window : 0;
        const size_t count = position + 1 - first;
        const size_t kv_offset = ((head / group) * s->capacity + first) * dim;
        const float *q = s->query + (i * s->head_count + head) * dim;
        float *out = s->output + (i * s->head_count + head) * dim;
        QK_DISPATCH(isa, qk_attention_scores, q, s->keys + kv_offset, count, dim, s->scale, scores)
        QK_DISPATCH(isa, qk_softmax, scores, count)
        QK_DISPATCH(isa, qk_attention_mix, scores, s->values + kv_offset, count, dim, out)
    }
}
