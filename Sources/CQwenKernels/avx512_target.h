// The AVX-512 files' intrinsics and target. Natively: <immintrin.h>, and the functions between
// QK_AVX512_BEGIN(features) and QK_AVX512_END compiled for those features (chosen at run time by
// cpuid). Under QK_EMULATE_AVX512 (a test build: Package.swift sets it when QWENKIT_EMULATE_AVX512
// is in the environment) the same code runs on SIMDe's emulation of the intrinsics, compiled for
// the host, so the AVX-512 paths' tests run on CPUs without AVX-512.
#ifndef QK_AVX512_TARGET_H
#define QK_AVX512_TARGET_H

// Emulated, too: SIMDe then takes the compiler's vector types as its own.
#include <immintrin.h>

#define QK_PRAGMA(text) _Pragma(#text)
#define QK_TARGET_BEGIN(features) QK_PRAGMA(clang attribute push(__attribute__((target(features))), apply_to = function))
#ifdef QK_EMULATE_AVX512
// SIMDe and the kernels compiled for AVX2, FMA and F16C (one vector calling convention, and scalar
// multiply-adds contracted as natively), from here to QK_AVX512_END.
QK_TARGET_BEGIN("avx2,fma,f16c")
#include "avx512_emulation.h"
#define QK_AVX512_BEGIN(features)
#else
#define QK_AVX512_BEGIN(features) QK_TARGET_BEGIN(features)
#endif
#define QK_AVX512_END _Pragma("clang attribute pop")

#endif
