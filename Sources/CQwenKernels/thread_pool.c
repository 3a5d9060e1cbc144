#include "CQwenKernels.h"

#include <pthread.h>
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

/// Spins a worker makes waiting for work before it sleeps on the condition variable.
enum { QK_SPIN_LIMIT = 1 << 16 };

struct qk_pool {
    size_t thread_count;
    pthread_t *threads;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    _Atomic uint64_t generation;
    _Atomic size_t next_chunk;
    _Atomic size_t finished_workers;
    _Atomic int stopping;
    qk_pool_body body;
    void *context;
    size_t count;
    size_t chunk_count;
};

typedef struct {
    qk_pool *pool;
    size_t worker;
} qk_worker_start;

static void qk_pool_work(qk_pool *pool, size_t worker) {
    const size_t count = pool->count, chunks = pool->chunk_count;
    for (;;) {
        size_t chunk = atomic_fetch_add_explicit(&pool->next_chunk, 1, memory_order_relaxed);
        if (chunk >= chunks) return;
        size_t begin = chunk * count / chunks, end = (chunk + 1) * count / chunks;
        if (begin < end) pool->body(pool->context, begin, end, worker);
    }
}

static void *qk_worker_main(void *argument) {
    qk_worker_start start = *(qk_worker_start *)argument;
    free(argument);
    qk_pool *pool = start.pool;
    uint64_t seen = 0;
    for (;;) {
        uint64_t generation = atomic_load_explicit(&pool->generation, memory_order_acquire);
        for (int spin = 0; generation == seen && spin < QK_SPIN_LIMIT; spin++) {
            QK_PAUSE();
            generation = atomic_load_explicit(&pool->generation, memory_order_acquire);
        }
        if (generation == seen) {
            pthread_mutex_lock(&pool->mutex);
            while ((generation = atomic_load_explicit(&pool->generation, memory_order_acquire)) == seen &&
                   !atomic_load_explicit(&pool->stopping, memory_order_acquire))
                pthread_cond_wait(&pool->wake, &pool->mutex);
            pthread_mutex_unlock(&pool->mutex);
        }
        if (atomic_load_explicit(&pool->stopping, memory_order_acquire)) return NULL;
        seen = generation;
        qk_pool_work(pool, start.worker);
        atomic_fetch_add_explicit(&pool->finished_workers, 1, memory_order_release);
    }
}

qk_pool *qk_pool_create(size_t thread_count) {
    if (thread_count < 1) thread_count = 1;
    qk_pool *pool = calloc(1, sizeof(qk_pool));
    if (!pool) return NULL;
    pool->thread_count = thread_count;
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pool->threads = calloc(thread_count, sizeof(pthread_t));
    if (!pool->threads) {
        free(pool);
        return NULL;
    }
    for (size_t i = 1; i < thread_count; i++) {
        qk_worker_start *start = malloc(sizeof(qk_worker_start));
        if (start) *start = (qk_worker_start){pool, i};
        if (!start || pthread_create(&pool->threads[i], NULL, qk_worker_main, start) != 0) {
            free(start);
            pool->thread_count = i;
            qk_pool_destroy(pool);
            return NULL;
        }
    }
    return pool;
}

void qk_pool_destroy(qk_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->mutex);
    atomic_store_explicit(&pool->stopping, 1, memory_order_release);
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
    if (pool->thread_count == 1 || chunk_count == 1) {
        for (size_t chunk = 0; chunk < chunk_count; chunk++)
            body(context, chunk * count / chunk_count, (chunk + 1) * count / chunk_count, 0);
        return;
    }
    pool->body = body;
    pool->context = context;
    pool->count = count;
    pool->chunk_count = chunk_count;
    atomic_store_explicit(&pool->next_chunk, 0, memory_order_relaxed);
    atomic_store_explicit(&pool->finished_workers, 0, memory_order_relaxed);
    pthread_mutex_lock(&pool->mutex);
    atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    qk_pool_work(pool, 0);
    const size_t workers = pool->thread_count - 1;
    while (atomic_load_explicit(&pool->finished_workers, memory_order_acquire) < workers) QK_PAUSE();
}
