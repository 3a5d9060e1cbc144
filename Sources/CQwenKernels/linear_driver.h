// The blocked GEMM driver and the linear-layer entry point shared by linear_avx2.c and
// linear_avx512.c. The including file defines, under its target attribute, qk_dot_tile_any and
// QK_DOT_MR/QK_DOT_NR (row kernels), qk_pack_panel and qk_micro_kernel_any (both given the weights' format),
// QK_MC/QK_KC/QK_NR/QK_MR, QK_PANEL_COLUMNS(format) (columns per panel, the panel buffer holding QK_KC × QK_NR
// floats), QK_PANEL_ALIGN (bytes) and QK_ISA_NAME(name), then includes this file once.

/// The source lines of the next weight panel, fetched a few at a time while the micro-kernels run
/// on the current one: packing reads 16 rows' short runs, too many streams for the hardware
/// prefetcher, so without this the packing waits on memory for most lines (1.5B F16, 512-token
/// prefill: the packing's share of the time 11.8 % -> 4.4-5.4 %).
typedef struct {
    const char *source;   ///< the current row's first byte to fetch
    size_t row_bytes;     ///< bytes from one weight row to the next
    size_t rows;          ///< rows left to fetch, the current one included
    size_t offset, bytes; ///< the current row's next offset, and the bytes to fetch in each row
    size_t per_step;      ///< lines per micro-kernel call
} qk_panel_prefetch;

/// Prefetches for the panel of rows [row, min(row + QK_NR, row_end)) × columns [k0, k0 + kc),
/// spread over the micro-kernel calls of `activation_rows` rows.
QK_ALWAYS_INLINE qk_panel_prefetch qk_panel_prefetch_start(qk_matrix w, size_t row, size_t row_end, size_t k0,
                                                           size_t kc, size_t activation_rows) {
    const size_t element = qk_format_size(w.format);
    const size_t rows = row_end - row < QK_NR ? row_end - row : QK_NR;
    const size_t bytes = kc * element + 64; // one line more: the run need not start on a line
    const size_t calls = (activation_rows + QK_MR - 1) / QK_MR;
    const size_t lines = rows * (bytes / 64);
    return (qk_panel_prefetch){(const char *)w.base + (row * w.columns + k0) * element, w.columns * element,
                               rows, 0, bytes, (lines + calls - 1) / calls};
}

QK_ALWAYS_INLINE void qk_panel_prefetch_step(qk_panel_prefetch *p) {
    for (size_t i = 0; i < p->per_step && p->rows > 0; i++) {
        _mm_prefetch(p->source + p->offset, _MM_HINT_T0);
        p->offset += 64;
        if (p->offset >= p->bytes) p->offset = 0, p->source += p->row_bytes, p->rows--;
    }
}

QK_ALWAYS_INLINE void qk_gemm(const float *x, size_t x_rows, qk_matrix w, const float *bias, size_t row_begin,
                              size_t row_end, float *y, const int format) {
    float panel[QK_KC * QK_NR] __attribute__((aligned(QK_PANEL_ALIGN)));
    const size_t columns = w.columns, block = QK_PANEL_COLUMNS(format);
    for (size_t m0 = 0; m0 < x_rows; m0 += QK_MC) {
        const size_t m_end = x_rows - m0 < QK_MC ? x_rows : m0 + QK_MC;
        for (size_t k0 = 0; k0 < columns; k0 += block) {
            const size_t kc = columns - k0 < block ? columns - k0 : block;
            for (size_t r = row_begin; r < row_end; r += QK_NR) {
                const size_t nr = row_end - r < QK_NR ? row_end - r : QK_NR;
                // Whole panels get constant sizes, so the packing's edge tests fold away.
                if (nr == QK_NR && kc == block) qk_pack_panel(w, r, QK_NR, k0, block, panel, format);
                else qk_pack_panel(w, r, nr, k0, kc, panel, format);
                // The next panel: the next rows, or the first rows of the next column block.
                const int last = r + nr >= row_end;
                const size_t next_k0 = !last ? k0 : k0 + block < columns ? k0 + block : 0;
                const size_t next_kc = columns - next_k0 < block ? columns - next_k0 : block;
                qk_panel_prefetch next =
                    qk_panel_prefetch_start(w, last ? row_begin : r + nr, row_end, next_k0, next_kc, m_end - m0);
                for (size_t m = m0; m < m_end; m += QK_MR) {
                    const size_t mr = m_end - m < QK_MR ? m_end - m : QK_MR;
                    qk_panel_prefetch_step(&next);
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
