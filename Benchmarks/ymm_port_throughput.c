// Throughput of the AVX2 instructions the integer dot-product kernels are made of, alone and in the
// mixes the kernels issue per 32 products, on 12 independent register chains (no memory traffic).
// Tells which execution ports bound a kernel on this CPU: e.g. whether vpmaddubsw and vpmaddwd share
// pipes, and what the 8-lane decode body costs against prefill's whole-block body.
//
//   clang -O2 -mavx2 -mfma Benchmarks/ymm_port_throughput.c -o /tmp/ymm_port_throughput && /tmp/ymm_port_throughput
//
// Prints ns per 12 chain steps; divide by the clock period for cycles. Results: Benchmarks/RESULTS.md.
#include <immintrin.h>
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
    return (int)(sink & 1);
}
