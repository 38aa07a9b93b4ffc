/* pdf_render_site: the jobs of an edition, typeset on all cores. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "registers/registers.h"
#include "render/pdf/docs.h"
#include "render/pdf/draw.h"
#include "render/pdf/pdf.h"
#include "render/pdf/style.h"

char *pdf_plan_path(const site *s)
{
    const char *id = s->config.doc_id ? s->config.doc_id : "plan";
    const char *version = s->registers ? registers_current_version(s->registers) : NULL;
    /* The version goes into a file name: keep it to safe characters. */
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "pdf/%s", id);
    if (version && *version) {
        sb_appendc(&sb, '-');
        for (const char *p = version; *p; p++) {
            char ch = *p;
            bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
            sb_appendc(&sb, ok ? ch : '_');
        }
    }
    sb_append(&sb, ".pdf");
    return sb_take(&sb);
}

char *pdf_env_path(const pdf_env *env, const char *relpath)
{
    return fs_join(env->staging, relpath);
}

typedef enum job_kind {
    JOB_PLAN,
    JOB_ANNEX,
    JOB_REGISTER,
} job_kind;

typedef struct job {
    job_kind kind;
    const void *what;
    strbuf text; /* what it typeset, when the caller asked for texts */
} job;

typedef struct pool {
    const pdf_env *env;
    job *jobs;
    int njobs;
    atomic_int next;
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
    }
    return "";
}

static void *worker(void *arg)
{
    pool *p = arg;
    pdf_ctx c = {0};
    bool ready = false;
    for (;;) {
        int k = atomic_fetch_add(&p->next, 1);
        if (k >= p->njobs)
            break;
        if (!ready) {
            /* Each thread its own font map: Pango's are not thread-safe. */
            pdf_ctx_init(&c, p->env->st);
            ready = true;
        }
        job *j = &p->jobs[k];
        if (p->texts) {
            sb_init(&j->text);
            c.text_log = &j->text;
        }
        double t0 = p->times ? now() : 0;
        bool ok = false;
        switch (j->kind) {
        case JOB_PLAN: ok = pdf_render_plan(&c, p->env); break;
        case JOB_ANNEX: ok = pdf_render_annex(&c, p->env, j->what); break;
        case JOB_REGISTER: ok = pdf_render_register_printout(&c, p->env, j->what); break;
        }
        c.text_log = NULL;
        if (!ok)
            atomic_store(&p->failed, true);
        if (p->times)
            fprintf(stderr, "pdf: %s %s %.3f s\n", j->kind == JOB_PLAN ? "plan" : j->kind == JOB_ANNEX ? "annex" : "register",
                    job_name(j), now() - t0);
    }
    if (ready)
        pdf_ctx_free(&c);
    return NULL;
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
    pdf_style st;
    pdf_style_defaults(&st);
    if (opts->theme_dir) {
        char *path = fs_join(opts->theme_dir, "pdf.yaml");
        pdf_style_load(&st, path);
        free(path);
    }
    char *root = opts->subdir && *opts->subdir ? outdir_path(od, opts->subdir) : xstrdup(od->staging);
    pdf_env env = {.s = s, .opts = opts, .st = &st, .staging = root};
    env.roc = s->config.calendar == CALENDAR_ROC;
    env.plan_rel = pdf_plan_path(s);
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
    job *jobs = xcalloc(1 + s->annexes.len + (s->registers ? s->registers->registers.len : 0),
                        sizeof *jobs);
    int n = 0;
    jobs[n++] = (job){.kind = JOB_PLAN};
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
        atomic_init(&p.next, 0);
        atomic_init(&p.failed, false);
        int threads = opts->jobs > 0 ? opts->jobs : default_jobs();
        if (threads > n)
            threads = n;
        if (threads <= 1) {
            worker(&p);
        } else {
            pthread_t *tids = xcalloc((size_t)threads, sizeof *tids);
            int started = 0;
            for (int t = 0; t < threads; t++)
                if (pthread_create(&tids[t], NULL, worker, &p) == 0)
                    started++;
                else
                    break;
            if (!started)
                worker(&p);
            for (int t = 0; t < started; t++)
                pthread_join(tids[t], NULL);
            free(tids);
        }
        ok = !atomic_load(&p.failed);
    }
    for (int k = 0; k < n && opts->texts; k++) {
        if (!jobs[k].text.data)
            continue;
        pdf_text *t = xcalloc(1, sizeof *t);
        switch (jobs[k].kind) {
        case JOB_PLAN: t->path = xstrdup(env.plan_rel); break;
        case JOB_ANNEX: t->path = xasprintf("annexes/%s.pdf", job_name(&jobs[k])); break;
        case JOB_REGISTER: t->path = xasprintf("registers/%s.pdf", job_name(&jobs[k])); break;
        }
        t->len = jobs[k].text.len;
        t->text = sb_take(&jobs[k].text);
        vec_push(opts->texts, t);
    }
    if (!ok)
        od->failed = true;
    free(jobs);
    free(env.plan_rel);
    free(root);
    pdf_style_free(&st);
    return ok;
}

void pdf_text_free(void *p)
{
    pdf_text *t = p;
    free(t->path);
    free(t->text);
    free(t);
}
