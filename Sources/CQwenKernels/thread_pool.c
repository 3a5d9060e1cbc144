// Fork/join thread pool. A loop is published as one 64-bit word, (generation << 32) | next
// chunk, that participants advance with compare-and-swap: a participant that wakes late can
// never claim a chunk of a later loop with the parameters of an earlier one, and the caller
// waits only for chunks that were claimed, never for a worker that has not woken up.
#include "CQwenKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define QK_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define QK_PAUSE() __asm__ __volatile__("yield")
#else
#define QK_PAUSE() ((void)0)
#endif

/// Pause instructions an idle worker spins (about a millisecond) before it sleeps.
enum { QK_SPIN_LIMIT = 1 << 15 };

struct qk_pool {
    size_t thread_count;
    pthread_t *threads;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    _Atomic uint64_t loop;        ///< (generation << 32) | next chunk index
    _Atomic size_t done_chunks;
    _Atomic size_t sleepers;
    _Atomic int stopping;
    _Atomic(qk_pool_body) body;
    _Atomic(void *) context;
    _Atomic size_t count;
    _Atomic size_t chunk_count;
};

typedef struct {
    qk_pool *pool;
    size_t worker;
} qk_worker_start;

static inline uint32_t qk_generation(uint64_t loop) { return (uint32_t)(loop >> 32); }

/// Claims and runs chunks of loop `generation` until none are left or a newer loop started.
static void qk_pool_work(qk_pool *pool, uint32_t generation, size_t worker) {
    uint64_t loop = atomic_load_explicit(&pool->loop, memory_order_acquire);
    for (;;) {
        if (qk_generation(loop) != generation) return;
        const size_t chunk = (uint32_t)loop;
        // While the claim below can succeed, this loop is unfinished, so these are its parameters.
        const size_t chunks = atomic_load_explicit(&pool->chunk_count, memory_order_relaxed);
        if (chunk >= chunks) return;
        const size_t count = atomic_load_explicit(&pool->count, memory_order_relaxed);
        const qk_pool_body body = atomic_load_explicit(&pool->body, memory_order_relaxed);
        void *context = atomic_load_explicit(&pool->context, memory_order_relaxed);
        if (!atomic_compare_exchange_weak_explicit(&pool->loop, &loop, loop + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        body(context, chunk * count / chunks, (chunk + 1) * count / chunks, worker);
        atomic_fetch_add_explicit(&pool->done_chunks, 1, memory_order_release);
        loop = atomic_load_explicit(&pool->loop, memory_order_acquire);
    }
}

static void *qk_worker_main(void *argument) {
    qk_worker_start start = *(qk_worker_start *)argument;
    free(argument);
    qk_pool *pool = start.pool;
    uint32_t seen = qk_generation(atomic_load(&pool->loop));
    for (;;) {
        uint32_t generation = qk_generation(atomic_load_explicit(&pool->loop, memory_order_acquire));
        for (int spin = 0; generation == seen && spin < QK_SPIN_LIMIT; spin++) {
            QK_PAUSE();
            generation = qk_generation(atomic_load_explicit(&pool->loop, memory_order_acquire));
        }
        if (generation == seen) {
            pthread_mutex_lock(&pool->mutex);
            atomic_fetch_add(&pool->sleepers, 1);
            while ((generation = qk_generation(atomic_load(&pool->loop))) == seen && !atomic_load(&pool->stopping))
                pthread_cond_wait(&pool->wake, &pool->mutex);
            atomic_fetch_sub(&pool->sleepers, 1);
            pthread_mutex_unlock(&pool->mutex);
        }
        if (atomic_load(&pool->stopping)) return NULL;
        seen = generation;
        qk_pool_work(pool, generation, start.worker);
    }
}

qk_pool *qk_pool_create(size_t thread_count) {
    if (thread_count < 1) thread_count = 1;
    qk_pool *pool = calloc(1, sizeof(qk_pool));
    if (!pool) return NULL;
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pool->threads = calloc(thread_count, sizeof(pthread_t));
    if (!pool->threads) {
        free(pool);
        return NULL;
    }
    pool->thread_count = 1;
    for (size_t i = 1; i < thread_count; i++) {
        qk_worker_start *start = malloc(sizeof(qk_worker_start));
        if (start) *start = (qk_worker_start){pool, i};
        if (!start || pthread_create(&pool->threads[i], NULL, qk_worker_main, start) != 0) {
            free(start);
            qk_pool_destroy(pool);
            return NULL;
        }
        pool->thread_count = i + 1;
    }
    return pool;
}

void qk_pool_destroy(qk_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->mutex);
    atomic_store(&pool->stopping, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    for (size_t i = 1; i < pool->thread_count; i++) pthread_join(pool->threads[i], NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mutex);
    free(pool->threads);
    free(pool);
}

void qk_pool_run(qk_pool *pool, size_t count, size_t chunk_count, qk_pool_body body, void *context) {
    if (count == 0) return;
    if (chunk_count < 1) chunk_count = 1;
    if (chunk_count > count) chunk_count = count;
    if (chunk_count > UINT32_MAX) chunk_count = UINT32_MAX;
    if (pool->thread_count == 1 || chunk_count == 1) {
        for (size_t chunk = 0; chunk < chunk_count; chunk++)
            body(context, chunk * count / chunk_count, (chunk + 1) * count / chunk_count, 0);
        return;
    }
    atomic_store_explicit(&pool->body, body, memory_order_relaxed);
    atomic_store_explicit(&pool->context, context, memory_order_relaxed);
    atomic_store_explicit(&pool->count, count, memory_order_relaxed);
    atomic_store_explicit(&pool->chunk_count, chunk_count, memory_order_relaxed);
    atomic_store_explicit(&pool->done_chunks, 0, memory_order_relaxed);
    const uint32_t generation = qk_generation(atomic_load_explicit(&pool->loop, memory_order_relaxed)) + 1;
    atomic_store(&pool->loop, (uint64_t)generation << 32);
    if (atomic_load(&pool->sleepers) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
    qk_pool_work(pool, generation, 0);
    for (unsigned spin = 0; atomic_load_explicit(&pool->done_chunks, memory_order_acquire) < chunk_count; spin++) {
        if (spin < QK_SPIN_LIMIT) QK_PAUSE();
        else sched_yield();
    }
}
