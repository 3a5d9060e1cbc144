// Rows of the KV cache in the precision it stores: float32, float16, or ggml's Q8_0 blocks.
#include "quant_internal.h"

/// Values per float16 or Q8_0 row, padded with zeros: the widest strip an attention kernel reads
/// at once (a vector kernel never reads past a row) and a whole number of Q8_0 blocks.
enum { QK_KV_ROW_ALIGN = 64 };

static size_t qk_kv_padded(size_t head_dim) {
    return (head_dim + QK_KV_ROW_ALIGN - 1) / QK_KV_ROW_ALIGN * QK_KV_ROW_ALIGN;
}

size_t qk_kv_row_bytes(qk_format kv_format, size_t head_dim) {
    switch (kv_format) {
    case QK_FORMAT_F16: return qk_kv_padded(head_dim) * sizeof(uint16_t);
    case QK_FORMAT_Q8_0: return qk_kv_padded(head_dim) / QK_BLOCK * sizeof(qk_block_q8_0);
    default: return head_dim * sizeof(float);
    }
}

void qk_kv_store_row(qk_format kv_format, const float *x, size_t head_dim, void *row) {
    switch (kv_format) {
    case QK_FORMAT_F16: {
        uint16_t *halves = row;
        const size_t padded = qk_kv_padded(head_dim);
        for (size_t i = 0; i < padded; i++) halves[i] = i < head_dim ? qk_f32_to_f16(x[i]) : 0;
        break;
    }
    case QK_FORMAT_Q8_0: {
        qk_block_q8_0 *blocks = row;
        for (size_t b = 0; b < qk_kv_padded(head_dim) / QK_BLOCK; b++) {
            float block[QK_BLOCK] = {0};
            for (size_t i = 0; i < QK_BLOCK && b * QK_BLOCK + i < head_dim; i++) block[i] = x[b * QK_BLOCK + i];
            qk_quantize_row(QK_FORMAT_Q8_0, block, QK_BLOCK, blocks + b);
        }
        break;
    }
    default: memcpy(row, x, head_dim * sizeof(float));
    }
}
