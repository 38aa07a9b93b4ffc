/* Runs a plugin in a child process with a hard deadline.
 *
 * The sandbox's count hook stops Lua code, but it cannot interrupt a library
 * function written in C: a pathological pattern in string.find can run for
 * minutes without executing one Lua instruction. So each plugin runs in a
 * forked child that sends its outcome back through a pipe; when the child
 * overruns its time limit plus a grace period the parent kills it and reports
 * a timeout at the line the child was running (which the child mirrors into a
 * shared page). A child that dies is reported too; nothing it does can reach
 * the parent. The child never emits diagnostics and never returns.
 *
 * Forking is safe here because the child only computes and writes to its pipe
 * (glibc's malloc is fork-safe); should fork, pipe or mmap fail, the plugin
 * runs in this process instead. */
#ifndef POLICYGEN_RULES_ISOLATE_H
#define POLICYGEN_RULES_ISOLATE_H

#include "rules/plugin.h"

/* How long after its own time limit a child is killed. */
#define ISOLATE_GRACE_MS 250

/* Like plugin_run, in a child process. out must be initialised. */
void isolate_run_plugin(const char *path, const plugin_inputs *in, plugin_outcome *out);

#endif
