/* Running independent jobs on several threads. */
#ifndef POLICYGEN_PARALLEL_H
#define POLICYGEN_PARALLEL_H

#include <stddef.h>

/* The number of processors online (at least 1). */
int parallel_cpu_count(void);

/* Calls job(ctx, worker, i) for every i in [0, count), on up to `threads`
 * threads (the caller's thread is one of them); returns when all are done.
 * worker (0 .. threads-1) lets a job use per-thread state. Jobs are handed
 * out in index order, so a job list sorted by cost (largest first) balances. */
void parallel_for(size_t count, int threads, void (*job)(void *ctx, int worker, size_t i),
                  void *ctx);

/* parallel_for with the results consumed in order: done(ctx, i) is called
 * on the caller's thread for i = 0, 1, ... as soon as job i has finished,
 * while the jobs run on the other threads and, when nothing is ready to
 * consume, on the caller's too (as worker 0). For a pipeline: render on
 * every thread, write files in order from one. */
void parallel_for_ordered(size_t count, int threads,
                          void (*job)(void *ctx, int worker, size_t i),
                          void (*done)(void *ctx, size_t i), void *ctx);

#endif
