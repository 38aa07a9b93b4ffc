/* pdf_start and pdf_finish: every edition's PDFs, typeset in one pool of
 * worker processes (one per core, or -j N); the build waits for them before
 * the HTML, whose pages give each PDF's size and pages. */
/* F_SETPIPE_SZ is Linux's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/interrupt.h"
#include "core/srcfile.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "registers/registers.h"
#include "render/pdf/docs.h"
#include "render/pdf/draw.h"
#include "render/pdf/fonts.h"
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

const char *pdf_edition_mark(const pdf_env *env)
{
    return site_edition_label(env->s, env->opts->audience);
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

/* One PDF in the editions that have it (in audience order): typeset for the
 * first, whose audience range then tells which others get the same bytes
 * (audience_sees), and again only for those that do not. */
typedef struct chain {
    job_kind kind;
    const void *what;
    int eds[3]; /* edition indexes */
    int n;
} chain;

/* What became of one PDF of one edition. */
typedef struct result {
    strbuf text;
    bool has_text;
    int pages; /* how many it has */
} result;

struct pdf_batch {
    const site *s;
    outdir *od;
    pdf_style st;
    pdf_edition *eds;
    size_t neds;
    pdf_options *opts; /* per edition, for its env */
    pdf_env *envs;
    chain *chains;   /* in the order of each edition's texts */
    int nchains;
    int *sched;      /* the order workers take them: the longest first */
    result *results; /* chains x 3 */
    bool times;      /* POLICYGEN_PDF_TIMES: each PDF's wall time on stderr, for benchmarks */
    bool texts;      /* collect each PDF's text */
    const pdf_reuse *reuse; /* PDFs kept from an earlier build, or NULL */
    const document *handout_reads; /* the chapter whose text the handout shows */
    bool ok;
    diag_sink *diags; /* the caller's */
    /* the workers */
    atomic_int *next; /* the next chain to take, shared */
    int nworkers;
    pid_t *pids;
    int *fds;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *job_name(const chain *j)
{
    switch (j->kind) {
    case JOB_PLAN: return "plan";
    case JOB_ANNEX: return ((const document *)j->what)->id;
    case JOB_REGISTER: return ((const register_def *)j->what)->name;
    case JOB_HANDOUT: return "handout";
    }
    return "";
}

/* The PDF's path inside edition ed (caller frees): the plan's name is each
 * edition's own. */
static char *job_path(const pdf_batch *b, const chain *j, int ed)
{
    switch (j->kind) {
    case JOB_PLAN: return xstrdup(b->envs[ed].plan_rel);
    case JOB_ANNEX: return xasprintf("annexes/%s.pdf", job_name(j));
    case JOB_REGISTER: return xasprintf("registers/%s.pdf", job_name(j));
    case JOB_HANDOUT: return pdf_handout_path(b->s);
    }
    return NULL;
}

/* Typesets one PDF; its pages in *pages. */
static bool run_job(pdf_batch *b, pdf_ctx *c, const chain *j, int ed, strbuf *text, int *pages)
{
    const pdf_env *env = &b->envs[ed];
    if (b->texts)
        c->text_log = text;
    double t0 = b->times ? now() : 0;
    bool ok = false;
    switch (j->kind) {
    case JOB_PLAN: ok = pdf_render_plan(c, env); break;
    case JOB_ANNEX: ok = pdf_render_annex(c, env, j->what); break;
    case JOB_REGISTER: ok = pdf_render_register_printout(c, env, j->what); break;
    case JOB_HANDOUT: ok = pdf_render_handout(c, env); break;
    }
    c->text_log = NULL;
    *pages = ok ? c->pages : 0;
    if (b->times)
        fprintf(stderr, "pdf: %s %s %.3f s (%s)\n",
                j->kind == JOB_PLAN      ? "plan"
                : j->kind == JOB_ANNEX   ? "annex"
                : j->kind == JOB_HANDOUT ? "handout"
                                         : "register",
                job_name(j), now() - t0, b->eds[ed].subdir);
    return ok;
}

/* The mode the commit gives the files of edition ed (0: none set). */
static unsigned edition_file_mode(const pdf_batch *b, int ed)
{
    const char *subdir = b->eds[ed].subdir;
    if (!subdir || !*subdir)
        return 0;
    char *rel = fs_join(subdir, "x");
    unsigned mode = outdir_file_mode(b->od, rel);
    free(rel);
    return mode;
}

/* What names a PDF of one edition to pdf_reuse (caller frees). */
static char *job_ident(const pdf_batch *b, const chain *j, int ed)
{
    char *rel = job_path(b, j, ed);
    char *id = xasprintf("%d %s %s %s texts %d", (int)j->kind, job_name(j),
                         audience_name(b->eds[ed].audience), rel, b->texts);
    free(rel);
    return id;
}

static pdf_reads job_reads(const pdf_batch *b, const chain *j)
{
    return (pdf_reads){.all = j->kind == JOB_PLAN,
                       .chapter = j->kind == JOB_HANDOUT ? b->handout_reads : NULL};
}

/* Typesets one PDF, or takes it from the reuse: its text, its pages and the
 * audiences its content asked about (which tell the editions it is the same
 * in). */
static bool make_pdf(pdf_batch *b, pdf_ctx *c, const chain *j, int ed, strbuf *text, int *pages,
                     audience_range *seen)
{
    const pdf_reuse *r = b->reuse;
    pdf_reads reads = job_reads(b, j);
    char *id = r ? job_ident(b, j, ed) : NULL;
    char *rel = r ? job_path(b, j, ed) : NULL;
    char *path = r ? pdf_env_path(&b->envs[ed], rel) : NULL;
    bool ok;
    if (r && r->fetch(r->ctx, reads, id, path, text, pages, seen)) {
        ok = true;
    } else {
        audience_track(seen);
        ok = run_job(b, c, j, ed, text, pages);
        audience_track(NULL);
        if (ok && r)
            r->store(r->ctx, reads, id, path, text, *pages, *seen);
    }
    free(path);
    free(rel);
    free(id);
    return ok;
}

/* The same file in another edition: a link to it where the two editions'
 * files get the same mode (the commit sets each edition's: a link between
 * the public edition and a staff one would leave the public file 0640),
 * else a copy. */
static bool same_pdf(const pdf_batch *b, const chain *j, int from, int to)
{
    char *from_rel = job_path(b, j, from), *to_rel = job_path(b, j, to);
    char *src = pdf_env_path(&b->envs[from], from_rel), *dst = pdf_env_path(&b->envs[to], to_rel);
    unlink(dst); /* one the staging folder inherited (core/outdir.h) */
    bool ok = edition_file_mode(b, from) == edition_file_mode(b, to) && link(src, dst) == 0;
    if (!ok) {
        size_t len;
        char *data = fs_read_file(src, (size_t)1 << 30, &len);
        ok = data && fs_write_file(dst, data, len);
        free(data);
    }
    free(dst);
    free(src);
    free(to_rel);
    free(from_rel);
    return ok;
}

/* Told for every PDF of the chain: slot k made (source -1, with its text
 * and pages) or the same file as slot source. */
typedef void (*report_fn)(pdf_batch *b, void *ctx, int ci, int k, int source, strbuf *text,
                          int pages);

static bool run_chain(pdf_batch *b, pdf_ctx *c, int ci, report_fn report, void *ctx)
{
    const chain *j = &b->chains[ci];
    bool covered[3] = {false, false, false}, ok = true;
    for (int k = 0; k < j->n; k++) {
        if (covered[k])
            continue;
        strbuf text;
        sb_init(&text);
        audience_range seen = {AUDIENCE_PUBLIC, AUDIENCE_INTERNAL};
        int pages = 0;
        ok = make_pdf(b, c, j, j->eds[k], &text, &pages, &seen) && ok;
        report(b, ctx, ci, k, -1, &text, pages);
        sb_free(&text);
        int have[3] = {k}, nhave = 1; /* the slots holding this PDF */
        for (int m = k + 1; m < j->n; m++) {
            audience a = b->eds[j->eds[m]].audience;
            if (covered[m] || a < seen.lo || a > seen.hi)
                continue;
            covered[m] = true;
            /* From one whose files get the same mode, to be linked. */
            int from = k;
            for (int h = 0; h < nhave; h++)
                if (edition_file_mode(b, j->eds[have[h]]) == edition_file_mode(b, j->eds[m])) {
                    from = have[h];
                    break;
                }
            have[nhave++] = m;
            if (!same_pdf(b, j, j->eds[from], j->eds[m])) {
                char *rel = job_path(b, j, j->eds[m]);
                char *dst = pdf_env_path(&b->envs[j->eds[m]], rel);
                diag_error(c->diags, srcpos_file(dst), "write", "cannot write: %s",
                           strerror(errno));
                free(dst);
                free(rel);
                ok = false;
            }
            report(b, ctx, ci, m, k, NULL, pages);
        }
    }
    return ok;
}

/* ---- here ---- */

static void keep_result(pdf_batch *b, void *ctx, int ci, int k, int source, strbuf *text,
                        int pages)
{
    (void)ctx;
    result *r = &b->results[ci * 3 + k];
    sb_init(&r->text);
    r->has_text = true;
    r->pages = pages;
    const strbuf *from = source < 0 ? text : &b->results[ci * 3 + source].text;
    sb_appendn(&r->text, from->data, from->len);
}

static void run_here(pdf_batch *b)
{
    pdf_ctx c = {0};
    pdf_ctx_init(&c, &b->st);
    c.diags = b->diags;
    for (int ci = 0; ci < b->nchains; ci++)
        if (!run_chain(b, &c, ci, keep_result, NULL))
            b->ok = false;
    pdf_ctx_free(&c);
}

/* ---- in worker processes ---- */

/* A frame on a worker's pipe: this header, then len bytes of text. */
typedef struct frame {
    int32_t chain, slot, source;
    int32_t pages;
    uint64_t len;
} frame;

/* A worker whose parent stopped reading has nothing left to do. */
static void write_all(int fd, const void *data, size_t len)
{
    if (!fs_write_all(fd, data, len))
        _exit(2);
}

static void send_result(pdf_batch *b, void *ctx, int ci, int k, int source, strbuf *text,
                        int pages)
{
    int fd = *(int *)ctx;
    frame f = {ci, k, source, pages, source < 0 && b->texts ? text->len : 0};
    write_all(fd, &f, sizeof f);
    if (f.len)
        write_all(fd, text->data, f.len);
}

/* A worker takes the next chain until none is left. */
static _Noreturn void worker_process(pdf_batch *b, int fd)
{
    /* Its own sink, passing on to the copy of the caller's it was forked
     * with: it prints as the caller's would; the caller learns of failures
     * from the exit status. */
    diag_sink own = diag_child(b->diags);
    pdf_ctx c = {0};
    pdf_ctx_init(&c, &b->st);
    c.diags = &own;
    bool ok = true;
    for (;;) {
        int k = atomic_fetch_add(b->next, 1);
        if (k >= b->nchains)
            break;
        ok = run_chain(b, &c, b->sched[k], send_result, &fd) && ok;
    }
    _exit(ok ? 0 : 1);
}

/* Takes a worker's frames from what it sent; false if malformed. */
static bool take_frames(pdf_batch *b, strbuf *in)
{
    size_t at = 0;
    bool ok = true;
    while (in->len - at >= sizeof(frame)) {
        frame f;
        memcpy(&f, in->data + at, sizeof f);
        if (in->len - at - sizeof f < f.len)
            break;
        const char *data = in->data + at + sizeof f;
        at += sizeof f + f.len;
        if (f.chain < 0 || f.chain >= b->nchains || f.slot < 0 ||
            f.slot >= b->chains[f.chain].n || f.source >= f.slot) {
            ok = false;
            continue;
        }
        result *r = &b->results[f.chain * 3 + f.slot];
        sb_init(&r->text);
        r->has_text = true;
        r->pages = f.pages;
        if (f.source < 0)
            sb_appendn(&r->text, data, f.len);
        else if (b->results[f.chain * 3 + f.source].has_text)
            sb_appendn(&r->text, b->results[f.chain * 3 + f.source].text.data,
                       b->results[f.chain * 3 + f.source].text.len);
    }
    memmove(in->data, in->data + at, in->len - at);
    in->len -= at;
    return ok;
}

/* Until every worker's pipe ends: their frames, read as they come. */
static bool collect(pdf_batch *b)
{
    bool ok = true;
    struct pollfd *pfds = xcalloc((size_t)b->nworkers, sizeof *pfds);
    strbuf *in = xcalloc((size_t)b->nworkers, sizeof *in);
    int open_fds = b->nworkers;
    for (int w = 0; w < b->nworkers; w++) {
        pfds[w] = (struct pollfd){.fd = b->fds[w], .events = POLLIN};
        sb_init(&in[w]);
    }
    char buf[65536];
    while (open_fds > 0) {
        if (poll(pfds, (nfds_t)b->nworkers, -1) < 0) {
            if (errno == EINTR)
                continue;
            ok = false;
            break;
        }
        for (int w = 0; w < b->nworkers; w++) {
            if (pfds[w].fd < 0 || !pfds[w].revents)
                continue;
            ssize_t n = read(pfds[w].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                close(pfds[w].fd);
                pfds[w].fd = -1;
                open_fds--;
                ok = in[w].len == 0 && ok; /* a frame cut off */
                continue;
            }
            sb_appendn(&in[w], buf, (size_t)n);
            ok = take_frames(b, &in[w]) && ok;
        }
    }
    for (int w = 0; w < b->nworkers; w++) {
        if (pfds[w].fd >= 0)
            close(pfds[w].fd);
        sb_free(&in[w]);
        int status = 0;
        while (waitpid(b->pids[w], &status, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok = false;
    }
    free(in);
    free(pfds);
    return ok;
}

/* Threads of one process would share Cairo's and FreeType's font caches, and
 * a race there once made a PDF embed the same font twice: a rebuild was not
 * byte-identical. Worker processes share nothing but the next chain to take.
 * False when they could not all start (those that did are stopped). */
static bool start_workers(pdf_batch *b, int workers)
{
    b->next = mmap(NULL, sizeof *b->next, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b->next == MAP_FAILED) {
        b->next = NULL;
        return false;
    }
    atomic_init(b->next, 0);
    b->pids = xcalloc((size_t)workers, sizeof *b->pids);
    b->fds = xcalloc((size_t)workers, sizeof *b->fds);
    interrupt_init();
    fflush(NULL);
    pid_t parent = getpid();
    for (int w = 0; w < workers; w++) {
        int pipefd[2];
        if (pipe(pipefd) != 0)
            break;
        /* Room for a PDF's text, so a worker seldom waits for the reader. */
        fcntl(pipefd[0], F_SETPIPE_SZ, 1 << 20);
        pid_t pid = fork();
        if (pid < 0) {
            close(pipefd[0]);
            close(pipefd[1]);
            break;
        }
        if (pid == 0) {
            interrupt_die_with_parent(parent);
            close(pipefd[0]);
            for (int o = 0; o < b->nworkers; o++)
                close(b->fds[o]);
            worker_process(b, pipefd[1]);
        }
        close(pipefd[1]);
        b->pids[b->nworkers] = pid;
        b->fds[b->nworkers] = pipefd[0];
        b->nworkers++;
    }
    if (b->nworkers == workers)
        return true;
    for (int w = 0; w < b->nworkers; w++) {
        kill(b->pids[w], SIGKILL);
        close(b->fds[w]);
        while (waitpid(b->pids[w], NULL, 0) < 0 && errno == EINTR)
            ;
    }
    b->nworkers = 0;
    return false;
}

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static bool make_folder(const char *root, const char *rel, diag_sink *diags)
{
    char *path = fs_join(root, rel);
    bool ok = fs_mkdir_p(path);
    if (!ok)
        diag_error(diags, srcpos_file(path), "write", "cannot create folder");
    free(path);
    return ok;
}

static void env_init(pdf_env *env, const site *s, const pdf_style *st, const pdf_options *o,
                     char *staging)
{
    *env = (pdf_env){.s = s, .opts = o, .st = st, .staging = staging};
    env->roc = s->config.calendar == CALENDAR_ROC;
    env->plan_rel = pdf_plan_path(s, o->audience);
    revision_info ri;
    if (s->registers && registers_current_revision(s->registers, &ri)) {
        env->version = ri.version;
        env->has_date = ri.has_date;
        env->rev_date = ri.date;
        env->draft = !ri.approved;
    }
    if (env->has_date)
        snprintf(env->rev_iso, sizeof env->rev_iso, "%04d-%02d-%02dT00:00:00+08:00",
                 env->rev_date.year, env->rev_date.month, env->rev_date.day);
    snprintf(env->today_iso, sizeof env->today_iso, "%04d-%02d-%02dT00:00:00+08:00",
             o->today.year, o->today.month, o->today.day);
}

/* The chains, in the order of each edition's PDFs: the plan, the staff
 * edition's handout, the annexes' forms, the register printouts, each in the
 * editions that have it; taken by the workers the plan and the handout first
 * (the longest), then the printouts. */
static void make_chains(pdf_batch *b)
{
    const site *s = b->s;
    size_t nregs = s->registers ? s->registers->registers.len : 0;
    b->chains = xcalloc(4 + s->annexes.len + nregs, sizeof *b->chains);
    b->sched = xcalloc(4 + s->annexes.len + nregs, sizeof *b->sched);
    /* the editions, lowest audience first */
    int order[3], n = 0;
    for (int a = AUDIENCE_PUBLIC; a <= AUDIENCE_INTERNAL; a++)
        for (size_t e = 0; e < b->neds && n < 3; e++)
            if (b->eds[e].audience == (audience)a)
                order[n++] = (int)e;
    /* The plan shows its edition (cover, running head, title): it is never
     * the same file in two editions, so each edition's is a chain of its
     * own, and the workers typeset them side by side. */
    for (int k = 0; k < n; k++)
        b->chains[b->nchains++] = (chain){.kind = JOB_PLAN, .eds = {order[k]}, .n = 1};
    /* The handout publicises the policy to staff: their edition has it. */
    for (int k = 0; k < n; k++)
        if (b->eds[order[k]].audience == AUDIENCE_STAFF)
            b->chains[b->nchains++] = (chain){.kind = JOB_HANDOUT, .eds = {order[k]}, .n = 1};
    int annexes_from = b->nchains;
    for (size_t i = 0; i < s->annexes.len; i++) {
        const document *a = s->annexes.items[i];
        chain c = {.kind = JOB_ANNEX, .what = a};
        for (int k = 0; k < n; k++)
            if (a->audience <= b->eds[order[k]].audience)
                c.eds[c.n++] = order[k];
        if (c.n)
            b->chains[b->nchains++] = c;
    }
    int registers_from = b->nchains;
    for (size_t i = 0; i < nregs; i++) {
        const register_def *reg = s->registers->registers.items[i];
        chain c = {.kind = JOB_REGISTER, .what = reg};
        for (int k = 0; k < n; k++)
            if (reg->annex && register_visible(reg, b->eds[order[k]].audience))
                c.eds[c.n++] = order[k];
        if (c.n)
            b->chains[b->nchains++] = c;
    }
    int k = 0;
    for (int ci = 0; ci < annexes_from; ci++)
        b->sched[k++] = ci;
    for (int ci = registers_from; ci < b->nchains; ci++)
        b->sched[k++] = ci;
    for (int ci = annexes_from; ci < registers_from; ci++)
        b->sched[k++] = ci;
}

pdf_batch *pdf_start(const site *s, outdir *od, const char *theme_dir, int jobs, date today,
                     const pdf_edition *editions, size_t n, const pdf_reuse *reuse,
                     diag_sink *diags)
{
    pdf_batch *b = xcalloc(1, sizeof *b);
    b->diags = diags;
    b->s = s;
    b->reuse = reuse;
    b->handout_reads = reuse ? pdf_handout_reads(s) : NULL;
    b->od = od;
    b->ok = true;
    pdf_style_defaults(&b->st);
    char *style_path = theme_dir ? fs_join(theme_dir, "pdf.yaml") : NULL;
    if (style_path && !srcfile_confined(style_path, theme_dir, srcpos_file(style_path), diags))
        b->ok = false;
    else if (style_path)
        pdf_style_load(&b->st, style_path, diags);
    free(style_path);
    /* Before the workers fork: they share the cut fonts (fonts.h). */
    if (b->ok)
        pdf_fonts_cut(&b->st, s, theme_dir, jobs, reuse ? &reuse->fonts : NULL);
    b->neds = n < 3 ? n : 3;
    b->eds = xcalloc(b->neds + 1, sizeof *b->eds);
    memcpy(b->eds, editions, b->neds * sizeof *b->eds);
    b->opts = xcalloc(b->neds + 1, sizeof *b->opts);
    b->envs = xcalloc(b->neds + 1, sizeof *b->envs);
    /* The register printouts' date: today, else the revision's. */
    revision_info ri;
    bool has_rev = s->registers && registers_current_revision(s->registers, &ri) && ri.has_date;
    date day = date_valid(today) ? today : has_rev ? ri.date : (date){2000, 1, 1};
    for (size_t e = 0; e < b->neds; e++) {
        const pdf_edition *ed = &b->eds[e];
        b->opts[e] = (pdf_options){.theme_dir = theme_dir, .jobs = jobs, .audience = ed->audience,
                                   .today = day, .subdir = ed->subdir};
        char *root = ed->subdir && *ed->subdir ? outdir_path(od, ed->subdir) : xstrdup(od->staging);
        env_init(&b->envs[e], s, &b->st, &b->opts[e], root);
        b->ok = make_folder(root, "pdf", diags) && b->ok;
        b->texts = b->texts || ed->texts;
    }
    make_chains(b);
    b->results = xcalloc((size_t)b->nchains * 3 + 1, sizeof *b->results);
    for (int ci = 0; ci < b->nchains; ci++) {
        const chain *j = &b->chains[ci];
        const char *dir = j->kind == JOB_ANNEX ? "annexes" : j->kind == JOB_REGISTER ? "registers" : NULL;
        for (int k = 0; dir && k < j->n; k++)
            b->ok = make_folder(b->envs[j->eds[k]].staging, dir, diags) && b->ok;
    }
    /* Every PDF this build may take from the reuse, before the workers
     * (whose own record of what they took ends with them). */
    for (int ci = 0; reuse && ci < b->nchains; ci++) {
        const chain *j = &b->chains[ci];
        for (int k = 0; k < j->n; k++) {
            char *id = job_ident(b, j, j->eds[k]);
            reuse->keep(reuse->ctx, job_reads(b, j), id);
            free(id);
        }
    }
    const char *times = getenv("POLICYGEN_PDF_TIMES");
    b->times = times && *times;
    int workers = jobs > 0 ? jobs : default_jobs();
    if (workers > b->nchains)
        workers = b->nchains;
    if (b->ok && workers > 1)
        start_workers(b, workers);
    return b;
}

/* A PDF that came out as the previous output's (typeset again or taken
 * from the cache: a new file either way) is that file, with its time
 * stamp, as an unchanged page is (core/outdir.h). */
static void settle(pdf_batch *b, const pdf_edition *ed, const char *path)
{
    char *rel = ed->subdir && *ed->subdir ? fs_join(ed->subdir, path) : xstrdup(path);
    outdir_settle(b->od, rel);
    free(rel);
}

bool pdf_finish(pdf_batch *b)
{
    if (!b)
        return true;
    if (b->ok) {
        if (b->nworkers > 0)
            b->ok = collect(b);
        else
            run_here(b);
    }
    /* Each edition's files and texts, in the order of the chains. */
    for (int ci = 0; ci < b->nchains; ci++) {
        const chain *j = &b->chains[ci];
        for (int k = 0; k < j->n; k++) {
            result *r = &b->results[ci * 3 + k];
            const pdf_edition *ed = &b->eds[j->eds[k]];
            char *path = b->ok ? job_path(b, j, j->eds[k]) : NULL;
            if (path)
                settle(b, ed, path);
            if (path && ed->files) {
                pdf_file *f = xcalloc(1, sizeof *f);
                f->path = path;
                path = NULL;
                f->pages = r->pages;
                char *full = pdf_env_path(&b->envs[j->eds[k]], f->path);
                struct stat st;
                f->bytes = stat(full, &st) == 0 ? (long)st.st_size : 0;
                free(full);
                vec_push(ed->files, f);
            }
            free(path); /* not taken for a file list */
            if (!r->has_text)
                continue;
            if (!ed->texts) {
                sb_free(&r->text);
                continue;
            }
            pdf_text *t = xcalloc(1, sizeof *t);
            t->path = job_path(b, j, j->eds[k]);
            t->len = r->text.len;
            t->text = sb_take(&r->text);
            vec_push(ed->texts, t);
        }
    }
    bool ok = b->ok;
    if (!ok)
        b->od->failed = true;
    if (b->next)
        munmap(b->next, sizeof *b->next);
    for (size_t e = 0; e < b->neds; e++) {
        free(b->envs[e].plan_rel);
        free((char *)b->envs[e].staging);
    }
    free(b->envs);
    free(b->opts);
    free(b->eds);
    free(b->chains);
    free(b->sched);
    free(b->results);
    free(b->pids);
    free(b->fds);
    pdf_style_free(&b->st);
    free(b);
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
