/* Folders (and files) an interrupted run must not leave behind. While a folder is
 * guarded, SIGINT, SIGTERM and SIGHUP remove it before the process ends:
 * the handler only writes the signal to a pipe (async-signal-safe); a
 * thread of its own reads it, removes the guarded folders (twice, should a
 * write in flight recreate one), then raises the signal again with its
 * default action, so the exit status still tells the signal. A signal the
 * process ignored when the first folder was guarded stays ignored, and a
 * child process forked meanwhile dies of the signal as before. */
#ifndef POLICYGEN_INTERRUPT_H
#define POLICYGEN_INTERRUPT_H

#include <stdbool.h>
#include <sys/types.h>

/* Starts the watching thread if it is not running, and returns once it
 * runs. Whoever forks a worker calls it first: a fork while the thread is
 * starting can copy a lock the thread holds (the allocator's, under ASan),
 * and the child hangs. Not called before serve forks its build: serve
 * blocks signals for its signalfd, which a thread started earlier would
 * not (SIGCHLD would go to that thread and be lost). interrupt_guard starts
 * the thread too; neither installs a handler before the first guard. */
void interrupt_init(void);
/* Removes path if the process is interrupted (path is copied). */
void interrupt_guard(const char *path);
/* No longer: the folder was committed or removed. */
void interrupt_release(const char *path);
/* Whether a signal came: writers stop adding to guarded folders. */
bool interrupt_requested(void);
/* Called by a worker first thing after fork, with the pid of the process
 * that forked it: the worker is killed when that process ends, however it
 * ends (SIGKILL too), so a worker (a rule in an endless loop, say) never
 * outlives its build. Linux ties this to the forking thread: fork from a
 * thread that lives as long as the worker (the builds fork from main). */
void interrupt_die_with_parent(pid_t parent);

#endif
