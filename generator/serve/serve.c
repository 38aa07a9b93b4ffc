#define _GNU_SOURCE /* pipe2, close_range */
#include "serve/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build/build.h"
#include "core/fs.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "serve/watch.h"

/* A burst of changes (an editor's save, a git checkout) makes one build: it
 * starts once nothing changed for QUIET_MS, or MAX_WAIT_MS after the first
 * change of a burst that does not end. */
#define QUIET_MS 100
#define MAX_WAIT_MS 1000
/* Event streams of closed pages are noticed when something is sent. */
#define PING_MS 20000
#define REAP_MS 50 /* how often a build whose output ended is looked for */
/* The most of a build's output kept for the browser (the terminal has all). */
#define MAX_DIAGNOSTICS (1024 * 1024)

typedef struct server {
    const serve_options *opts;
    diag_sink *diags; /* serve's own problems (a build's go to the terminal and the page) */
    char *dir;        /* the private folder, removed on exit */
    char *outputs[2]; /* dir/site-1, dir/site-2: builds alternate between them */
    char *cache_dir;  /* dir/cache: one build cache for both (cache/cache.h) */
    int current;      /* the output served (the last good build), or -1 */
    serve_view view;
    char build_id[48];
    char *failed;     /* the last build's output when it failed (view.status.diagnostics) */
    unsigned long builds;
    serve_watch *watch;
    serve_http *http;
    int sigfd;
    /* The build running, if any: a child process writing into outputs[target]. */
    pid_t child;
    int target;
    int out_fd;      /* the child's stdout and stderr, or -1 */
    bool out_ended;  /* out_fd is at its end: no longer polled (it would always be ready) */
    strbuf output;   /* what it wrote */
    double started;
    /* Changes not built yet. */
    bool pending;
    double first_change, last_change;
    double next_ping;
    bool stop;
    serve_result result;
} server;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The build runs in a child process, so the server keeps answering (and
 * shows the last good build) while it runs, and every build starts from a
 * process with nothing left over from the one before. The child is forked
 * from the only thread there is (libmicrohttpd runs in serve's loop). */
static void child_build(server *s, int out)
{
    /* A process group of its own: SIGTERM to the group ends the build and
     * the rule and PDF workers it forked. */
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    /* The listening socket, the connections, inotify: none is the build's. */
    close_range(3, ~0U, 0);
    build_options b = {.content_dir = s->opts->content_dir,
                       .output_dir = s->outputs[s->target],
                       .data_dir = s->opts->data_dir,
                       .today = s->opts->today,
                       .today_set = s->opts->today_set,
                       .no_pdf = !s->opts->pdf,
                       .edition = s->opts->edition,
                       .cache_dir = s->cache_dir,
                       .exiting = true};
    /* The build's own sink, on the stderr that now leads to the pipe. */
    diag_sink out_diags = diag_to_stderr();
    build_result r = build_site(&b, &out_diags);
    fflush(NULL);
    exit(r == BUILD_OK ? 0 : r == BUILD_USAGE_ERROR ? 2 : 3);
}

static bool build_start(server *s)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        diag_error(s->diags, srcpos_file(s->dir), "serve", "cannot start a build: %s",
                   strerror(errno));
        return false;
    }
    s->target = s->current == 0 ? 1 : 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        diag_error(s->diags, srcpos_file(s->dir), "serve", "cannot start a build: %s",
                   strerror(errno));
        close(p[0]);
        close(p[1]);
        return false;
    }
    if (pid == 0)
        child_build(s, p[1]);
    setpgid(pid, pid); /* as the child does: whichever runs first */
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    s->child = pid;
    s->out_fd = p[0];
    s->out_ended = false;
    sb_clear(&s->output);
    s->started = now_ms();
    return true;
}

/* Copies what the build wrote to the terminal, and keeps it for the browser. */
static void build_read(server *s)
{
    char buf[8192];
    ssize_t n;
    while ((n = read(s->out_fd, buf, sizeof buf)) > 0) {
        fwrite(buf, 1, (size_t)n, stderr);
        if (s->output.len < MAX_DIAGNOSTICS)
            sb_appendn(&s->output, buf, (size_t)n);
    }
    if (n == 0)
        s->out_ended = true;
    fflush(stderr);
}

static void set_build_id(server *s)
{
    s->builds++;
    /* The process id too: pages from a serve that was restarted reload. */
    snprintf(s->build_id, sizeof s->build_id, "%ld-%lu", (long)getpid(), s->builds);
    s->view.status.build_id = s->build_id;
}

/* The build ended with this wait status. */
static void build_finish(server *s, int status)
{
    build_read(s);
    close(s->out_fd);
    s->out_fd = -1;
    s->child = 0;
    double ms = now_ms() - s->started;
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    free(s->failed);
    s->failed = NULL;
    if (ok) {
        s->current = s->target;
        s->view.root = s->outputs[s->current];
        fprintf(stderr, "serve: built in %.2f s\n", ms / 1e3);
    } else {
        if (WIFSIGNALED(status))
            sb_printf(&s->output, "policygen: error: the build ended with signal %d (%s) [serve]\n",
                      WTERMSIG(status), strsignal(WTERMSIG(status)));
        else if (s->output.len == 0)
            sb_printf(&s->output, "policygen: error: the build failed (exit %d) [serve]\n",
                      WEXITSTATUS(status));
        s->failed = sb_take(&s->output);
        sb_init(&s->output);
        fprintf(stderr, "serve: the build failed after %.2f s; %s\n", ms / 1e3,
                s->current >= 0 ? "the last good build is still served" : "no good build yet");
        /* An edition site.yaml does not list, at the start: a mistyped option. */
        if (s->builds == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 2) {
            s->stop = true;
            s->result = SERVE_USAGE_ERROR;
        }
    }
    s->view.status.diagnostics = s->failed;
    s->view.status.building = false;
    s->view.status.has_output = s->current >= 0;
    set_build_id(s);
    serve_http_announce(s->http);
}

static void reap(server *s)
{
    int status;
    if (s->child > 0 && waitpid(s->child, &status, WNOHANG) == s->child)
        build_finish(s, status);
}

static void on_signal(server *s)
{
    struct signalfd_siginfo si;
    while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD)
            reap(s);
        else
            s->stop = true;
    }
}

static void on_change(server *s)
{
    char *changed = NULL;
    if (serve_watch_read(s->watch, &changed) == 0)
        return;
    double t = now_ms();
    if (!s->pending) {
        s->pending = true;
        s->first_change = t;
        fprintf(stderr, "serve: %s changed\n", changed);
    }
    s->last_change = t;
    free(changed);
}

/* How long poll may wait: until libmicrohttpd needs a turn, the burst of
 * changes is over, or the next ping. */
static int wait_ms(server *s)
{
    double t = now_ms();
    double until = s->next_ping;
    if (s->pending && !s->child) {
        double quiet = s->last_change + QUIET_MS, cap = s->first_change + MAX_WAIT_MS;
        double due = quiet < cap ? quiet : cap;
        if (due < until)
            until = due;
    }
    int ms = until <= t ? 0 : (int)(until - t) + 1;
    /* The build closed its output: it is ending. SIGCHLD tells when, and a
     * short wait reaps it even if that signal were ever lost. */
    if (s->child > 0 && s->out_ended && ms > REAP_MS)
        ms = REAP_MS;
    int http = serve_http_timeout_ms(s->http);
    return http >= 0 && http < ms ? http : ms;
}

static void loop(server *s)
{
    s->next_ping = now_ms() + PING_MS;
    while (!s->stop) {
        struct pollfd fds[4] = {
            {.fd = serve_http_fd(s->http), .events = POLLIN},
            {.fd = serve_watch_fd(s->watch), .events = POLLIN},
            {.fd = s->sigfd, .events = POLLIN},
            {.fd = s->out_ended ? -1 : s->out_fd, .events = POLLIN},
        };
        if (poll(fds, 4, wait_ms(s)) < 0 && errno != EINTR) {
            diag_error(s->diags, srcpos_file(s->dir), "serve", "poll: %s", strerror(errno));
            s->result = SERVE_FAILED;
            break;
        }
        if (fds[2].revents)
            on_signal(s);
        else if (s->child > 0 && s->out_ended)
            reap(s);
        if (fds[1].revents)
            on_change(s);
        if (s->out_fd >= 0 && fds[3].revents)
            build_read(s);
        serve_http_run(s->http);
        double t = now_ms();
        if (s->pending && !s->child && !s->stop &&
            (t >= s->last_change + QUIET_MS || t >= s->first_change + MAX_WAIT_MS)) {
            s->pending = false;
            build_start(s);
        }
        if (t >= s->next_ping) {
            serve_http_ping(s->http);
            s->next_ping = t + PING_MS;
        }
    }
}

/* Ends a build still running, with its workers, and waits for it. */
static void build_cancel(server *s)
{
    if (s->child <= 0)
        return;
    kill(-s->child, SIGTERM);
    while (waitpid(s->child, NULL, 0) < 0 && errno == EINTR)
        ;
    close(s->out_fd);
    s->out_fd = -1;
    s->child = 0;
}

static bool make_folder(server *s)
{
    const char *tmp = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/policygen-serve-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpl)) {
        diag_error(s->diags, srcpos_file(tmpl), "serve", "cannot make serve's folder: %s",
                   strerror(errno));
        free(tmpl);
        return false;
    }
    s->dir = tmpl;
    s->outputs[0] = fs_join(s->dir, "site-1");
    s->outputs[1] = fs_join(s->dir, "site-2");
    s->cache_dir = fs_join(s->dir, "cache");
    return true;
}

/* What a build reads: the content (with its own themes and rules), the
 * shipped themes and the shipped rules. */
static bool watch_inputs(server *s)
{
    s->watch = serve_watch_new(s->diags);
    if (!s->watch) {
        diag_error(s->diags, srcpos_file(s->opts->content_dir), "serve",
                   "cannot watch for changes: %s", strerror(errno));
        return false;
    }
    char *themes = fs_join(s->opts->data_dir, "themes");
    char *plugins = fs_join(s->opts->data_dir, "lua-plugins");
    bool ok = serve_watch_add(s->watch, s->opts->content_dir) &&
              serve_watch_add(s->watch, themes) && serve_watch_add(s->watch, plugins);
    free(themes);
    free(plugins);
    return ok;
}

static void print_address(const server *s)
{
    const serve_options *o = s->opts;
    unsigned port = serve_http_port(s->http);
    bool brackets = o->address.ipv6 && o->bind_text[0] != '[';
    fprintf(stderr, "serve: http://%s%s%s:%u/ (Ctrl-C to stop)\n", brackets ? "[" : "",
            o->bind_text, brackets ? "]" : "", port);
}

serve_result serve_run(const serve_options *opts, diag_sink *diags)
{
    if (!fs_is_dir(opts->content_dir)) {
        diag_error(diags, srcpos_file(opts->content_dir), "missing", "content folder not found");
        return SERVE_FAILED;
    }
    server s = {.opts = opts,
                .diags = diags,
                .current = -1,
                .sigfd = -1,
                .out_fd = -1,
                .result = SERVE_STOPPED};
    sb_init(&s.output);
    s.view.pdf = opts->pdf;
    s.view.status.building = true;
    snprintf(s.build_id, sizeof s.build_id, "%ld-0", (long)getpid());
    s.view.status.build_id = s.build_id;
    if (!make_folder(&s)) {
        sb_free(&s.output);
        return SERVE_FAILED;
    }
    /* The same rules as for build's -o (never inside the content, which is
     * watched: a build there would start the next one). */
    build_options where = {.content_dir = opts->content_dir, .output_dir = s.dir,
                           .data_dir = opts->data_dir};
    if (!build_output_allowed(&where, diags)) {
        fprintf(stderr, "serve: its folder is made in TMPDIR (or /tmp): set TMPDIR to a folder "
                        "outside the content folder\n");
        s.result = SERVE_USAGE_ERROR;
    }

    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGHUP);
    sigaddset(&handled, SIGCHLD);
    sigprocmask(SIG_BLOCK, &handled, NULL);
    signal(SIGPIPE, SIG_IGN); /* a browser that goes away is a failed write, not an end */
    if (s.result == SERVE_STOPPED) {
        s.sigfd = signalfd(-1, &handled, SFD_NONBLOCK | SFD_CLOEXEC);
        if (s.sigfd < 0 || !watch_inputs(&s))
            s.result = SERVE_FAILED;
    }
    if (s.result == SERVE_STOPPED && !opts->address.loopback)
        diag_warning(diags, (srcpos){0}, "serve",
                     "serving on %s, not on this machine only: anyone who can reach it can read "
                     "every edition built%s, unencrypted",
                     opts->bind_text,
                     opts->edition ? "" : ", the internal one (not for the network) too");
    if (s.result == SERVE_STOPPED) {
        s.http = serve_http_start(&opts->address, &s.view);
        if (!s.http) {
            diag_error(diags, (srcpos){0}, "serve", "cannot listen on %s port %u", opts->bind_text,
                       opts->address.port);
            s.result = SERVE_USAGE_ERROR;
        }
    }
    if (s.result == SERVE_STOPPED) {
        fprintf(stderr, "serve: building %s into %s%s\n", opts->content_dir, s.dir,
                opts->pdf ? "" : " (HTML only: --pdf to typeset the PDFs too)");
        print_address(&s);
        if (build_start(&s))
            loop(&s);
        else
            s.result = SERVE_FAILED;
    }
    build_cancel(&s);
    serve_http_stop(s.http);
    serve_watch_free(s.watch);
    if (s.sigfd >= 0)
        close(s.sigfd);
    /* The signals stay blocked: a second Ctrl-C must not cut the clean-up short. */
    fs_remove_tree(s.dir);
    if (s.result == SERVE_STOPPED)
        fprintf(stderr, "serve: stopped; removed %s\n", s.dir);
    free(s.dir);
    free(s.outputs[0]);
    free(s.outputs[1]);
    free(s.cache_dir);
    free(s.failed);
    sb_free(&s.output);
    return s.result;
}
