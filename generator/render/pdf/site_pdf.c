/* pdf_render_site: the jobs of an edition, typeset on all cores (one worker
 * process per core). */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/interrupt.h"
#include "core/srcfile.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "registers/registers.h"
#include "render/pdf/docs.h"
#include "render/pdf/draw.h"
#include "render/pdf/pdf.h"
#include "render/pdf/style.h"

/* pdf/<name>-<version><suffix>.pdf */
static char *versioned_path(const site *s, const char *name, const char *suffix)
{
    const char *version = s->registers ? registers_current_version(s->registers) : NULL;
    /* The version goes into a file name: keep it to safe characters. */
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "pdf/%s", name);
    if (version && *version) {
        sb_appendc(&sb, '-');
        for (const char *p = version; *p; p++) {
            char ch = *p;
            bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
            sb_appendc(&sb, ok ? ch : '_');
        }
    }
    sb_printf(&sb, "%s.pdf", suffix);
    return sb_take(&sb);
}

char *pdf_plan_path(const site *s, audience aud)
{
    char *suffix = xasprintf("-%s", audience_name(aud));
    char *path = versioned_path(s, s->config.doc_id ? s->config.doc_id : "plan", suffix);
    free(suffix);
    return path;
}

/* The staff edition's only: no edition in its name. */
char *pdf_handout_path(const site *s)
{
    return versioned_path(s, "handout", "");
}

char *pdf_env_path(const pdf_env *env, const char *relpath)
{
    return fs_join(env->staging, relpath);
}

typedef enum job_kind {
    JOB_PLAN,
    JOB_ANNEX,
    JOB_REGISTER,
    JOB_HANDOUT,
} job_kind;

typedef struct job {
    job_kind kind;
    const void *what;
    strbuf text; /* what it typeset, when the caller asked for texts */
    int pages;   /* how many it has */
} job;

typedef struct pool {
    const pdf_env *env;
    job *jobs;
    int njobs;
    atomic_bool failed;
    bool times; /* POLICYGEN_PDF_TIMES: each job's wall time on stderr, for benchmarks */
    bool texts; /* collect each job's text */
} pool;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *job_name(const job *j)
{
    switch (j->kind) {
    case JOB_PLAN: return "plan";
    case JOB_ANNEX: return ((const document *)j->what)->id;
    case JOB_REGISTER: return ((const register_def *)j->what)->name;
    case JOB_HANDOUT: return "handout";
    }
    return "";
}

static bool run_job(pool *p, pdf_ctx *c, job *j)
{
    if (p->texts) {
        sb_init(&j->text);
        c->text_log = &j->text;
    }
    double t0 = p->times ? now() : 0;
    bool ok = false;
    switch (j->kind) {
    case JOB_PLAN: ok = pdf_render_plan(c, p->env); break;
    case JOB_ANNEX: ok = pdf_render_annex(c, p->env, j->what); break;
    case JOB_REGISTER: ok = pdf_render_register_printout(c, p->env, j->what); break;
    case JOB_HANDOUT: ok = pdf_render_handout(c, p->env); break;
    }
    c->text_log = NULL;
    j->pages = ok ? c->pages : 0;
    if (p->times)
        fprintf(stderr, "pdf: %s %s %.3f s\n",
                j->kind == JOB_PLAN      ? "plan"
                : j->kind == JOB_ANNEX   ? "annex"
                : j->kind == JOB_HANDOUT ? "handout"
                                         : "register",
                job_name(j), now() - t0);
    return ok;
}

static void write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(2);
        p += n;
        len -= (size_t)n;
    }
}

/* A worker process: every `stride`-th job from `first`; each job's page
 * count and text go back through fd as (index, pages, length, bytes). */
static _Noreturn void worker_process(pool *p, int first, int stride, int fd)
{
    pdf_ctx c = {0};
    pdf_ctx_init(&c, p->env->st);
    bool ok = true;
    for (int k = first; k < p->njobs; k += stride) {
        job *j = &p->jobs[k];
        ok = run_job(p, &c, j) && ok;
        size_t len = p->texts && j->text.data ? j->text.len : 0;
        write_all(fd, &k, sizeof k);
        write_all(fd, &j->pages, sizeof j->pages);
        write_all(fd, &len, sizeof len);
        if (len)
            write_all(fd, j->text.data, len);
    }
    _exit(ok ? 0 : 1);
}

/* Reads a worker's texts into the jobs; false if the stream is malformed. */
static bool read_texts(pool *p, int fd)
{
    strbuf in;
    sb_init(&in);
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        sb_appendn(&in, buf, (size_t)n);
    }
    bool ok = true;
    size_t at = 0;
    while (ok && at < in.len) {
        int k, pages;
        size_t len;
        if (in.len - at < sizeof k + sizeof pages + sizeof len) {
            ok = false;
            break;
        }
        memcpy(&k, in.data + at, sizeof k);
        memcpy(&pages, in.data + at + sizeof k, sizeof pages);
        memcpy(&len, in.data + at + sizeof k + sizeof pages, sizeof len);
        at += sizeof k + sizeof pages + sizeof len;
        if (k < 0 || k >= p->njobs || len > in.len - at) {
            ok = false;
            break;
        }
        p->jobs[k].pages = pages;
        if (p->texts) {
            sb_init(&p->jobs[k].text);
            sb_appendn(&p->jobs[k].text, in.data + at, len);
        }
        at += len;
    }
    sb_free(&in);
    return ok;
}

/* Threads of one process would share Cairo's and FreeType's font caches, and
 * a race there once made a PDF embed the same font twice: a rebuild was not
 * byte-identical. Worker processes share nothing, and each takes a fixed
 * share of the jobs. */
static bool run_in_processes(pool *p, int workers)
{
    pid_t *pids = xcalloc((size_t)workers, sizeof *pids);
    int *fds = xcalloc((size_t)workers, sizeof *fds);
    bool ok = true;
    int started = 0;
    interrupt_init();
    fflush(NULL);
    for (int w = 0; w < workers; w++) {
        int pipefd[2];
        if (pipe(pipefd) != 0)
            break;
        pid_t pid = fork();
        if (pid < 0) {
            close(pipefd[0]);
            close(pipefd[1]);
            break;
        }
        if (pid == 0) {
            close(pipefd[0]);
            for (int o = 0; o < started; o++)
                close(fds[o]);
            worker_process(p, w, workers, pipefd[1]);
        }
        close(pipefd[1]);
        pids[started] = pid;
        fds[started] = pipefd[0];
        started++;
    }
    if (started < workers) {
        /* Could not start them all: kill those started and do it here. */
        for (int w = 0; w < started; w++) {
            kill(pids[w], SIGKILL);
            close(fds[w]);
            while (waitpid(pids[w], NULL, 0) < 0 && errno == EINTR)
                ;
        }
        free(pids);
        free(fds);
        return false;
    }
    for (int w = 0; w < started; w++) {
        ok = read_texts(p, fds[w]) && ok;
        close(fds[w]);
        int status = 0;
        while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok = false;
    }
    if (!ok)
        atomic_store(&p->failed, true);
    free(pids);
    free(fds);
    return true;
}

static void run_here(pool *p)
{
    pdf_ctx c = {0};
    pdf_ctx_init(&c, p->env->st);
    for (int k = 0; k < p->njobs; k++)
        if (!run_job(p, &c, &p->jobs[k]))
            atomic_store(&p->failed, true);
    pdf_ctx_free(&c);
}

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static bool make_folder(const char *root, const char *rel)
{
    char *path = fs_join(root, rel);
    bool ok = fs_mkdir_p(path);
    if (!ok)
        diag_error(srcpos_file(path), "write", "cannot create folder");
    free(path);
    return ok;
}

bool pdf_render_site(const site *s, const struct xref_table *xref, outdir *od,
                     const pdf_options *opts)
{
    (void)xref; /* links are read from the documents' resolved link nodes */
    char *style_path = opts->theme_dir ? fs_join(opts->theme_dir, "pdf.yaml") : NULL;
    if (style_path && !srcfile_confined(style_path, opts->theme_dir, srcpos_file(style_path))) {
        free(style_path);
        return false;
    }
    pdf_style st;
    pdf_style_defaults(&st);
    if (style_path)
        pdf_style_load(&st, style_path);
    free(style_path);
    char *root = opts->subdir && *opts->subdir ? outdir_path(od, opts->subdir) : xstrdup(od->staging);
    pdf_env env = {.s = s, .opts = opts, .st = &st, .staging = root};
    env.roc = s->config.calendar == CALENDAR_ROC;
    env.plan_rel = pdf_plan_path(s, opts->audience);
    env.edition = site_edition_label(s, opts->audience);
    revision_info ri;
    if (s->registers && registers_current_revision(s->registers, &ri)) {
        env.version = ri.version;
        env.has_date = ri.has_date;
        env.rev_date = ri.date;
        env.draft = !ri.approved;
    }
    if (env.has_date)
        snprintf(env.rev_iso, sizeof env.rev_iso, "%04d-%02d-%02dT00:00:00+08:00",
                 env.rev_date.year, env.rev_date.month, env.rev_date.day);
    date today = date_valid(opts->today) ? opts->today : env.rev_date;
    if (!date_valid(today))
        today = (date){2000, 1, 1};
    snprintf(env.today_iso, sizeof env.today_iso, "%04d-%02d-%02dT00:00:00+08:00", today.year,
             today.month, today.day);
    pdf_options o = *opts;
    o.today = today;
    env.opts = &o;

    /* The jobs, the longest first. */
    job *jobs = xcalloc(2 + s->annexes.len + (s->registers ? s->registers->registers.len : 0),
                        sizeof *jobs);
    int n = 0;
    jobs[n++] = (job){.kind = JOB_PLAN};
    /* The handout publicises the policy to staff: their edition has it. */
    if (opts->audience == AUDIENCE_STAFF)
        jobs[n++] = (job){.kind = JOB_HANDOUT};
    bool ok = make_folder(root, "pdf");
    bool annexes = false, registers = false;
    for (size_t i = 0; i < s->annexes.len; i++) {
        const document *a = s->annexes.items[i];
        if (a->audience <= opts->audience) {
            jobs[n++] = (job){.kind = JOB_ANNEX, .what = a};
            annexes = true;
        }
    }
    for (size_t i = 0; s->registers && i < s->registers->registers.len; i++) {
        const register_def *reg = s->registers->registers.items[i];
        if (reg->annex && register_visible(reg, opts->audience)) {
            jobs[n++] = (job){.kind = JOB_REGISTER, .what = reg};
            registers = true;
        }
    }
    if (annexes)
        ok = make_folder(root, "annexes") && ok;
    if (registers)
        ok = make_folder(root, "registers") && ok;

    if (ok) {
        const char *times = getenv("POLICYGEN_PDF_TIMES");
        pool p = {.env = &env,
                  .jobs = jobs,
                  .njobs = n,
                  .times = times && *times,
                  .texts = opts->texts != NULL};
        atomic_init(&p.failed, false);
        int workers = opts->jobs > 0 ? opts->jobs : default_jobs();
        if (workers > n)
            workers = n;
        if (workers <= 1 || !run_in_processes(&p, workers))
            run_here(&p);
        ok = !atomic_load(&p.failed);
    }
    for (int k = 0; k < n; k++) {
        char *path = NULL;
        switch (jobs[k].kind) {
        case JOB_PLAN: path = xstrdup(env.plan_rel); break;
        case JOB_ANNEX: path = xasprintf("annexes/%s.pdf", job_name(&jobs[k])); break;
        case JOB_REGISTER: path = xasprintf("registers/%s.pdf", job_name(&jobs[k])); break;
        case JOB_HANDOUT: path = pdf_handout_path(s); break;
        }
        if (ok && opts->files) {
            pdf_file *f = xcalloc(1, sizeof *f);
            f->path = xstrdup(path);
            f->pages = jobs[k].pages;
            char *full = fs_join(root, path);
            struct stat sbuf;
            f->bytes = stat(full, &sbuf) == 0 ? (long)sbuf.st_size : 0;
            free(full);
            vec_push(opts->files, f);
        }
        if (opts->texts && jobs[k].text.data) {
            pdf_text *t = xcalloc(1, sizeof *t);
            t->path = path;
            path = NULL;
            t->len = jobs[k].text.len;
            t->text = sb_take(&jobs[k].text);
            vec_push(opts->texts, t);
        }
        sb_free(&jobs[k].text);
        free(path);
    }
    if (!ok)
        od->failed = true;
    free(jobs);
    free(env.plan_rel);
    free(root);
    pdf_style_free(&st);
    return ok;
}

void pdf_file_free(void *p)
{
    pdf_file *f = p;
    free(f->path);
    free(f);
}

void pdf_text_free(void *p)
{
    pdf_text *t = p;
    free(t->path);
    free(t->text);
    free(t);
}
