// Throughput of the AVX2 instructions the integer dot-product kernels are made of, alone and in the
// mixes the kernels issue per 32 products, on 12 independent register chains (no memory traffic).
// Tells which execution ports bound a kernel on this CPU: e.g. whether vpmaddubsw and vpmaddwd share
// pipes, and what the 8-lane decode body costs against prefill's whole-block body. Then the kernels'
// bodies as they issue them (activation slices broadcast from memory, codes prepared once for all
// activation rows), each beside a candidate formulation: a chain mix leaves out the loads and the
// shared preparation, and can rank formulations wrongly.
//
//   clang -O2 -mavx2 -mfma Benchmarks/ymm_port_throughput.c -o /tmp/ymm_port_throughput && /tmp/ymm_port_throughput
//
// Prints ns per 12 chain steps, or per body; divide by the clock period for cycles. The host's noise
// moves single runs by up to 20 %: run it a few times. Results: Benchmarks/RESULTS.md.
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

enum { STEPS = 50000000 };
static __m256i b, ones;

#define CHAINS __m256i a0 = _mm256_set1_epi8(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0
// Keeps the chains in registers and the loop from being folded away.
#define KEEP __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5), "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9), "+x"(a10), "+x"(a11))
#define ALL(OP) OP(a0); OP(a1); OP(a2); OP(a3); OP(a4); OP(a5); OP(a6); OP(a7); OP(a8); OP(a9); OP(a10); OP(a11)

#define ADD(a) a = _mm256_add_epi32(a, b)
#define SIGN(a) a = _mm256_sign_epi8(a, b)
#define MADDUBS(a) a = _mm256_maddubs_epi16(a, b)
#define MADD(a) a = _mm256_madd_epi16(a, ones)
#define CVT(a) a = _mm256_castps_si256(_mm256_cvtepi32_ps(a))
#define FMA(a) a = _mm256_castps_si256(_mm256_fmadd_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), _mm256_castsi256_ps(ones)))

#define RUN(name, body)                                                                    \
    {                                                                                      \
        CHAINS;                                                                            \
        const double start = now();                                                        \
        for (long n = 0; n < STEPS; n++) {                                                 \
            body;                                                                          \
            KEEP;                                                                          \
        }                                                                                  \
        printf("%-52s %6.3f ns\n", name, (now() - start) / STEPS * 1e9);                   \
        sink += _mm256_extract_epi32(a0, 0);                                               \
    }

/// 4-byte activation slices the bodies broadcast, one per row and lane.
static int32_t slices[64];

/// Keeps 8 accumulators in registers across iterations.
#define KEEP8(c) __asm__ volatile("" : "+x"(c[0]), "+x"(c[1]), "+x"(c[2]), "+x"(c[3]), "+x"(c[4]), "+x"(c[5]), "+x"(c[6]), "+x"(c[7]))
/// Times STEPS iterations of the body (the last arguments), which reads the slices at `x` (moved
/// each step so that the loads stay loads) and the codes `w` (opaque to the compiler) and adds into
/// acc[0..7].
#define BODY(name, type, initial, ...)                                                     \
    {                                                                                      \
        type acc[8];                                                                       \
        for (int m = 0; m < 8; m++) acc[m] = initial;                                      \
        __m256i w = _mm256_set1_epi8(3);                                                   \
        const double start = now();                                                        \
        for (long n = 0; n < STEPS; n++) {                                                 \
            const int32_t *x = slices + (n & 7);                                           \
            __asm__ volatile("" : "+x"(w), "+r"(x));                                       \
            __VA_ARGS__;                                                                   \
            KEEP8(acc);                                                                    \
        }                                                                                  \
        printf("%-52s %6.3f ns\n", name, (now() - start) / STEPS * 1e9);                   \
        sink += (long)((float *)&acc[0])[0];                                               \
    }

int main(void) {
    b = _mm256_set1_epi8(3);
    ones = _mm256_set1_epi16(1);
    long sink = 0;
    RUN("12 vpaddd", ALL(ADD));
    RUN("12 vpsignb", ALL(SIGN));
    RUN("12 vpmaddubsw", ALL(MADDUBS));
    RUN("12 vpmaddwd", ALL(MADD));
    RUN("12 vcvtdq2ps", ALL(CVT));
    RUN("12 vfmadd", ALL(FMA));
    RUN("12 (vpmaddubsw + vpmaddwd)", ALL(MADDUBS); ALL(MADD));
    RUN("12 whole-block steps (sign, maddubs, madd, add)", ALL(SIGN); ALL(MADDUBS); ALL(MADD); ALL(ADD));
    RUN("12 lane steps (sign, maddubs, madd, cvt, fma)", ALL(SIGN); ALL(MADDUBS); ALL(MADD); ALL(CVT); ALL(FMA));
    RUN("12 16-bit whole-block steps (2 madd, 2 add)", ALL(MADD); ALL(MADD); ALL(ADD); ALL(ADD));
    RUN("12 16-bit lane steps (2 madd, add, cvt, fma)", ALL(MADD); ALL(MADD); ALL(ADD); ALL(CVT); ALL(FMA));

    // Decoding's lane tile: one lane of one block for 8 activation rows (8 × 32 products).
    const __m256 scale = _mm256_set1_ps(1e-9f);
    const __m256i zero = _mm256_setzero_si256();
    BODY("lane tile body, 8 rows: sign trick (the kernel)", __m256, _mm256_setzero_ps(), {
        const __m256i magnitude = _mm256_sign_epi8(w, w);
        for (int m = 0; m < 8; m++) {
            const __m256i xs = _mm256_sign_epi8(_mm256_set1_epi32(x[m]), w);
            acc[m] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, xs), ones)), scale, acc[m]);
        }
    });
    BODY("lane tile body, 8 rows: x's sign by xor/sub", __m256, _mm256_setzero_ps(), {
        const __m256i magnitude = _mm256_sign_epi8(w, w), negative = _mm256_cmpgt_epi8(zero, w);
        for (int m = 0; m < 8; m++) {
            const __m256i xs = _mm256_sub_epi8(_mm256_xor_si256(_mm256_set1_epi32(x[m]), negative), negative);
            acc[m] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, xs), ones)), scale, acc[m]);
        }
    });
    // int32 -> float32 exactly by a magic-number add (|sum| < 2^22) and a float subtraction, not vcvtdq2ps.
    BODY("lane tile body, 8 rows: int->float by magic number", __m256, _mm256_setzero_ps(), {
        const __m256i magnitude = _mm256_sign_epi8(w, w), magic = _mm256_set1_epi32(0x4B400000);
        for (int m = 0; m < 8; m++) {
            const __m256i xs = _mm256_sign_epi8(_mm256_set1_epi32(x[m]), w);
            const __m256i sum = _mm256_add_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, xs), ones), magic);
            acc[m] = _mm256_fmadd_ps(_mm256_sub_ps(_mm256_castsi256_ps(sum), _mm256_set1_ps(12582912.0f)), scale, acc[m]);
        }
    });
    // 16 bits: codes widened once (pairs of values per row, both halves), x as 16-bit pairs.
    BODY("lane tile body, 8 rows: 16-bit (2 vpmaddwd)", __m256, _mm256_setzero_ps(), {
        const __m256i pairs = _mm256_shuffle_epi8(w, b);
        const __m256i low = _mm256_srai_epi16(_mm256_unpacklo_epi8(pairs, pairs), 8);
        const __m256i high = _mm256_srai_epi16(_mm256_unpackhi_epi8(pairs, pairs), 8);
        for (int m = 0; m < 8; m++) {
            const __m256i sum = _mm256_add_epi32(_mm256_madd_epi16(low, _mm256_set1_epi32(x[m])),
                                                 _mm256_madd_epi16(high, _mm256_set1_epi32(x[m + 8])));
            acc[m] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), scale, acc[m]);
        }
    });
    // Prefill's whole blocks: two 4-byte slices of one block for 4 activation rows (8 × 32 products).
    BODY("whole-block body, 4 rows x 2 slices: sign trick", __m256i, zero, {
        for (int k = 0; k < 2; k++) {
            const __m256i codes = k ? _mm256_xor_si256(w, b) : w, magnitude = _mm256_sign_epi8(codes, codes);
            for (int m = 0; m < 4; m++) {
                const __m256i xs = _mm256_sign_epi8(_mm256_set1_epi32(x[8 * k + m]), codes);
                acc[m] = _mm256_add_epi32(acc[m], _mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, xs), ones));
            }
        }
    });
    BODY("whole-block body, 4 rows x 2 slices: 16-bit", __m256i, zero, {
        for (int k = 0; k < 2; k++) {
            const __m256i pairs = _mm256_shuffle_epi8(k ? _mm256_xor_si256(w, b) : w, b);
            const __m256i low = _mm256_srai_epi16(_mm256_unpacklo_epi8(pairs, pairs), 8);
            const __m256i high = _mm256_srai_epi16(_mm256_unpackhi_epi8(pairs, pairs), 8);
            for (int m = 0; m < 4; m++)
                acc[m] = _mm256_add_epi32(acc[m], _mm256_add_epi32(_mm256_madd_epi16(low, _mm256_set1_epi32(x[8 * k + m])),
                                                                   _mm256_madd_epi16(high, _mm256_set1_epi32(x[8 * k + m + 4]))));
        }
    });
    return (int)(sink & 1);
}
