#include "core/parallel.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/xalloc.h"

int parallel_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

typedef struct pool {
    size_t count;
    size_t next; /* atomic */
    void (*job)(void *ctx, int worker, size_t i);
    void *ctx;
} pool;

typedef struct worker_arg {
    pool *pool;
    int worker;
} worker_arg;

static void *run_worker(void *p)
{
    worker_arg *w = p;
    pool *pl = w->pool;
    for (;;) {
        size_t i = __atomic_fetch_add(&pl->next, 1, __ATOMIC_RELAXED);
        if (i >= pl->count)
            break;
        pl->job(pl->ctx, w->worker, i);
    }
    return NULL;
}

void parallel_for(size_t count, int threads, void (*job)(void *ctx, int worker, size_t i),
                  void *ctx)
{
    pool pl = {.count = count, .next = 0, .job = job, .ctx = ctx};
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > count)
        threads = count ? (int)count : 1;
    pthread_t *tids = xcalloc((size_t)threads, sizeof *tids);
    worker_arg *args = xcalloc((size_t)threads, sizeof *args);
    int started = 1;
    for (int t = 1; t < threads; t++) {
        args[t] = (worker_arg){&pl, t};
        if (pthread_create(&tids[t], NULL, run_worker, &args[t]) != 0)
            break; /* fewer threads: the caller's thread does the rest */
        started++;
    }
    args[0] = (worker_arg){&pl, 0};
    run_worker(&args[0]);
    for (int t = 1; t < started; t++)
        pthread_join(tids[t], NULL);
    free(args);
    free(tids);
}

typedef struct ordered_pool {
    pool jobs;
    unsigned char *finished; /* per job; set under lock, read atomically */
    pthread_mutex_t lock;
    pthread_cond_t changed;
} ordered_pool;

typedef struct ordered_arg {
    ordered_pool *pool;
    int worker;
} ordered_arg;

static void run_ordered_job(ordered_pool *op, int worker, size_t i)
{
    op->jobs.job(op->jobs.ctx, worker, i);
    pthread_mutex_lock(&op->lock);
    __atomic_store_n(&op->finished[i], 1, __ATOMIC_RELEASE);
    pthread_cond_signal(&op->changed);
    pthread_mutex_unlock(&op->lock);
}

static void *run_ordered_worker(void *p)
{
    ordered_arg *a = p;
    ordered_pool *op = a->pool;
    for (;;) {
        size_t i = __atomic_fetch_add(&op->jobs.next, 1, __ATOMIC_RELAXED);
        if (i >= op->jobs.count)
            break;
        run_ordered_job(op, a->worker, i);
    }
    return NULL;
}

void parallel_for_ordered(size_t count, int threads,
                          void (*job)(void *ctx, int worker, size_t i),
                          void (*done)(void *ctx, size_t i), void *ctx)
{
    ordered_pool op = {.jobs = {.count = count, .next = 0, .job = job, .ctx = ctx}};
    op.finished = xcalloc(count + 1, 1);
    pthread_mutex_init(&op.lock, NULL);
    pthread_cond_init(&op.changed, NULL);
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > count)
        threads = count ? (int)count : 1;
    pthread_t *tids = xcalloc((size_t)threads, sizeof *tids);
    ordered_arg *args = xcalloc((size_t)threads, sizeof *args);
    int started = 1;
    for (int t = 1; t < threads; t++) {
        args[t] = (ordered_arg){&op, t};
        if (pthread_create(&tids[t], NULL, run_ordered_worker, &args[t]) != 0)
            break; /* fewer threads: the caller's thread does the rest */
        started++;
    }
    for (size_t consumed = 0; consumed < count;) {
        if (__atomic_load_n(&op.finished[consumed], __ATOMIC_ACQUIRE)) {
            done(ctx, consumed++);
            continue;
        }
        size_t i = __atomic_fetch_add(&op.jobs.next, 1, __ATOMIC_RELAXED);
        if (i < count) {
            run_ordered_job(&op, 0, i);
            continue;
        }
        /* Every job has started: wait for the next one to consume. */
        pthread_mutex_lock(&op.lock);
        while (!__atomic_load_n(&op.finished[consumed], __ATOMIC_ACQUIRE))
            pthread_cond_wait(&op.changed, &op.lock);
        pthread_mutex_unlock(&op.lock);
    }
    for (int t = 1; t < started; t++)
        pthread_join(tids[t], NULL);
    pthread_cond_destroy(&op.changed);
    pthread_mutex_destroy(&op.lock);
    free(args);
    free(tids);
    free(op.finished);
}
