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

#endif
