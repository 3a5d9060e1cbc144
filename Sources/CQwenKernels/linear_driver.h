// The blocked GEMM driver and the linear-layer entry point shared by linear_avx2.c and
// linear_avx512.c. The including file defines, under its target attribute, qk_dot_tile_any and
// QK_DOT_MR/QK_DOT_NR (row kernels), qk_pack_panel and qk_micro_kernel_any (both given the weights' format),
// QK_MC/QK_KC/QK_NR/QK_MR, QK_PANEL_ALIGN (bytes) and QK_ISA_NAME(name), then includes this file once.

QK_ALWAYS_INLINE void qk_gemm(const float *x, size_t x_rows, qk_matrix w, const float *bias, size_t row_begin,
                              size_t row_end, float *y, const int format) {
    float panel[QK_KC * QK_NR] __attribute__((aligned(QK_PANEL_ALIGN)));
    const size_t columns = w.columns;
    for (size_t m0 = 0; m0 < x_rows; m0 += QK_MC) {
        const size_t m_end = x_rows - m0 < QK_MC ? x_rows : m0 + QK_MC;
        for (size_t k0 = 0; k0 < columns; k0 += QK_KC) {
            const size_t kc = columns - k0 < QK_KC ? columns - k0 : QK_KC;
            for (size_t r = row_begin; r < row_end; r += QK_NR) {
                const size_t nr = row_end - r < QK_NR ? row_end - r : QK_NR;
                qk_pack_panel(w, r, nr, k0, kc, panel, format);
                for (size_t m = m0; m < m_end; m += QK_MR) {
                    const size_t mr = m_end - m < QK_MR ? m_end - m : QK_MR;
                    qk_micro_kernel_any(mr, x + m * columns + k0, columns, panel, kc, y + m * w.rows + r, w.rows, nr,
                                        bias ? bias + r : NULL, k0 == 0, (qk_format)format);
                }
            }
        }
    }
}

/// Up to QK_ROW_KERNEL_LIMIT rows: tiles of QK_DOT_MR activation rows × QK_DOT_NR weight rows, each
/// output computed as it would be alone. One activation row streams 16-bit weight rows one at a
/// time (measured, bf16 Qwen2.5-0.5B on 2 threads: 24.9 tokens/s, against 19.0 two rows and 19.8 four
/// rows at a time; the former one-row kernel with four accumulators: 24.9-26.4) and
/// float32 rows four at a time.
QK_ALWAYS_INLINE void qk_row_kernels(const float *x, size_t x_rows, qk_matrix w, const float *bias, size_t row_begin,
                                     size_t row_end, float *y, const int format) {
    const size_t tile_rows = x_rows == 1 && format != QK_FORMAT_F32 ? 1 : QK_DOT_NR;
    for (size_t r = row_begin; r < row_end; r += tile_rows) {
        const size_t nr = row_end - r < tile_rows ? row_end - r : tile_rows;
        for (size_t m = 0; m < x_rows; m += QK_DOT_MR) {
            const size_t mr = x_rows - m < QK_DOT_MR ? x_rows - m : QK_DOT_MR;
            qk_dot_tile_any(mr, nr, x + m * w.columns, w.columns, w, r, bias, y + m * w.rows, w.rows, format);
        }
    }
}

void QK_ISA_NAME(qk_linear)(const float *x, size_t x_rows, qk_matrix w, const float *bias,
                             size_t row_begin, size_t row_end, float *y) {
    if (x_rows <= QK_ROW_KERNEL_LIMIT) {
        switch (w.format) {
        case QK_FORMAT_F16: qk_row_kernels(x, x_rows, w, bias, row_begin, row_end, y, QK_FORMAT_F16); break;
        case QK_FORMAT_BF16: qk_row_kernels(x, x_rows, w, bias, row_begin, row_end, y, QK_FORMAT_BF16); break;
        default: qk_row_kernels(x, x_rows, w, bias, row_begin, row_end, y, QK_FORMAT_F32); break;
        }
    } else {
        switch (w.format) {
        case QK_FORMAT_F16: qk_gemm(x, x_rows, w, bias, row_begin, row_end, y, QK_FORMAT_F16); break;
        case QK_FORMAT_BF16: qk_gemm(x, x_rows, w, bias, row_begin, row_end, y, QK_FORMAT_BF16); break;
        default: qk_gemm(x, x_rows, w, bias, row_begin, row_end, y, QK_FORMAT_F32); break;
        }
    }
}
