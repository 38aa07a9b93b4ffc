/* Runs plugins in worker processes with hard deadlines.
 *
 * The sandbox's count hook stops Lua code, but it cannot interrupt a library
 * function written in C: a pathological pattern in string.find can run for
 * minutes without executing one Lua instruction. So plugins run in worker
 * processes, forked once per run rather than once per plugin (forking a large
 * parent costs milliseconds of page tables). A worker takes the next plugin
 * from a counter the workers share, so slow plugins spread over the workers,
 * and runs it in a fresh Lua state of its own (plugin_run), so plugins cannot
 * see one another; it sends each outcome, tagged with the plugin's index,
 * through its pipe and mirrors what it is running (which plugin, since when,
 * its line) into a shared page.
 *
 * When a worker overruns its plugin's time limit plus a grace period the
 * parent kills it and reports a timeout at the line it was running; a worker
 * that dies is reported at its plugin and line too. Either way a new worker
 * takes over the plugins not yet run, and nothing a plugin does can reach the
 * parent. Outcomes are kept by plugin index, so they do not depend on which
 * worker ran what or when. Workers never emit diagnostics and never return.
 *
 * Forking is safe here because the workers only compute and write to their
 * pipes (glibc's malloc is fork-safe); should fork, pipe or mmap fail, the
 * plugins run in this process instead. */
#ifndef POLICYGEN_RULES_ISOLATE_H
#define POLICYGEN_RULES_ISOLATE_H

#include "rules/plugin.h"

/* How long after its own time limit a plugin's worker is killed. */
#define ISOLATE_GRACE_MS 250

typedef struct isolate_pool isolate_pool;

/* Forks up to `workers` workers (at most one per plugin), which start on the
 * plugins at once. paths and in are borrowed until isolate_finish. */
isolate_pool *isolate_start(const char *const *paths, size_t count, const plugin_inputs *in,
                            int workers);
/* Waits until every plugin has its outcome and frees the pool; out[i] (count
 * of them, initialised) receives the outcome of paths[i]. */
void isolate_finish(isolate_pool *pool, plugin_outcome *out);

#endif
