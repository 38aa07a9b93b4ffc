#include "rules/isolate.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/xalloc.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        data += n;
        len -= (size_t)n;
    }
}

static _Noreturn void run_child(int fd, const char *path, const plugin_inputs *in,
                                volatile plugin_progress *progress)
{
    plugin_outcome outcome;
    plugin_outcome_init(&outcome);
    plugin_run(path, in, progress, &outcome);
    strbuf encoded;
    sb_init(&encoded);
    plugin_outcome_encode(&outcome, &encoded);
    write_all(fd, encoded.data, encoded.len);
    /* _exit: no atexit handlers or stdio flushing of the parent's buffers;
     * the memory goes with the process. */
    _exit(0);
}

/* Reads fd to its end or until deadline; false when the deadline came first. */
static bool read_until(int fd, long long deadline, strbuf *received)
{
    char chunk[8192];
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return false;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0)
            continue; /* the loop re-checks the deadline */
        if (ready < 0)
            return true; /* treated as a child that sent nothing */
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return true;
        sb_appendn(received, chunk, (size_t)n);
    }
}

static char *describe_exit(int status)
{
    if (WIFSIGNALED(status))
        return xasprintf("the rule's process was killed by signal %d (%s)", WTERMSIG(status),
                         strsignal(WTERMSIG(status)));
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return xasprintf("the rule's process exited with status %d", WEXITSTATUS(status));
    return xstrdup("the rule's process ended without reporting its result");
}

void isolate_run_plugin(const char *path, const plugin_inputs *in, plugin_outcome *out)
{
    volatile plugin_progress *progress =
        mmap(NULL, sizeof *progress, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (progress == MAP_FAILED) {
        plugin_run(path, in, NULL, out);
        return;
    }
    progress->line = 0;
    progress->rule_id[0] = '\0';
    int fds[2];
    pid_t pid = -1;
    if (pipe(fds) == 0) {
        pid = fork();
        if (pid < 0) {
            close(fds[0]);
            close(fds[1]);
        }
    }
    if (pid < 0) {
        munmap((void *)progress, sizeof *progress);
        plugin_run(path, in, NULL, out);
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        /* Rules run on several threads: drop the other children's pipes this
         * child inherited, or their readers would wait for it to exit. */
        int fd = fds[1];
        if (fd != 3 && dup2(fd, 3) == 3)
            fd = 3;
        syscall(SYS_close_range, (unsigned)fd + 1, ~0U, 0);
        run_child(fd, path, in, progress);
    }
    close(fds[1]);

    strbuf received;
    sb_init(&received);
    long long deadline = now_ms() + in->limits.max_millis + ISOLATE_GRACE_MS;
    bool finished = read_until(fds[0], deadline, &received);
    if (!finished)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    close(fds[0]);
    /* The child is gone: its last progress is final. */
    int stopped_line = progress->line;
    char rule_id[sizeof progress->rule_id];
    for (size_t i = 0; i < sizeof rule_id; i++)
        rule_id[i] = progress->rule_id[i];
    rule_id[sizeof rule_id - 1] = '\0';
    int severity = progress->severity;
    munmap((void *)progress, sizeof *progress);

    if (!finished || !plugin_outcome_decode(received.data, received.len, out)) {
        /* Stopped from outside, or died: keep what the child had declared. */
        if (rule_id[0] != '\0') {
            out->declared = true;
            out->decl.id = xstrdup(rule_id);
            out->decl.severity = severity >= DIAG_INFO && severity <= DIAG_ERROR
                                     ? (diag_severity)severity
                                     : DIAG_ERROR;
        }
        if (!finished)
            plugin_outcome_fail(out, STAGE_CHECK, SANDBOX_TIMEOUT, stopped_line,
                                xasprintf("exceeded the time limit of %ld ms (inside a library "
                                          "function, where the instruction count cannot "
                                          "reach)",
                                          in->limits.max_millis),
                                NULL);
        else
            plugin_outcome_fail(out, STAGE_CHECK, SANDBOX_ERROR, stopped_line,
                                describe_exit(status), NULL);
    }
    sb_free(&received);
}
