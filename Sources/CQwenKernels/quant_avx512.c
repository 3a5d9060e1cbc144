// Quantized linear layers with AVX-512 VNNI on 256-bit vectors (faster than 512-bit here): signed
// bytes multiplied and summed in fours by _mm256_dpbusd_epi32 after the sign trick.
#include "quant_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "avx512_target.h"

QK_AVX512_BEGIN("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,avx2,fma,f16c")

typedef __m256i qk_ivec;
typedef __m256 qk_fvec;

/// Σ a·b of 32 unsigned bytes a with 32 signed bytes b, in the lanes QK_DOT32 uses.
static inline qk_ivec qk_dot_unsigned(__m256i a, __m256i b) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), a, b);
}
#include "quant_ymm.h"
#define QK_ISA_NAME(name) name##_avx512

static inline __m256i QK_X8_NIBBLES_ADD(__m256i s, __m256i u, __m256i x) { return _mm256_dpbusd_epi32(s, u, x); }
static inline __m256i QK_X8_NIBBLES_TOTAL(__m256i s) { return s; }
static inline __m256i QK_X8_BYTES_ADD(__m256i s, __m256i u, __m256i x) { return _mm256_dpbusd_epi32(s, u, x); }
#include "quant_x8_ymm.h"

#include "quant_dot.h"

QK_AVX512_END
#endif
