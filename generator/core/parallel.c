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
