// Quantized linear layers in plain C, for any CPU: the reference the vector paths are tested against.
#include "quant_internal.h"

typedef struct { int32_t first, second; } qk_ivec;
typedef float qk_fvec;

static inline qk_ivec QK_DOT32(const int8_t *w, const int8_t *x) {
    qk_ivec v = {0, 0};
    for (int i = 0; i < 16; i++) v.first += w[i] * x[i];
    for (int i = 16; i < 32; i++) v.second += w[i] * x[i];
    return v;
}
static inline qk_ivec QK_DOT_Q4(const uint8_t *qs, int offset, const int8_t *x) {
    int8_t w[32];
    for (int j = 0; j < 16; j++) {
        w[j] = (int8_t)((qs[j] & 0xF) - offset);
        w[j + 16] = (int8_t)((qs[j] >> 4) - offset);
    }
    return QK_DOT32(w, x);
}
static inline qk_ivec QK_DOT_Q5(const uint8_t *qs, const uint8_t *qh, const int8_t *x) {
    uint32_t high;
    memcpy(&high, qh, sizeof high);
    int8_t w[32];
    for (int j = 0; j < 16; j++) {
        w[j] = (int8_t)(((qs[j] & 0xF) | (((high >> j) & 1) << 4)) - 16);
        w[j + 16] = (int8_t)(((qs[j] >> 4) | (((high >> (j + 16)) & 1) << 4)) - 16);
    }
    return QK_DOT32(w, x);
}
static inline qk_ivec QK_DOT_NIBBLES(const uint8_t *q, int shift, const int8_t *x) {
    int8_t w[32];
    for (int j = 0; j < 32; j++) w[j] = (int8_t)((q[j] >> shift) & 0xF);
    return QK_DOT32(w, x);
}
static inline qk_ivec QK_SCALE2(qk_ivec v, int first, int second) {
    return (qk_ivec){v.first * first, v.second * second};
}
static inline qk_ivec QK_IADD(qk_ivec a, qk_ivec b) { return (qk_ivec){a.first + b.first, a.second + b.second}; }
static inline qk_ivec QK_IZERO(void) { return (qk_ivec){0, 0}; }
static inline qk_fvec QK_FZERO(void) { return 0.0f; }
static inline qk_fvec QK_FMA(qk_fvec acc, qk_ivec v, float scale) { return acc + (float)(v.first + v.second) * scale; }
static inline float QK_FSUM(qk_fvec acc) { return acc; }
static inline float QK_F16(uint16_t h) { return qk_f16_to_f32(h); }
#define QK_ISA_NAME(name) name##_portable

#include "quant_dot.h"
