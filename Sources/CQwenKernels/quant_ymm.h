// The 256-bit integer and float primitives quant_dot.h builds on, shared by the AVX2 and the
// AVX-512 VNNI files. The including file defines qk_ivec/qk_fvec (__m256i/__m256) and
// qk_dot_unsigned (32 unsigned × 32 signed bytes, summed in fours into 8 int32 lanes) under its own
// target attribute, then includes this header.
#ifndef QK_QUANT_YMM_H
#define QK_QUANT_YMM_H

/// Σ a·b of 32 signed bytes: |a| times b with a's sign (the sign trick).
static inline qk_ivec qk_dot_signed(__m256i a, __m256i b) {
    return qk_dot_unsigned(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
}
static inline qk_ivec QK_DOT32(const int8_t *w, const int8_t *x) {
    return qk_dot_signed(_mm256_loadu_si256((const __m256i *)w), _mm256_loadu_si256((const __m256i *)x));
}
static inline qk_ivec QK_DOT_Q4(const uint8_t *qs, int offset, const int8_t *x) {
    const __m128i packed = _mm_loadu_si128((const __m128i *)qs);
    const __m256i nibbles = _mm256_and_si256(
        _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), _mm256_set1_epi8(0x0F));
    const __m256i b = _mm256_loadu_si256((const __m256i *)x);
    if (offset == 0) return qk_dot_unsigned(nibbles, b);
    return qk_dot_signed(_mm256_sub_epi8(nibbles, _mm256_set1_epi8((char)offset)), b);
}
/// Byte j is 0x10 where bit j of `bits` is set, else 0.
static inline __m256i qk_fifth_bits(uint32_t bits) {
    // Byte j of `spread` holds byte j / 8 of bits; with every bit but bit j % 8 set, it is all ones
    // exactly when bit j is set.
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32((int)bits),
        _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0x0000000000000000));
    const __m256i set = _mm256_cmpeq_epi8(_mm256_or_si256(spread, _mm256_set1_epi64x(0x7FBFDFEFF7FBFDFE)),
                                          _mm256_set1_epi8(-1));
    return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}
static inline qk_ivec QK_DOT_Q5(const uint8_t *qs, const uint8_t *qh, const int8_t *x) {
    const __m128i packed = _mm_loadu_si128((const __m128i *)qs);
    const __m256i nibbles = _mm256_and_si256(
        _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), _mm256_set1_epi8(0x0F));
    uint32_t high;
    memcpy(&high, qh, sizeof high);
    const __m256i values = _mm256_or_si256(nibbles, qk_fifth_bits(high));
    return qk_dot_signed(_mm256_sub_epi8(values, _mm256_set1_epi8(16)), _mm256_loadu_si256((const __m256i *)x));
}
static inline qk_ivec QK_DOT_NIBBLES(const uint8_t *q, int shift, const int8_t *x) {
    const __m256i packed = _mm256_loadu_si256((const __m256i *)q);
    const __m256i nibbles = _mm256_and_si256(_mm256_srli_epi16(packed, shift), _mm256_set1_epi8(0x0F));
    return qk_dot_unsigned(nibbles, _mm256_loadu_si256((const __m256i *)x));
}
static inline qk_ivec QK_SCALE2(qk_ivec v, int first, int second) {
    return _mm256_mullo_epi32(v, _mm256_setr_epi32(first, first, first, first, second, second, second, second));
}
static inline qk_ivec QK_IADD(qk_ivec a, qk_ivec b) { return _mm256_add_epi32(a, b); }
static inline qk_ivec QK_IZERO(void) { return _mm256_setzero_si256(); }
static inline qk_fvec QK_FZERO(void) { return _mm256_setzero_ps(); }
static inline qk_fvec QK_FMA(qk_fvec acc, qk_ivec v, float scale) {
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(v), _mm256_set1_ps(scale), acc);
}
static inline float QK_FSUM(qk_fvec acc) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
static inline float QK_F16(uint16_t h) { return _cvtsh_ss(h); }

#endif
