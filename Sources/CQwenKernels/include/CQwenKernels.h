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
    int avx512vl;
    int avx512vnni;
    int avx512bf16;
} qk_cpu_features;

/// The features of the CPU this process runs on.
qk_cpu_features qk_detect_cpu_features(void);

#endif
