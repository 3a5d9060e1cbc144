// Memory helpers the weight loader calls; a thin shim over what the OS offers.
#include "CQwenKernels.h"

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

int qk_prefault_write(void *start, size_t byte_count) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    const long page_size = sysconf(_SC_PAGESIZE);
    if (page_size <= 0) return 0;
    const uintptr_t page = (uintptr_t)page_size, first = ((uintptr_t)start + page - 1) / page * page,
                    end = ((uintptr_t)start + byte_count) / page * page;
    if (end <= first) return 0;
    return madvise((void *)first, end - first, MADV_POPULATE_WRITE) == 0;
#else
    (void)start, (void)byte_count;
    return 0;
#endif
}
