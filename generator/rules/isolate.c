/* F_SETPIPE_SZ is Linux-specific. */
#define _GNU_SOURCE
#include "rules/isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/interrupt.h"
#include "core/xalloc.h"
#include "rules/sandbox.h"

/* A dead worker's pipe may stay open in a process forked meanwhile by another
 * thread of the caller; its exit is then noticed by waitpid this often. */
#define REAP_INTERVAL_MS 200
/* How long an overrunning worker has to mirror its line before it is killed. */
#define LINE_REQUEST_MS 50
#define NO_RESULT_MESSAGE "the rule's process ended without reporting its result"

/* What a worker shows of itself, in memory shared with the parent. */
typedef struct worker_page {
    atomic_long running;      /* the plugin it is running, or -1 */
    atomic_llong started_ms;  /* when that plugin started; 0 while its outcome is
                                 being sent (a full pipe is not the plugin's fault) */
    plugin_progress progress; /* the running plugin's line and, once declared, id */
    volatile sig_atomic_t lines_mirrored; /* answers to SIGUSR1 */
} worker_page;

/* The mapping the workers share: the plugins to run (jobs), the counter that
 * hands them out, and a page per worker. */
typedef struct shared {
    atomic_size_t next; /* the next entry of jobs to take */
    size_t njobs;
} shared;

/* An outcome on its way through a pipe: this header, then the encoded outcome. */
typedef struct frame_header {
    uint64_t plugin;
    uint64_t len;
} frame_header;

typedef struct worker {
    pid_t pid;          /* 0: the slot is empty */
    int fd;             /* the read end of its pipe */
    strbuf received;    /* bytes of outcomes not yet complete */
    long killed_plugin; /* the plugin it overran when the parent killed it, else -1 */
} worker;

struct isolate_pool {
    const char *const *paths;
    size_t count;
    const plugin_inputs *in;
    int slots;
    shared *sh; /* NULL: no mapping, so every plugin runs in this process */
    size_t map_size;
    worker_page *pages;
    size_t *jobs;
    worker *workers;
    plugin_outcome *outcomes;
    bool *done;
    size_t done_count;
    int started; /* workers started by isolate_start */
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- a worker ---- */

/* This worker's page, for its signal handlers. */
static worker_page *own_page;

/* The parent asks for the exact line before it kills an overrunning worker:
 * it is stuck in C (the count hook would have stopped Lua code), which leaves
 * the Lua stack as it was. */
static void mirror_line_on_request(int sig)
{
    (void)sig;
    sandbox_mirror_running_line();
    own_page->lines_mirrored++;
}

/* A worker that crashes leaves its line first, then dies of the signal. */
static void mirror_line_and_die(int sig)
{
    sandbox_mirror_running_line();
    raise(sig); /* the handler was reset: the default action now */
}

static void watch_signals(worker_page *page)
{
    own_page = page;
    struct sigaction request = {.sa_handler = mirror_line_on_request, .sa_flags = SA_RESTART};
    sigemptyset(&request.sa_mask);
    sigaction(SIGUSR1, &request, NULL);
    struct sigaction crash = {.sa_handler = mirror_line_and_die,
                              .sa_flags = SA_RESETHAND | SA_NODEFER};
    sigemptyset(&crash.sa_mask);
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
    for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
        sigaction(fatal[i], &crash, NULL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
}

static _Noreturn void work(const isolate_pool *p, worker_page *page, int fd)
{
    volatile plugin_progress *progress = &page->progress;
    watch_signals(page);
    strbuf frame;
    sb_init(&frame);
    for (;;) {
        size_t j = atomic_fetch_add(&p->sh->next, 1);
        if (j >= p->sh->njobs)
            break;
        size_t k = p->jobs[j];
        progress->line = 0;
        progress->severity = 0;
        progress->rule_id[0] = '\0';
        atomic_store(&page->started_ms, now_ms());
        atomic_store(&page->running, (long)k);

        plugin_outcome outcome;
        plugin_outcome_init(&outcome);
        plugin_run(p->paths[k], p->in, progress, &outcome);
        sb_clear(&frame);
        frame_header h = {k, 0};
        sb_appendn(&frame, (const char *)&h, sizeof h);
        plugin_outcome_encode(&outcome, &frame);
        plugin_outcome_free(&outcome);
        h.len = frame.len - sizeof h;
        memcpy(frame.data, &h, sizeof h);

        atomic_store(&page->started_ms, 0);
        if (!fs_write_all(fd, frame.data, frame.len))
            _exit(1);
        atomic_store(&page->running, -1);
    }
    /* _exit: no atexit handlers or stdio flushing of the parent's buffers;
     * the memory goes with the process. */
    _exit(0);
}

/* Forks a worker into an empty slot; false when the system refuses. */
static bool spawn(isolate_pool *p, int slot)
{
    worker_page *page = &p->pages[slot];
    atomic_store(&page->running, -1);
    atomic_store(&page->started_ms, 0);
    int fds[2];
    if (pipe(fds) != 0)
        return false;
    /* Room for many outcomes, so workers go on while the caller is busy. */
    fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
    interrupt_init();
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        interrupt_die_with_parent(parent);
        close(fds[0]);
        /* Drop the other workers' pipes, or their EOF would wait for this one. */
        int fd = fds[1];
        if (fd != 3 && dup2(fd, 3) == 3)
            fd = 3;
        syscall(SYS_close_range, (unsigned)fd + 1, ~0U, 0);
        work(p, page, fd);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    worker *w = &p->workers[slot];
    w->pid = pid;
    w->fd = fds[0];
    w->killed_plugin = -1;
    sb_clear(&w->received);
    return true;
}

/* Starts workers for the jobs; returns how many started. */
static int start_workers(isolate_pool *p)
{
    int started = 0;
    for (int slot = 0; slot < p->slots && (size_t)slot < p->sh->njobs; slot++)
        started += spawn(p, slot);
    return started;
}

/* ---- the parent ---- */

static char *describe_exit(int status)
{
    if (WIFSIGNALED(status))
        return xasprintf("the rule's process was killed by signal %d (%s)", WTERMSIG(status),
                         strsignal(WTERMSIG(status)));
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return xasprintf("the rule's process exited with status %d", WEXITSTATUS(status));
    return xstrdup(NO_RESULT_MESSAGE);
}

/* The plugin a worker was running when it died or was killed: a failure at
 * the line it had reached, keeping what it had declared. */
static void blame(isolate_pool *p, size_t k, const worker_page *page, bool overran, int status)
{
    const volatile plugin_progress *progress = &page->progress;
    plugin_outcome *out = &p->outcomes[k];
    char rule_id[sizeof progress->rule_id];
    for (size_t i = 0; i < sizeof rule_id; i++)
        rule_id[i] = progress->rule_id[i];
    rule_id[sizeof rule_id - 1] = '\0';
    if (rule_id[0] != '\0') {
        int severity = progress->severity;
        out->declared = true;
        out->decl.id = xstrdup(rule_id);
        out->decl.severity =
            severity >= DIAG_INFO && severity <= DIAG_ERROR ? (diag_severity)severity : DIAG_ERROR;
    }
    if (overran)
        plugin_outcome_fail(out, STAGE_CHECK, SANDBOX_TIMEOUT, progress->line,
                            xasprintf("exceeded the time limit of %ld ms (inside a library "
                                      "function, where the instruction count cannot reach)",
                                      p->in->limits.max_millis),
                            NULL);
    else
        plugin_outcome_fail(out, STAGE_CHECK, SANDBOX_ERROR, progress->line, describe_exit(status),
                            NULL);
    p->done[k] = true;
    p->done_count++;
}

/* Decodes the complete outcomes received from w. */
static void take_outcomes(isolate_pool *p, worker *w)
{
    size_t at = 0;
    while (w->received.len - at >= sizeof(frame_header)) {
        frame_header h;
        memcpy(&h, w->received.data + at, sizeof h);
        if (w->received.len - at - sizeof h < h.len)
            break;
        const char *data = w->received.data + at + sizeof h;
        if (h.plugin < p->count && !p->done[h.plugin]) {
            plugin_outcome *out = &p->outcomes[h.plugin];
            if (!plugin_outcome_decode(data, (size_t)h.len, out))
                plugin_outcome_fail(out, STAGE_CHECK, SANDBOX_ERROR, 0, xstrdup(NO_RESULT_MESSAGE),
                                    NULL);
            p->done[h.plugin] = true;
            p->done_count++;
        }
        at += sizeof h + (size_t)h.len;
    }
    memmove(w->received.data, w->received.data + at, w->received.len - at);
    w->received.len -= at;
}

/* Reads what the pipe holds; false at its end. */
static bool drain(isolate_pool *p, worker *w)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = read(w->fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return true;
        if (n <= 0)
            return false;
        sb_appendn(&w->received, chunk, (size_t)n);
        take_outcomes(p, w);
    }
}

/* A worker has ended (its status known when reaped is true): the plugin it
 * was inside is at fault, and a new worker takes the jobs left. A worker
 * that ended outside a plugin (killed from outside, or killed just as it
 * moved on from the plugin that overran) leaves its jobs to the next round. */
static void worker_ended(isolate_pool *p, int slot, bool reaped, int status)
{
    worker *w = &p->workers[slot];
    drain(p, w);
    close(w->fd);
    if (!reaped)
        while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
            ;
    w->pid = 0;
    long k = atomic_load(&p->pages[slot].running);
    if (k < 0 || p->done[k] || (w->killed_plugin >= 0 && w->killed_plugin != k))
        return;
    blame(p, (size_t)k, &p->pages[slot], w->killed_plugin >= 0, status);
    if (atomic_load(&p->sh->next) < p->sh->njobs)
        spawn(p, slot);
}

/* Kills a worker that overran its plugin's deadline; returns the time until
 * the worker's deadline, or -1 when it has none. */
static long long watch_deadline(isolate_pool *p, int slot, long long now)
{
    worker *w = &p->workers[slot];
    long k = atomic_load(&p->pages[slot].running);
    long long started = atomic_load(&p->pages[slot].started_ms);
    if (k < 0 || started <= 0 || w->killed_plugin >= 0)
        return -1;
    long long deadline = started + p->in->limits.max_millis + ISOLATE_GRACE_MS;
    if (now < deadline)
        return deadline - now;
    sig_atomic_t answers = p->pages[slot].lines_mirrored;
    kill(w->pid, SIGUSR1);
    for (int waited = 0; waited < LINE_REQUEST_MS && p->pages[slot].lines_mirrored == answers;
         waited++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    kill(w->pid, SIGKILL);
    w->killed_plugin = k;
    return -1;
}

/* Until every worker has ended: collects outcomes, enforces deadlines and
 * replaces the workers that die while jobs are left. */
static void supervise(isolate_pool *p)
{
    struct pollfd *fds = xcalloc((size_t)p->slots, sizeof *fds);
    int *slot_of = xcalloc((size_t)p->slots, sizeof *slot_of);
    for (;;) {
        long long now = now_ms(), wait = REAP_INTERVAL_MS;
        int n = 0;
        for (int slot = 0; slot < p->slots; slot++) {
            if (!p->workers[slot].pid)
                continue;
            long long left = watch_deadline(p, slot, now);
            if (left >= 0 && left < wait)
                wait = left;
            fds[n] = (struct pollfd){.fd = p->workers[slot].fd, .events = POLLIN};
            slot_of[n++] = slot;
        }
        if (n == 0)
            break;
        int ready = poll(fds, (nfds_t)n, (int)wait);
        for (int i = 0; i < n; i++) {
            int slot = slot_of[i], status;
            if (ready > 0 && fds[i].revents && !drain(p, &p->workers[slot]))
                worker_ended(p, slot, false, 0);
            else if (waitpid(p->workers[slot].pid, &status, WNOHANG) > 0)
                worker_ended(p, slot, true, status);
        }
    }
    free(slot_of);
    free(fds);
}

/* After the workers have ended: makes the plugins still without an outcome
 * the next jobs and returns how many. */
static size_t requeue(isolate_pool *p)
{
    size_t n = 0;
    for (size_t j = 0; j < p->sh->njobs; j++)
        if (!p->done[p->jobs[j]])
            p->jobs[n++] = p->jobs[j];
    p->sh->njobs = n;
    atomic_store(&p->sh->next, 0);
    return n;
}

isolate_pool *isolate_start(const char *const *paths, size_t count, const plugin_inputs *in,
                            int workers)
{
    isolate_pool *p = xcalloc(1, sizeof *p);
    p->paths = paths;
    p->count = count;
    p->in = in;
    p->slots = workers < 1 ? 1 : workers;
    if ((size_t)p->slots > count)
        p->slots = (int)count;
    p->outcomes = xcalloc(count + 1, sizeof *p->outcomes);
    for (size_t i = 0; i < count; i++)
        plugin_outcome_init(&p->outcomes[i]);
    p->done = xcalloc(count + 1, sizeof *p->done);
    p->workers = xcalloc((size_t)p->slots + 1, sizeof *p->workers);
    for (int slot = 0; slot < p->slots; slot++)
        sb_init(&p->workers[slot].received);
    if (count == 0)
        return p;

    p->map_size = sizeof(shared) + (size_t)p->slots * sizeof(worker_page) + count * sizeof(size_t);
    void *map = mmap(NULL, p->map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return p;
    p->sh = map;
    p->pages = (worker_page *)(p->sh + 1);
    p->jobs = (size_t *)(p->pages + p->slots);
    for (size_t i = 0; i < count; i++)
        p->jobs[i] = i;
    p->sh->njobs = count;
    atomic_store(&p->sh->next, 0);
    p->started = start_workers(p);
    return p;
}

void isolate_finish(isolate_pool *p, plugin_outcome *out)
{
    /* In rounds: when all workers have ended, the plugins left (taken by a
     * worker that ended outside them) are the next round's jobs. */
    bool stalled = false;
    for (int started = p->started; started > 0;) {
        size_t before = p->done_count;
        supervise(p);
        if (requeue(p) == 0)
            break;
        /* Workers that end without finishing a plugin would end so again. */
        stalled = p->done_count == before;
        started = stalled ? 0 : start_workers(p);
    }
    if (p->sh)
        munmap(p->sh, p->map_size);
    for (size_t k = 0; k < p->count; k++) {
        if (p->done[k])
            continue;
        if (stalled)
            plugin_outcome_fail(&p->outcomes[k], STAGE_CHECK, SANDBOX_ERROR, 0,
                                xstrdup(NO_RESULT_MESSAGE), NULL);
        else /* without workers (the system refused them), here */
            plugin_run(p->paths[k], p->in, NULL, &p->outcomes[k]);
    }
    for (size_t k = 0; k < p->count; k++) {
        plugin_outcome_free(&out[k]);
        out[k] = p->outcomes[k];
    }
    for (int slot = 0; slot < p->slots; slot++)
        sb_free(&p->workers[slot].received);
    free(p->workers);
    free(p->done);
    free(p->outcomes);
    free(p);
}
