#include "build/build.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "content/site.h"
#include "core/fs.h"
#include "core/interrupt.h"
#include "core/outdir.h"
#include "core/srcfile.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "build/leak.h"
#include "cache/docs.h"
#include "cache/pdfs.h"
#include "cache/rebuild.h"
#include "check/check.h"
#include "core/strbuf.h"
#include "render/html/body.h"
#include "render/html/search_index.h"
#include "render/html/site_html.h"
#include "diff/sitediff.h"
#include "hosting/hosting.h"
#include "registers/registers.h"
#include "release/archive.h"
#include "render/pdf/pdf.h"
#include "xref/xref.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FREE_AT_EXIT true
#endif
#endif
#if !defined(FREE_AT_EXIT) && defined(__SANITIZE_ADDRESS__)
#define FREE_AT_EXIT true
#endif
#ifndef FREE_AT_EXIT
#define FREE_AT_EXIT false
#endif

/* themes/NAME of the content folder, else of the program's data; the theme
 * must stay inside its themes/ folder (site.yaml made sure NAME is plain). */
static char *theme_in(const char *base, const char *name, bool *refused, diag_sink *diags)
{
    char *themes = fs_join(base, "themes");
    char *dir = fs_join(themes, name);
    if (!fs_is_dir(dir)) {
        free(dir);
        dir = NULL;
    } else if (!srcfile_confined(dir, themes, srcpos_file(dir), diags)) {
        *refused = true;
        free(dir);
        dir = NULL;
    }
    free(themes);
    return dir;
}

/* A content folder's own themes/NAME overrides the shipped theme. */
static char *find_theme(const build_options *opts, const char *name, diag_sink *diags)
{
    bool refused = false;
    char *dir = theme_in(opts->content_dir, name, &refused, diags);
    if (!dir && !refused)
        dir = theme_in(opts->data_dir, name, &refused, diags);
    if (!dir && !refused) {
        char *shipped = xasprintf("%s/themes/%s", opts->data_dir, name);
        diag_error(diags, srcpos_file(shipped), "theme", "theme '%s' not found", name);
        free(shipped);
    }
    return dir;
}

static double seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* POLICYGEN_TIMES=1 prints how long each stage took (for make bench): wall
 * time, then processor time of this process and of its children (the rules),
 * and this process's peak memory so far. */
static void phase_time(const char *what)
{
    static double last_wall, last_cpu, last_children;
    static int enabled = -1;
    if (enabled < 0) {
        const char *env = getenv("POLICYGEN_TIMES");
        enabled = env && *env && strcmp(env, "0") != 0;
    }
    if (!enabled)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    double wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    double cpu = seconds(self.ru_utime) + seconds(self.ru_stime);
    double children_cpu = seconds(children.ru_utime) + seconds(children.ru_stime);
    /* To the descriptor, past the build cache's record of stderr: a build
     * without change tells its own times, not the recorded build's. */
    if (last_wall > 0)
        dprintf(STDERR_FILENO,
                "time: %-10s %.3f s  (cpu %.3f s, children %.3f s, peak %.0f MB, children's %.0f MB)\n",
                what, wall - last_wall, cpu - last_cpu, children_cpu - last_children,
                (double)self.ru_maxrss * 1024 / 1e6, (double)children.ru_maxrss * 1024 / 1e6);
    last_wall = wall;
    last_cpu = cpu;
    last_children = children_cpu;
}

/* Loading and resolving: everything before the checks. NULL (after the
 * diagnostics) when the content cannot be built. A build renders each
 * document's body while the load has its tree (render/html/body.h), so no
 * tree is parsed twice; with the build cache (store), a document that did
 * not change is not parsed at all (cache/docs.h). */
static site *load_resolved(const build_options *opts, bool rendering, const site_doc_store *store,
                           xref_table **xref, diag_sink *diags)
{
    diag_sink own = diag_child(diags); /* the content is built only if it says no error */
    site_visitor bodies = html_prerender_visitor();
    site *s =
        site_load_stored(opts->content_dir, opts->jobs, rendering ? &bodies : NULL, store, &own);
    phase_time("load");
    if (!s)
        return NULL;
    /* Resolve even after errors, so one run reports every broken reference too. */
    *xref = xref_resolve_site_jobs(s, opts->jobs, &own);
    if (diag_has_errors(&own)) {
        xref_table_free(*xref);
        site_free(s);
        return NULL;
    }
    return s;
}

static check_options check_options_of(const build_options *opts, date today)
{
    return (check_options){
        .content_dir = opts->content_dir, .data_dir = opts->data_dir, .today = today,
        .jobs = opts->jobs};
}

static void print_summary(FILE *stream, const site *s, const rules_result *rr, date today)
{
    check_counts c = check_count(s, rr);
    char day[16];
    date_format_iso(today, day, sizeof day);
    fprintf(stream,
            "check: %d errors, %d warnings (%d missing, %d overdue, %d due soon, %d ok) "
            "from %d rules",
            c.errors, c.warnings, c.missing, c.overdue, c.due_soon, c.ok, c.rules);
    if (c.rules_failed)
        fprintf(stream, ", %d of them failed", c.rules_failed);
    if (c.rules_unchecked)
        fprintf(stream, ", %d %s unchecked", c.rules_unchecked,
                c.rules_failed ? "more" : "of them");
    fprintf(stream, " on %s\n", day);
}

static bool checks_failed(const site *s, const rules_result *rr)
{
    check_counts c = check_count(s, rr);
    return c.errors > 0 || c.rules_failed > 0;
}

static bool edition_listed(const site *s, const char *edition)
{
    for (size_t i = 0; i < s->config.editions.len; i++)
        if (strcmp(s->config.editions.items[i], edition) == 0)
            return true;
    return false;
}

/* The releases of content/releases/, each unpacked into a temporary folder
 * (its content/ loaded as a site, its site/ kept for versions/<version>/). */
typedef struct releases {
    char *tmp;           /* the temporary folder, or NULL */
    vec versions;        /* char*, oldest first */
    html_release *items; /* one per version; .site owned */
    char **dirs;         /* tmp/<version>: content/ and site/ */
} releases;

/* False (after diagnostics) when a release cannot be read: a zip that does
 * not open, is unsafe, or is not a release (no content/site.yaml) would
 * otherwise drop its version from the history without a word. */
static bool releases_load(const build_options *opts, releases *r, diag_sink *diags)
{
    memset(r, 0, sizeof *r);
    vec_init(&r->versions, free);
    bool ok = release_list_versions(opts->content_dir, &r->versions, diags);
    if (!r->versions.len)
        return ok;
    char tmpl[] = "/tmp/policygen-releases-XXXXXX";
    if (!mkdtemp(tmpl)) {
        diag_error(diags, srcpos_file(tmpl), "release", "cannot create a temporary folder: %s",
                   strerror(errno));
        return false;
    }
    r->tmp = xstrdup(tmpl);
    interrupt_guard(r->tmp);
    r->items = xcalloc(r->versions.len, sizeof *r->items);
    r->dirs = xcalloc(r->versions.len, sizeof *r->dirs);
    for (size_t i = 0; i < r->versions.len; i++) {
        const char *v = r->versions.items[i];
        r->items[i].version = v;
        char *zip = release_zip_path(opts->content_dir, v);
        release_archive *a = release_open(zip, NULL, diags);
        char *dest = fs_join(r->tmp, v);
        if (!a) {
            ok = false;
        } else if (!release_find(a, "content/site.yaml")) {
            diag_error(diags, srcpos_file(zip), "release",
                       "not a release: it has no content/site.yaml (policygen release makes "
                       "releases; move other files out of releases/)");
            ok = false;
        } else if (!release_extract(a, "", dest, NULL)) {
            ok = false;
        } else {
            /* The content of a release is loaded as it was, without today's
             * diagnostics (a later policygen may be stricter). */
            char *content = fs_join(dest, "content");
            diag_sink quiet = diag_to_stream(NULL);
            r->items[i].site = site_load(content, &quiet);
            free(content);
            r->dirs[i] = dest;
            dest = NULL;
        }
        free(dest);
        release_close(a);
        free(zip);
    }
    return ok;
}

/* A released revisions row that gives no `changes` gets them from the
 * comparison with the release before (what every edition may see). */
static void note_release_changes(site *s, const releases *r)
{
    const register_def *revisions = s->registers ? registers_get(s->registers, "revisions") : NULL;
    for (size_t i = 1; revisions && i < r->versions.len; i++) {
        const site *prev = r->items[i - 1].site, *cur = r->items[i].site;
        const register_row *row = register_row_get(revisions, r->items[i].version);
        const register_cell *changes = row ? register_row_cell(row, "changes") : NULL;
        if (!prev || !cur || !row || (changes && changes->node))
            continue;
        site_diff *d = site_diff_compute(prev, cur, AUDIENCE_PUBLIC);
        char *summary = site_diff_summary(d);
        if (summary && *summary)
            map_set(&s->revision_notes, r->items[i].version, summary);
        else
            free(summary);
        site_diff_free(d);
    }
}

static void releases_free(releases *r)
{
    for (size_t i = 0; r->items && i < r->versions.len; i++) {
        site_free((site *)r->items[i].site);
        free(r->dirs[i]);
    }
    free(r->items);
    free(r->dirs);
    if (r->tmp) {
        fs_remove_tree(r->tmp);
        interrupt_release(r->tmp);
    }
    free(r->tmp);
    vec_free(&r->versions);
}

static bool copy_tree(outdir *od, const char *from, const char *to)
{
    vec names;
    vec_init(&names, free);
    bool ok = fs_list_dir(from, &names);
    for (size_t i = 0; ok && i < names.len; i++) {
        char *src = fs_join(from, names.items[i]);
        char *dst = fs_join(to, names.items[i]);
        ok = fs_is_dir(src) ? copy_tree(od, src, dst) : outdir_copy(od, dst, src);
        free(src);
        free(dst);
    }
    vec_free(&names);
    return ok;
}

/* versions/<version>/: each release's frozen site of this edition. */
static bool copy_frozen(outdir *od, releases *r, const char *edition)
{
    bool ok = true;
    for (size_t i = 0; ok && i < r->versions.len; i++) {
        r->items[i].frozen = false;
        if (!r->dirs || !r->dirs[i])
            continue;
        char *from = xasprintf("%s/site/%s", r->dirs[i], edition);
        char *index = fs_join(from, "index.html");
        if (fs_is_file(index)) {
            char *to = xasprintf("%s/versions/%s", edition, (char *)r->versions.items[i]);
            ok = copy_tree(od, from, to);
            outdir_sweep(od, to); /* only the copy writes there; the pages read it */
            r->items[i].frozen = ok;
            free(to);
        }
        free(index);
        free(from);
    }
    return ok;
}

/* The rules run in worker processes while the editions render. The pages
 * that show their results (the internal home page and status/, made last)
 * ask the gate, which waits for the rules once. Their diagnostics are kept
 * and told after the rendering, so they come out in the same place whenever
 * the rules finish, and they do not count as the rendering's errors. */
typedef struct checks_gate {
    pthread_mutex_t lock;
    check_batch *batch; /* running, until finished */
    const site *site;
    rules_result result;
    diag_sink diags; /* the rules' diagnostics, held until the rendering is done */
    bool finished;
} checks_gate;

static const rules_result *checks_wait(void *ctx)
{
    checks_gate *g = ctx;
    pthread_mutex_lock(&g->lock);
    if (!g->finished) {
        check_finish(g->batch, &g->result, &g->diags);
        check_report(g->site, &g->result, &g->diags);
        g->finished = true;
    }
    pthread_mutex_unlock(&g->lock);
    return &g->result;
}

/* .htaccess and web.config in the edition's root: it works where it is unpacked. */
static bool write_hosting_files(outdir *od, const site *s, audience aud, const char *edition)
{
    char *htaccess = hosting_htaccess(s, aud), *web_config = hosting_web_config(s, aud);
    char *p1 = fs_join(edition, HOSTING_HTACCESS), *p2 = fs_join(edition, HOSTING_WEB_CONFIG);
    bool ok = outdir_write_string(od, p1, htaccess) && outdir_write_string(od, p2, web_config);
    free(p1);
    free(p2);
    free(htaccess);
    free(web_config);
    return ok;
}

/* An edition being built: its PDFs are typeset (in worker processes, with
 * every other edition's), then its HTML rendered, which links to them with
 * their size and pages; its leak check reads its folder once both are
 * written. */
typedef struct edition_build {
    const char *name;
    audience aud;
    vec pdf_texts; /* a PDF keeps its text encoded: the leak check reads it as typeset */
    vec pdf_files; /* the PDFs written, for the pages' links */
} edition_build;

/* One edition: its pages into OUT/<edition>/, each seen by the leak check as
 * it is written, then the leak check over every file written there and its
 * PDFs' text. */
static bool render_edition(const build_options *opts, const site *s, const xref_table *xref,
                           checks_gate *gate, date today, const char *theme_dir, outdir *od,
                           edition_build *e, releases *rel, search_share *share,
                           diag_sink *diags)
{
    if (!copy_frozen(od, rel, e->name))
        return false;
    leak_check *lc = leak_check_new(s, e->aud, diags);
    html_download *downloads = xcalloc(e->pdf_files.len + 1, sizeof *downloads);
    for (size_t i = 0; i < e->pdf_files.len; i++) {
        const pdf_file *f = e->pdf_files.items[i];
        downloads[i] = (html_download){f->path, f->bytes, f->pages};
    }
    html_options html = {.theme_dir = theme_dir,
                         .xref = xref,
                         .audience = e->aud,
                         .threads = opts->jobs,
                         .checks = checks_wait,
                         .checks_ctx = gate,
                         .today = today,
                         .subdir = e->name,
                         .releases = rel->items,
                         .n_releases = rel->versions.len,
                         .pages = {leak_check_look, leak_check_written, lc},
                         .downloads = downloads,
                         .n_downloads = e->pdf_files.len,
                         .diags = diags,
                         .search_share = share};
    bool rendered = html_render_site(s, od, &html) &&
                    write_hosting_files(od, s, e->aud, e->name) && !od->failed;
    free(downloads);
    if (!rendered) {
        leak_check_free(lc);
        return false;
    }
    outdir_sweep(od, e->name); /* every file of the edition is written */
    char *dir = outdir_path(od, e->name);
    char *shown = fs_join(opts->output_dir, e->name);
    bool clean = leak_check_dir(lc, dir, shown, e->name);
    for (size_t i = 0; i < e->pdf_texts.len; i++) {
        const pdf_text *t = e->pdf_texts.items[i];
        char *path = fs_join(shown, t->path);
        clean = leak_check_file_text(lc, t->text, t->len, path, e->name) && clean;
        free(path);
    }
    free(shown);
    free(dir);
    leak_check_free(lc);
    return clean;
}

/* Every edition (or opts->edition only): the PDFs of all of them in worker
 * processes first, then the HTML of each, which links to its PDFs with
 * their size and pages, and its leak check. */
static bool render_editions(const build_options *opts, const site *s, const xref_table *xref,
                            checks_gate *gate, date today, const char *theme_dir, outdir *od,
                            releases *rel, const pdf_reuse *reuse, diag_sink *diags)
{
    edition_build eds[3];
    pdf_edition pdf_eds[3];
    size_t n = 0;
    bool ok = true;
    for (size_t i = 0; i < s->config.editions.len && n < 3; i++) {
        const char *name = s->config.editions.items[i];
        if (opts->edition && strcmp(opts->edition, name) != 0)
            continue;
        edition_build *e = &eds[n];
        *e = (edition_build){.name = name};
        vec_init(&e->pdf_texts, pdf_text_free);
        vec_init(&e->pdf_files, pdf_file_free);
        if (!audience_parse(name, &e->aud)) {
            ok = false; /* site.yaml's check reported it */
        } else {
            /* The edition's modes, before anything is written there (a PDF
             * shared with another edition is linked only where the modes
             * agree); where site.yaml gives none, new files' modes. */
            unsigned files = s->config.file_modes[e->aud], folders = s->config.folder_modes[e->aud];
            ok = outdir_set_modes(od, name, files ? files : outdir_new_file_mode(od),
                                  folders ? folders : outdir_new_folder_mode(od)) &&
                 ok;
        }
        pdf_eds[n] = (pdf_edition){
            .subdir = name, .audience = e->aud, .texts = &e->pdf_texts, .files = &e->pdf_files};
        n++;
    }
    /* Forked before any rendering thread starts. */
    if (ok && !opts->no_pdf) {
        pdf_batch *pdf = pdf_start(s, od, theme_dir, opts->jobs, today, pdf_eds, n, reuse, diags);
        ok = pdf_finish(pdf) && !od->failed;
        phase_time("pdf");
    }
    /* Editions that show a page alike share its part of the search index.
     * The last one takes what the share kept, each part freed once written,
     * unless the process ends with the build: it frees nothing then (the
     * frees would cost that edition a quarter of its time). */
    search_share *share = n > 1 ? search_share_new() : NULL;
    bool kept_to_exit = opts->exiting && !FREE_AT_EXIT;
    for (size_t i = 0; i < n; i++) {
        if (share && i + 1 == n && !kept_to_exit)
            search_share_last(share);
        ok = ok && render_edition(opts, s, xref, gate, today, theme_dir, od, &eds[i], rel, share,
                                  diags);
        phase_time(eds[i].name);
    }
    if (!kept_to_exit)
        search_share_free(share);
    for (size_t i = 0; i < n; i++) {
        vec_free(&eds[i].pdf_texts);
        vec_free(&eds[i].pdf_files);
    }
    return ok;
}

bool build_output_allowed(const build_options *opts, diag_sink *diags)
{
    char *themes = fs_join(opts->data_dir, "themes");
    char *plugins = fs_join(opts->data_dir, "lua-plugins");
    const char *protect[] = {opts->content_dir, themes, plugins};
    char *why = outdir_refusal(opts->output_dir, protect, 3);
    if (why)
        diag_error(diags, srcpos_file(opts->output_dir), "output", "%s", why);
    free(why);
    free(themes);
    free(plugins);
    return !why;
}

/* The build itself; with a cache (c), the documents and the PDFs whose
 * inputs did not change are taken from it. */
static build_result build_fresh(const build_options *opts, cache *c, const char *settings,
                                const char *program, diag_sink *diags)
{
    if (c)
        phase_time("cache"); /* hashing the inputs (cache/rebuild.h) */
    xref_table *xref = NULL;
    cache_docs *docs = c ? cache_docs_new(c, program, diags) : NULL;
    site *s = load_resolved(opts, true, cache_docs_store(docs), &xref, diags);
    cache_docs_free(docs, s != NULL);
    phase_time("xref");
    if (!s)
        return BUILD_CONTENT_ERROR;
    char *theme_dir = find_theme(opts, s->config.theme, diags);
    if (!theme_dir) {
        xref_table_free(xref);
        site_free(s);
        return BUILD_CONTENT_ERROR;
    }
    date today = opts->today_set ? opts->today : date_today();
    releases rel;
    if (!releases_load(opts, &rel, diags)) {
        releases_free(&rel);
        free(theme_dir);
        xref_table_free(xref);
        site_free(s);
        return BUILD_CONTENT_ERROR;
    }
    note_release_changes(s, &rel);
    /* The rules' workers are forked before any rendering thread starts; one
     * that replaces a worker that died is forked later, from the thread that
     * waits at the gate, which glibc's malloc allows (its fork handlers). */
    check_options copts = check_options_of(opts, today);
    checks_gate gate = {
        .site = s, .batch = check_start(s, xref, &copts, diags), .diags = diag_buffered(diags)};
    if (!gate.batch) {
        releases_free(&rel);
        free(theme_dir);
        xref_table_free(xref);
        site_free(s);
        return BUILD_CONTENT_ERROR;
    }
    pthread_mutex_init(&gate.lock, NULL);
    phase_time("rules");

    build_result result = BUILD_CONTENT_ERROR;
    bool rendered = false;
    outdir od;
    if (opts->edition && !edition_listed(s, opts->edition)) {
        diag_error(diags, srcpos_file(s->config_path), "edition",
                   "no edition '%s': site.yaml lists the editions to build", opts->edition);
        result = BUILD_USAGE_ERROR;
    } else if (outdir_begin(&od, opts->output_dir, diags)) {
        diag_sink rendering = diag_child(diags); /* it must say no error */
        od.diags = &rendering;
        cache_pdfs *pdfs = c && !opts->no_pdf
                               ? cache_pdfs_new(c, settings, s, opts->content_dir, theme_dir)
                               : NULL;
        bool ok = render_editions(opts, s, xref, &gate, today, theme_dir, &od, &rel,
                                  cache_pdfs_reuse(pdfs), &rendering);
        cache_pdfs_free(pdfs);
        ok = ok && html_render_editions_index(s, &od, theme_dir, opts->edition, &rendering) &&
             !od.failed && !diag_has_errors(&rendering);
        od.diags = diags;
        rendered = true;
        if (!ok)
            outdir_abort(&od);
        else
            result = BUILD_OK;
    }
    const rules_result *rr = checks_wait(&gate);
    diag_replay(&gate.diags);
    print_summary(stderr, s, rr, today);
    phase_time("rules-wait");
    if (rendered && result == BUILD_OK) {
        if (opts->strict && checks_failed(s, rr)) {
            outdir_abort(&od);
            result = BUILD_CHECKS_FAILED;
        } else if (!outdir_commit(&od)) {
            result = BUILD_CONTENT_ERROR;
        }
        phase_time("commit");
    }
    releases_free(&rel); /* its temporary folder must go in any case */
    if (opts->exiting && !FREE_AT_EXIT)
        return result;
    rules_result_free(&gate.result);
    pthread_mutex_destroy(&gate.lock);
    free(theme_dir);
    xref_table_free(xref);
    site_free(s);
    phase_time("teardown");
    return result;
}

_Static_assert(BUILD_OK == 0, "cache_build takes 0 for a build that wrote its output");

static int build_fresh_cb(void *ctx, cache *c, const char *settings, const char *program,
                          diag_sink *diags)
{
    return (int)build_fresh(ctx, c, settings, program, diags);
}

build_result build_site(const build_options *opts, diag_sink *diags)
{
    phase_time("start");
    if (!opts->cache_dir)
        return build_fresh(opts, NULL, NULL, NULL, diags);
    cache_build_inputs in = {.content_dir = opts->content_dir,
                             .output_dir = opts->output_dir,
                             .data_dir = opts->data_dir,
                             .edition = opts->edition,
                             .today = opts->today_set ? opts->today : date_today(),
                             .strict = opts->strict,
                             .no_pdf = opts->no_pdf,
                             .jobs = opts->jobs};
    return (build_result)cache_build(opts->cache_dir, &in, build_fresh_cb, (void *)opts,
                                     diags);
}

site *build_load(const build_options *opts, xref_table **xref, diag_sink *diags)
{
    return load_resolved(opts, false, NULL, xref, diags);
}

char *build_version_changes(const build_options *opts, const site *s, audience aud,
                            diag_sink *diags)
{
    revision_info rev;
    if (!s->registers || !registers_current_revision(s->registers, &rev) || !rev.version)
        return xstrdup("");
    const register_def *reg = registers_get(s->registers, "revisions");
    const register_cell *cell = register_row_cell(rev.row, "changes");
    const char *written = cell && register_field_visible(reg, cell->field, aud)
                              ? register_cell_text(cell)
                              : NULL;
    if (written && *written)
        return xstrdup(written);
    /* Not written: what changed since the last release before it. */
    releases rel;
    releases_load(opts, &rel, diags);
    char *summary = NULL;
    for (size_t i = rel.versions.len; i-- > 0 && !summary;) {
        const html_release *r = &rel.items[i];
        if (strcmp(r->version, rev.version) == 0 || !r->site)
            continue;
        site_diff *d = site_diff_compute(r->site, s, aud);
        summary = site_diff_summary(d);
        site_diff_free(d);
    }
    releases_free(&rel);
    return summary ? summary : xstrdup("");
}

static void print_json(value *v)
{
    strbuf out;
    sb_init(&out);
    value_append_json(&out, v, true);
    puts(out.data);
    sb_free(&out);
    value_unref(v);
}

check_result check_site(const build_options *opts, check_output output, diag_sink *diags)
{
    xref_table *xref = NULL;
    site *s = load_resolved(opts, false, NULL, &xref, diags);
    if (!s)
        return CHECK_CONTENT_ERROR;
    date today = opts->today_set ? opts->today : date_today();
    rules_result rr;
    check_options copts = check_options_of(opts, today);
    if (!check_run(s, xref, &copts, &rr, diags)) {
        xref_table_free(xref);
        site_free(s);
        return CHECK_CONTENT_ERROR;
    }
    bool listing = output == CHECK_RULES_TEXT || output == CHECK_RULES_JSON;
    if (!listing)
        check_report(s, &rr, diags);
    if (output == CHECK_FLAGS_JSON)
        print_json(check_flags_value(s, &rr, today));
    else if (output == CHECK_RULES_JSON)
        print_json(check_rules_value(s, &rr));
    else if (output == CHECK_RULES_TEXT)
        check_rules_text(stdout, s, &rr);
    print_summary(output == CHECK_DIAGNOSTICS ? stdout : stderr, s, &rr, today);
    check_result result = !listing && checks_failed(s, &rr) ? CHECK_FAILED : CHECK_OK;
    rules_result_free(&rr);
    xref_table_free(xref);
    site_free(s);
    return result;
}
