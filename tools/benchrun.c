/* benchrun: runs a command and reports its wall time, processor time and
 * peak memory.
 *
 *   benchrun [-n N] [-o FILE] [-v] [--] CMD [ARGS...]
 *
 *   -n N     run the command N times (default 1) and report the best and
 *            median wall time and the largest peak RSS
 *   -o FILE  also write the results to FILE as shell-readable KEY=VALUE lines
 *   -v       report every run, not only the summary
 *
 * The wall time is measured with CLOCK_MONOTONIC from just before fork to
 * just after wait4; the processor time (user and system) and the peak RSS
 * are what wait4 reports for the child (which covers the children it
 * waited for itself: a build's rule and PDF workers). The processor time
 * bounds the wall time from below: on N cores it is at least cpu / N. The report goes to
 * stderr, so the command's own stdout stays clean.
 *
 * Exit status: the command's (128 + the signal if a signal ended it). With
 * -n, the first run that fails stops the series and its status is returned.
 * benchrun's own errors exit 125; a command that cannot be run, 126 or 127. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_OWN_ERROR 125
#define MAX_RUNS 10000

typedef struct run {
    double wall;   /* seconds */
    double cpu;    /* seconds, user and system */
    long maxrss;   /* KiB, as Linux reports ru_maxrss */
} run;

static const char USAGE[] = "usage: benchrun [-n N] [-o FILE] [-v] [--] CMD [ARGS...]\n";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Like system(): while the child runs, ^C and ^\ are the child's to handle;
 * benchrun then reports how it ended. */
typedef struct saved_signals {
    struct sigaction intr, quit;
} saved_signals;

static void ignore_signals(saved_signals *saved)
{
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &ign, &saved->intr);
    sigaction(SIGQUIT, &ign, &saved->quit);
}

static void restore_signals(const saved_signals *saved)
{
    sigaction(SIGINT, &saved->intr, NULL);
    sigaction(SIGQUIT, &saved->quit, NULL);
}

/* Runs argv once. Returns the exit status in shell terms (0-255). */
static int run_once(char **argv, run *out)
{
    saved_signals saved;
    ignore_signals(&saved);
    double start = now();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        restore_signals(&saved);
        fprintf(stderr, "benchrun: fork: %s\n", strerror(e));
        return EXIT_OWN_ERROR;
    }
    if (pid == 0) {
        restore_signals(&saved);
        execvp(argv[0], argv);
        int e = errno;
        fprintf(stderr, "benchrun: %s: %s\n", argv[0], strerror(e));
        _exit(e == ENOENT ? 127 : 126);
    }
    int status;
    struct rusage ru;
    pid_t got;
    do
        got = wait4(pid, &status, 0, &ru);
    while (got < 0 && errno == EINTR);
    double end = now();
    restore_signals(&saved);
    if (got < 0) {
        fprintf(stderr, "benchrun: wait4: %s\n", strerror(errno));
        return EXIT_OWN_ERROR;
    }
    out->wall = end - start;
    out->cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    out->maxrss = ru.ru_maxrss;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "benchrun: %s: killed by signal %d (%s)\n", argv[0], WTERMSIG(status),
                strsignal(WTERMSIG(status)));
        return 128 + WTERMSIG(status);
    }
    return EXIT_OWN_ERROR;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ru_maxrss is in KiB; reported in MB of 10^6 bytes, like the corpus size. */
static double mb(long kib)
{
    return (double)kib * 1024.0 / 1e6;
}

static bool parse_runs(const char *s, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno || end == s || *end || n < 1 || n > MAX_RUNS)
        return false;
    *out = (int)n;
    return true;
}

int main(int argc, char **argv)
{
    int runs = 1;
    const char *out_path = NULL;
    bool verbose = false;
    int c;
    /* '+': options end at the command, so `benchrun ls -l` works without --. */
    while ((c = getopt(argc, argv, "+n:o:vh")) != -1) {
        switch (c) {
        case 'n':
            if (!parse_runs(optarg, &runs)) {
                fprintf(stderr, "benchrun: -n takes a whole number from 1 to %d, not '%s'\n",
                        MAX_RUNS, optarg);
                return 2;
            }
            break;
        case 'o': out_path = optarg; break;
        case 'v': verbose = true; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 2;
        }
    }
    if (optind >= argc) {
        fputs(USAGE, stderr);
        return 2;
    }
    char **cmd = argv + optind;

    run *results = calloc((size_t)runs, sizeof *results);
    double *walls = calloc((size_t)runs, sizeof *walls);
    double *cpus = calloc((size_t)runs, sizeof *cpus);
    if (!results || !walls || !cpus) {
        fprintf(stderr, "benchrun: out of memory\n");
        return EXIT_OWN_ERROR;
    }
    for (int i = 0; i < runs; i++) {
        int status = run_once(cmd, &results[i]);
        if (status != 0) {
            if (runs > 1)
                fprintf(stderr, "benchrun: run %d of %d: %s exited with status %d\n", i + 1, runs,
                        cmd[0], status);
            return status;
        }
        if (verbose && runs > 1)
            fprintf(stderr, "benchrun: run %d of %d: wall %.3f s, cpu %.3f s, peak RSS %.1f MB\n",
                    i + 1, runs, results[i].wall, results[i].cpu, mb(results[i].maxrss));
    }

    long maxrss = 0;
    for (int i = 0; i < runs; i++) {
        walls[i] = results[i].wall;
        cpus[i] = results[i].cpu;
        if (results[i].maxrss > maxrss)
            maxrss = results[i].maxrss;
    }
    qsort(walls, (size_t)runs, sizeof *walls, cmp_double);
    qsort(cpus, (size_t)runs, sizeof *cpus, cmp_double);
    double best = walls[0];
    double median = runs % 2 ? walls[runs / 2] : (walls[runs / 2 - 1] + walls[runs / 2]) / 2;
    double cpu = runs % 2 ? cpus[runs / 2] : (cpus[runs / 2 - 1] + cpus[runs / 2]) / 2;

    if (runs == 1)
        fprintf(stderr, "benchrun: wall %.3f s, cpu %.3f s, peak RSS %.1f MB\n", best, cpu,
                mb(maxrss));
    else
        fprintf(stderr,
                "benchrun: %d runs, wall best %.3f s, median %.3f s, cpu median %.3f s, peak RSS "
                "%.1f MB\n",
                runs, best, median, cpu, mb(maxrss));

    if (out_path) {
        FILE *f = fopen(out_path, "w");
        if (!f) {
            fprintf(stderr, "benchrun: cannot write %s: %s\n", out_path, strerror(errno));
            return EXIT_OWN_ERROR;
        }
        fprintf(f, "runs=%d\nwall_best=%.6f\nwall_median=%.6f\ncpu_median=%.6f\nmaxrss_kib=%ld\n"
                   "wall_all='",
                runs, best, median, cpu, maxrss);
        for (int i = 0; i < runs; i++)
            fprintf(f, "%s%.6f", i ? " " : "", results[i].wall);
        fprintf(f, "'\n");
        if (fclose(f) != 0) {
            fprintf(stderr, "benchrun: cannot write %s: %s\n", out_path, strerror(errno));
            return EXIT_OWN_ERROR;
        }
    }
    free(results);
    free(walls);
    free(cpus);
    return 0;
}
