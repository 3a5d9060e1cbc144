// AVX-512 elementwise kernels and the two halves of attention. Only the residual add runs 512 bits
// wide: the norm, activation, softmax and attention sums keep the AVX2 kernels' arithmetic, which is
// llama.cpp's AVX2 build's (the order of their float32 sums and their exponential), so that a GGUF
// model decodes as llama.cpp does on either path (SmolLMGreedyTests: run on the AVX-512 path, under
// emulation, 512-bit versions of these changed 9 of 10 greedy replies). These steps are a few percent
// of a forward pass.
#include "quant_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "avx512_target.h"

QK_AVX512_BEGIN("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,f16c")

static inline __mmask16 qk_mask(size_t remaining) {
    return remaining >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << remaining) - 1);
}

void qk_add_avx512(const float *y, float *x, size_t n) {
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 mask = qk_mask(n - i);
        _mm512_mask_storeu_ps(x + i, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, x + i), _mm512_maskz_loadu_ps(mask, y + i)));
    }
}

void qk_rms_norm_avx512(const float *x, const float *weight, float epsilon, size_t n, float *y) {
    qk_rms_norm_avx2(x, weight, epsilon, n, y);
}

void qk_silu_multiply_avx512(float *gate, const float *up, size_t n) { qk_silu_multiply_avx2(gate, up, n); }

void qk_softmax_avx512(float *x, size_t n) { qk_softmax_avx2(x, n); }

void qk_attention_scores_avx512(qk_format format, const float *q, const void *keys, size_t row_bytes, size_t count,
                                size_t dim, float scale, float *scores) {
    qk_attention_scores_avx2(format, q, keys, row_bytes, count, dim, scale, scores);
}

void qk_attention_mix_avx512(qk_format format, const float *p, const void *values, size_t row_bytes, size_t count,
                             size_t dim, float *out) {
    qk_attention_mix_avx2(format, p, values, row_bytes, count, dim, out);
}

void qk_attention_mix_lanes_avx512(const float *p, size_t p_stride, const float *values, size_t row_floats,
                                   size_t first, size_t count, size_t dim, size_t lanes, size_t heads, float *out,
                                   size_t out_stride) {
    qk_attention_mix_lanes_avx2(p, p_stride, values, row_floats, first, count, dim, lanes, heads, out, out_stride);
}

QK_AVX512_END
#endif
