#ifndef QK_KERNELS_INTERNAL_H
#define QK_KERNELS_INTERNAL_H

#include <math.h>
#include "CQwenKernels.h"

#include <string.h>

/// float16 bits to float32, exact for every value (subnormals, infinities, NaN).
static inline float qk_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1F;
    uint32_t mantissa = h & 0x3FF;
    uint32_t bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000 | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        exponent = 113;
        while (!(mantissa & 0x400)) {
            mantissa <<= 1;
            exponent--;
        }
        bits = sign | (exponent << 23) | ((mantissa & 0x3FF) << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/// bfloat16 bits to float32 (exact: bfloat16 is the top half of a float32).
static inline float qk_bf16_to_f32(uint16_t b) {
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/// Element `index` of a weight row converted to float32.
static inline float qk_element(const void *row, qk_format format, size_t index) {
    switch (format) {
    case QK_FORMAT_F16: return qk_f16_to_f32(((const uint16_t *)row)[index]);
    case QK_FORMAT_BF16: return qk_bf16_to_f32(((const uint16_t *)row)[index]);
    default: return ((const float *)row)[index];
    }
}

/// 1 / sqrt(mean(x²) + epsilon) as llama.cpp's rms_norm computes it: the float32 squares summed in
/// order in float64, the mean rounded to float32 once.
static inline float qk_rms_inverse(const float *x, size_t n, float epsilon) {
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    return 1.0f / sqrtf((float)(sum / (double)n) + epsilon);
}

static inline size_t qk_format_size(qk_format format) { return format == QK_FORMAT_F32 ? 4 : 2; }

/// Start of row `row` of w.
static inline const void *qk_row_pointer(qk_matrix w, size_t row) {
    return (const char *)w.base + row * w.columns * qk_format_size(w.format);
}

/// Runs fn(FORMAT, ...) with the KV row format (F32, F16 or Q8_0) as a compile-time constant, so
/// an always-inline fn is compiled once per format with the format's branches folded away.
#define QK_KV_SPECIALIZE(format, fn, ...)                                                            \
    switch (format) {                                                                                \
    case QK_FORMAT_F16: fn(QK_FORMAT_F16, __VA_ARGS__); break;                                       \
    case QK_FORMAT_Q8_0: fn(QK_FORMAT_Q8_0, __VA_ARGS__); break;                                     \
    default: fn(QK_FORMAT_F32, __VA_ARGS__); break;                                                  \
    }

/// QK_KV_SPECIALIZE for the formats qk_attention_mix takes (float32 values go to qk_attention_mix_lanes).
#define QK_KV_SPECIALIZE_CODED(format, fn, ...)                                                      \
    if (format == QK_FORMAT_F16) fn(QK_FORMAT_F16, __VA_ARGS__);                                     \
    else fn(QK_FORMAT_Q8_0, __VA_ARGS__);

/// The float32 matrix kernels of one instruction-set path (portable, AVX2, AVX-512).
#define QK_DECLARE_LINEAR_ISA(isa)                                                                   \
    void qk_linear_##isa(const float *x, size_t x_rows, qk_matrix w, const float *bias,               \
                         size_t row_begin, size_t row_end, float *y);                                \
    void qk_matrix_row_##isa(qk_matrix w, size_t row, float *y);

/// The elementwise and attention kernels of one path (portable, AVX2). The AVX-512 path runs the AVX2
/// ones (dispatch.c): they follow llama.cpp's AVX2 float32 order (sums and exponential), so that a
/// GGUF model decodes as llama.cpp does on either path (16-lane versions, run on the AVX-512 path under
/// emulation, changed 9 of SmolLMGreedyTests' 10 greedy replies).
#define QK_DECLARE_VECTOR_ISA(isa)                                                                   \
    void qk_rms_norm_##isa(const float *x, const float *weight, float epsilon, size_t n, float *y);  \
    void qk_silu_multiply_##isa(float *gate, const float *up, size_t n);                             \
    void qk_add_##isa(const float *y, float *x, size_t n);                                           \
    void qk_softmax_##isa(float *x, size_t n);                                                       \
    /* scores[j] = scale · Σ_d q[d] · key_j[d] for j < count, key j at keys + j · row_bytes */     \
    void qk_attention_scores_##isa(qk_format format, const float *q, const void *keys,                \
                                   size_t row_bytes, size_t count, size_t dim, float scale,          \
                                   float *scores);                                                   \
    /* out[d] += Σ_j p[j] · value_j[d] for d < dim, value j at values + j · row_bytes (F16, Q8_0) */ \
    void qk_attention_mix_##isa(qk_format format, const float *p, const void *values,                \
                                size_t row_bytes, size_t count, size_t dim, float *out);             \
    /* For each of `heads` query heads h sharing the value rows: out[h * out_stride + d] =        */ \
    /* Σ_j p[h * p_stride + j] · value_j[d] over float32 rows row_floats apart, in llama.cpp's   */ \
    /* order: position first + j joins running sum (first + j) % lanes (fused multiply-adds), and */ \
    /* the sums are reduced as its tinyBLAS (lanes 8, prefill) or vec_dot_f32 (32, one query) does */ \
    void qk_attention_mix_lanes_##isa(const float *p, size_t p_stride, const float *values,           \
                                      size_t row_floats, size_t first, size_t count, size_t dim,     \
                                      size_t lanes, size_t heads, float *out, size_t out_stride);

QK_DECLARE_LINEAR_ISA(portable)
QK_DECLARE_VECTOR_ISA(portable)
#if defined(__x86_64__) || defined(_M_X64)
QK_DECLARE_LINEAR_ISA(avx2)
QK_DECLARE_VECTOR_ISA(avx2)
QK_DECLARE_LINEAR_ISA(avx512)
#endif

#endif
