/* memmem */
#define _GNU_SOURCE
#include "render/html/site_html.h"

#include <errno.h>
#include <fcntl.h>
#include <cmark-gfm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "check/coverage.h"
#include "core/fs.h"
#include "core/parallel.h"
#include "core/srcfile.h"
#include "core/value.h"
#include "core/xalloc.h"
#include "diff/sitediff.h"
#include "feed/feed.h"
#include "registers/regtype.h"
#include "registers/registers.h"
#include "markdown/markdown.h"
#include "render/html/body.h"
#include "render/html/register_html.h"
#include "render/html/search_index.h"
#include "render/html/status_html.h"
#include "xref/xref.h"
#include "template/template.h"

/* The theme's templates, all read before rendering starts so that threads
 * only look them up. */
typedef struct theme {
    const char *dir;
    map sources; /* name -> char* (owned) */
} theme;

static bool theme_load(theme *t, const char *dir, diag_sink *diags)
{
    t->dir = dir;
    map_init(&t->sources, free);
    char *templates = fs_join(dir, "templates");
    vec names;
    vec_init(&names, free);
    bool ok = srcfile_confined(templates, dir, srcpos_file(templates), diags);
    if (ok && !(ok = fs_list_dir(templates, &names)))
        diag_error(diags, srcpos_file(templates), "theme", "cannot read the theme's templates: %s",
                   strerror(errno));
    for (size_t i = 0; ok && i < names.len; i++) {
        const char *name = names.items[i];
        size_t len = strlen(name);
        const char *ext = ".mustache";
        if (len <= strlen(ext) || strcmp(name + len - strlen(ext), ext) != 0)
            continue;
        char *path = fs_join(templates, name);
        char *src = srcfile_confined(path, dir, srcpos_file(path), diags)
                        ? srcfile_read(path, (size_t)4 << 20, NULL, "theme", diags)
                        : NULL;
        if (!src) {
            ok = false;
        } else {
            char *key = xstrndup(name, len - strlen(ext));
            map_set(&t->sources, key, src);
            free(key);
        }
        free(path);
    }
    vec_free(&names);
    free(templates);
    return ok;
}

static const char *theme_resolve(void *ctx, const char *name)
{
    const theme *t = ctx;
    return map_get(&t->sources, name);
}

typedef struct page_writer page_writer;
typedef struct page_job page_job;

/* A page to render: the template and its data, then the file it goes to.
 * The data of the big pages is made on the rendering thread (build). */
struct page_job {
    char *relpath;
    const char *template_name;
    value *page;   /* the page's own data, or NULL to build */
    value *(*build)(page_writer *w, page_job *job);
    bool search_file; /* search/index.js: made as it is written, from every part before */
    size_t index;  /* which chapter or annex, for build */
    size_t size_hint; /* the page's size, about, when build knows it */
    bool parts;    /* all.html: the chapters' bodies go in as it is written (write_parts) */
    strbuf html;   /* the rendered page, until it is written */
    vec search;    /* its parts of the search index (search_part*), which join it when written */
    void *note;    /* the observer's, from look to written */
    bool unchanged; /* the previous output holds the page as rendered (outdir_unchanged) */
    diag_sink diags; /* what rendering it said, told when it is written */
    bool rendered;
};

static void page_job_free(void *p)
{
    page_job *j = p;
    if (!j)
        return;
    free(j->relpath);
    value_unref(j->page);
    sb_free(&j->html);
    vec_free(&j->search);
    diag_sink_free(&j->diags);
    free(j);
}

struct page_writer {
    const site *site;
    outdir *od;
    theme theme;
    tpl_set **templates; /* one set per thread: a set is not shared */
    int threads;
    value *common; /* site-wide data shared by every page */
    const xref_table *xref;
    audience audience;
    vec jobs;      /* of page_job*: rendered on all threads, written in order, freed */
    const char *subdir; /* the edition's folder in the output, or NULL */
    vec chapters;  /* the chapters and annexes this edition shows (borrowed) */
    vec annexes;
    vec evidence;  /* the evidence files this edition shows (borrowed paths) */
    char part_marker[48]; /* all.html: where a chapter's body goes (see all_page) */
    /* search/index.js, made as the pages are written: each chapter's and
     * annex's part (made with its page) joins it then, in page order. */
    search_index *search;
    outdir_file *search_out; /* search/index.js, opened at the index's first write */
    bool search_opened;
    html_page_observer pages;
    const html_options *opts;
    diag_sink *diags;  /* opts->diags */
    bool shows_status; /* the internal edition of a build that ran the rules */
    bool keep; /* an edition after this one will want what editions share */
    bool ok;
};

/* The rules' results; the first call may wait for the rules to finish. */
static const rules_result *checks_of(const page_writer *w)
{
    return w->shows_status ? w->opts->checks(w->opts->checks_ctx) : NULL;
}


/* Files of this edition: under its folder of the output (caller frees). */
static char *edition_path(const page_writer *w, const char *relpath)
{
    return w->subdir ? fs_join(w->subdir, relpath) : xstrdup(relpath);
}

static bool out_write(page_writer *w, const char *relpath, const char *data, size_t len)
{
    char *path = edition_path(w, relpath);
    bool ok = outdir_write(w->od, path, data, len);
    free(path);
    return ok;
}

/* A page compared with the previous output on its rendering thread:
 * reading the previous file is most of writing one that is unchanged, and
 * pages are written from one thread. */
static bool out_unchanged(const page_writer *w, const char *relpath, const char *data,
                          size_t len)
{
    char *path = edition_path(w, relpath);
    bool same = outdir_unchanged(w->od, path, data, len);
    free(path);
    return same;
}

static bool out_write_compared(page_writer *w, const char *relpath, const char *data,
                               size_t len, bool unchanged)
{
    char *path = edition_path(w, relpath);
    bool ok = outdir_write_compared(w->od, path, data, len, unchanged);
    free(path);
    return ok;
}

static outdir_file *out_open(page_writer *w, const char *relpath)
{
    char *path = edition_path(w, relpath);
    outdir_file *f = outdir_open(w->od, path);
    free(path);
    return f;
}

static bool out_copy(page_writer *w, const char *relpath, const char *from)
{
    char *path = edition_path(w, relpath);
    bool ok = outdir_copy(w->od, path, from);
    free(path);
    return ok;
}

/* "plan/basis.html" is two folders below the root? one: "../". */
static char *root_prefix(const char *relpath)
{
    strbuf sb;
    sb_init(&sb);
    for (const char *p = relpath; *p; p++)
        if (*p == '/')
            sb_append(&sb, "../");
    return sb_take(&sb);
}

static void part_release(void *p)
{
    search_part_release(p);
}

static page_job *add_job(page_writer *w, const char *relpath, const char *template_name)
{
    page_job *job = xcalloc(1, sizeof *job);
    job->relpath = xstrdup(relpath);
    vec_init(&job->search, part_release);
    job->template_name = template_name;
    job->diags = diag_buffered(w->diags);
    vec_push(&w->jobs, job);
    return job;
}

static void write_page(page_writer *w, const char *relpath, const char *template_name, value *page)
{
    add_job(w, relpath, template_name)->page = page;
}

/* A page whose data build(w, job) makes when it is rendered. */
static void write_page_later(page_writer *w, const char *relpath, const char *template_name,
                             value *(*build)(page_writer *, page_job *), size_t index)
{
    page_job *job = add_job(w, relpath, template_name);
    job->build = build;
    job->index = index;
}

static void write_parts(page_writer *w, page_job *job);
static void copy_search_file(page_writer *w, const char *from);
static void search_register_parts(page_writer *w, page_job *job);

/* Renders on any thread, data made and freed there too. */
static void render_job(void *ctx, int worker, size_t i)
{
    page_writer *w = ctx;
    page_job *job = w->jobs.items[i];
    if (job->search_file) {
        search_register_parts(w, job);
        job->rendered = true;
        return;
    }
    value *data = value_map();
    value_map_set(data, "site", value_ref(w->common));
    char *root = root_prefix(job->relpath);
    value_map_set_string(data, "root", root);
    free(root);
    value_map_set(data, "page", job->build ? job->build(w, job) : job->page);
    job->page = NULL;
    sb_init(&job->html);
    sb_grow(&job->html, job->size_hint);
    tpl_error err = {0};
    job->rendered =
        tpl_render_named(w->templates[worker], job->template_name, data, &job->html, &err);
    value_unref(data);
    if (job->rendered) {
        if (!job->parts) {
            if (w->pages.look)
                job->note = w->pages.look(w->pages.ctx, job->html.data, job->html.len);
            job->unchanged = out_unchanged(w, job->relpath, job->html.data, job->html.len);
        }
        return;
    }
    char *path = xasprintf("%s/templates/%s.mustache", w->theme.dir,
                           err.name[0] ? err.name : job->template_name);
    diag_error(&job->diags, (srcpos){path, err.line, err.col}, "template", "%s", err.message);
    free(path);
}

/* Writes the pages from one thread, in order, as they are rendered:
 * creating files in parallel only makes the file system contend. */
static void write_job(void *ctx, size_t i)
{
    page_writer *w = ctx;
    page_job *job = w->jobs.items[i];
    diag_replay(&job->diags);
    for (size_t k = 0; k < job->search.len; k++)
        search_index_add(w->search, job->search.items[k]);
    vec_free(&job->search); /* the parts not shared with another edition go now */
    if (job->search_file) {
        /* Written as it was made: the observer does not see it (the leak
         * check reads it from the file). */
        char *same = search_index_finish(w->search);
        w->search = NULL;
        if (same)
            copy_search_file(w, same);
        free(same);
        if (!w->search_out || !outdir_file_close(w->search_out))
            w->ok = false;
        w->search_out = NULL;
    } else if (job->rendered && job->parts) {
        write_parts(w, job);
    } else if (!job->rendered || !out_write_compared(w, job->relpath, job->html.data,
                                                     job->html.len, job->unchanged)) {
        w->ok = false;
    }
    if (job->rendered && !job->search_file && !job->parts && w->pages.written)
        w->pages.written(w->pages.ctx, job->relpath, job->note);
    page_job_free(job);
    w->jobs.items[i] = NULL;
}

static char *chapter_href(const document *d)
{
    return xconcat3("plan/", d->id, ".html");
}

static char *annex_href(const document *d)
{
    return xconcat3("annexes/", d->id, ".html");
}

/* The values of a document that are the same in every edition, each made
 * once for all of them (html_body_value, kept while an edition after this
 * one will want them: page_writer.keep): shared, never changed. */
enum {
    DOC_SUMMARY,      /* its id, label, title, number and href */
    DOC_TOC,          /* its chapter page's table of contents: toc_sections(d, "", "") */
    DOC_TOC_ENTRY,    /* its entry in plan/index.html (toc_page) */
    DOC_ALL_SECTIONS, /* its sections in plan/all.html: toc_sections(d, "", "<id>--") */
};

static value *toc_sections(const document *d, const char *href_base, const char *id_prefix);

static value *make_doc_value(const document *d, int slot)
{
    bool annex = d->kind == DOCUMENT_ANNEX;
    switch (slot) {
    case DOC_SUMMARY: {
        value *v = value_map();
        const section *top = d->sections.items[0];
        value_map_set_string(v, "id", d->id);
        value_map_set_string(v, "label", top->label);
        value_map_set_string(v, "title", d->title);
        value_map_set_number(v, "number", d->number);
        value_map_set(v, "href", value_string_take(annex ? annex_href(d) : chapter_href(d)));
        return v;
    }
    case DOC_TOC:
        return toc_sections(d, "", "");
    case DOC_TOC_ENTRY: {
        value *c = make_doc_value(d, DOC_SUMMARY);
        char *base = xasprintf("%s.html", d->id);
        value *sections = toc_sections(d, base, "");
        free(base);
        value_map_set_bool(c, "has_sections", value_list_len(sections) > 0);
        value_map_set(c, "sections", sections);
        return c;
    }
    default: {
        char *prefix = xasprintf("%s--", d->id);
        value *sections = toc_sections(d, "", prefix);
        free(prefix);
        return sections;
    }
    }
}

static value *doc_value(const page_writer *w, const document *d, int slot)
{
    return html_body_value(d, slot, w->keep, make_doc_value);
}

/* The sections of a chapter for a table of contents: levels 2 and 3, each
 * at href_base#id_prefix<id>. */
static value *toc_sections(const document *d, const char *href_base, const char *id_prefix)
{
    value *list = value_list();
    for (size_t i = 1; i < d->sections.len; i++) {
        const section *s = d->sections.items[i];
        if (s->level > 3)
            continue;
        value *v = value_map();
        value_map_set_string(v, "label", s->label);
        value_map_set_string(v, "title", s->title);
        value_map_set_number(v, "level", s->level);
        char *base = xconcat3(href_base, "#", id_prefix);
        value_map_set(v, "href", value_string_take(xconcat3(base, s->id, "")));
        free(base);
        value_list_push(list, v);
    }
    return list;
}

/* A file of the edition to download (opts.downloads): { href (from the
 * edition's root), size ("245 KB"), pages }, or NULL when it was not written. */
static value *download_value(const page_writer *w, const char *path)
{
    const html_options *o = w->opts;
    for (size_t i = 0; o->downloads && i < o->n_downloads; i++) {
        const html_download *d = &o->downloads[i];
        if (strcmp(d->path, path) != 0)
            continue;
        value *v = value_map();
        value_map_set_string(v, "href", d->path);
        char size[32];
        if (d->bytes < 1024 * 1024)
            snprintf(size, sizeof size, "%ld KB", (d->bytes + 1023) / 1024);
        else
            snprintf(size, sizeof size, "%.1f MB", (double)d->bytes / (1024.0 * 1024.0));
        value_map_set_string(v, "size", size);
        value_map_set_number(v, "pages", d->pages);
        return v;
    }
    return NULL;
}

/* The plan's PDF: the one download in pdf/. */
static value *plan_download(const page_writer *w)
{
    const html_options *o = w->opts;
    for (size_t i = 0; o->downloads && i < o->n_downloads; i++)
        if (strncmp(o->downloads[i].path, "pdf/", 4) == 0)
            return download_value(w, o->downloads[i].path);
    return NULL;
}

static value *build_common(const page_writer *w)
{
    const site *s = w->site;
    const site_config *c = &s->config;
    value *v = value_map();
    revision_info rev;
    if (s->registers && registers_current_revision(s->registers, &rev)) {
        if (rev.version)
            value_map_set_string(v, "version", rev.version);
        if (rev.has_date) {
            char buf[64];
            date_format_long(rev.date, c->calendar == CALENDAR_ROC, buf, sizeof buf);
            value_map_set_string(v, "version_date", buf);
        }
        value_map_set_bool(v, "draft", !rev.approved);
    }
    value *signatures = value_list();
    for (size_t i = 0; i < c->signatures.len; i++)
        value_list_push(signatures, value_string(c->signatures.items[i]));
    value_map_set_bool(v, "has_signatures", c->signatures.len > 0);
    value_map_set(v, "signatures", signatures);
    value_map_set_string(v, "lang", "zh-Hant-TW");
    value_map_set_bool(v, "is_staff", w->audience >= AUDIENCE_STAFF);
    value_map_set_string(v, "edition", audience_name(w->audience));
    value_map_set_string(v, "edition_label", site_edition_label(s, w->audience));
    /* Staff and internal pages ask search engines to keep out. */
    value_map_set_bool(v, "public", w->audience == AUDIENCE_PUBLIC);
    value *plan_pdf = plan_download(w);
    if (plan_pdf)
        value_map_set(v, "plan_pdf", plan_pdf);
    value *org = value_map();
    value_map_set_string(org, "name", c->org_name);
    value_map_set_string(org, "short_name", c->org_short_name);
    value_map_set_string(org, "parent", c->org_parent);
    value_map_set_string(org, "level", c->org_level);
    value_map_set(v, "org", org);
    value_map_set_string(v, "title", c->doc_title);
    value_map_set_string(v, "document_id", c->doc_id);

    value *chapters = value_list();
    for (size_t i = 0; i < w->chapters.len; i++)
        value_list_push(chapters, doc_value(w, w->chapters.items[i], DOC_SUMMARY));
    value_map_set(v, "chapters", chapters);
    value *annexes = value_list();
    for (size_t i = 0; i < w->annexes.len; i++)
        value_list_push(annexes, doc_value(w, w->annexes.items[i], DOC_SUMMARY));
    value_map_set(v, "annexes", annexes);
    value_map_set_number(v, "annex_count", (double)w->annexes.len);
    value_map_set_bool(v, "has_annexes", w->annexes.len > 0);
    return v;
}

/* The template around a body adds about this much. */
#define PAGE_FRAME_BYTES 4096

/* The width of an A4 page's text in print, in em of the theme's print size
 * for tables (style.css @media print): a page whose table needs more (a form,
 * a register) prints landscape. */
#define PORTRAIT_EM 44.0

/* A document's body (the Markdown rendered: the bulk of the work), for a
 * page in a folder below the root; with widest_table, the width the widest
 * table needs. Sets the page's size hint and *same to the audiences whose
 * editions get the same bytes (every question it asked answered alike). */
static value *render_body(const page_writer *w, const document *d, page_job *job,
                          double *widest_table, audience_range *same)
{
    strbuf sb;
    sb_init(&sb);
    sb_grow(&sb, html_body_size(d));
    html_body_options opts = {
        .site = w->site, .audience = w->audience, .root = "../", .widest_table = widest_table};
    *same = (audience_range){AUDIENCE_PUBLIC, AUDIENCE_INTERNAL};
    audience_track(same);
    html_render_body(&sb, d, &opts);
    audience_track(NULL);
    job->size_hint = sb.len + PAGE_FRAME_BYTES;
    return value_string_take(sb_take(&sb));
}

static value *chapter_page(page_writer *w, page_job *job)
{
    size_t index = job->index;
    const document *d = w->chapters.items[index];
    /* The page's own copy of the site's summary, which it adds to. */
    const value *summaries = value_map_get(w->common, "chapters");
    value *page = value_map_copy(value_list_get(summaries, index));
    audience_range same;
    value *body = render_body(w, d, job, NULL, &same);
    char *href = chapter_href(d);
    const section *top = d->sections.items[0];
    vec_push(&job->search,
             search_part_of_html(w->opts->search_share, w->audience, same, d, href, "",
                                 top->label, d->title, body->as.string.data, body->as.string.len));
    free(href);
    value_map_set(page, "body", body);
    value *toc = doc_value(w, d, DOC_TOC);
    value_map_set_bool(page, "has_toc", value_list_len(toc) > 1);
    value_map_set(page, "toc", toc);
    /* The neighbours' summaries are site.chapters' own (never changed, so shared). */
    if (index > 0)
        value_map_set(page, "prev", value_ref(value_list_get(summaries, index - 1)));
    if (index + 1 < w->chapters.len)
        value_map_set(page, "next", value_ref(value_list_get(summaries, index + 1)));
    return page;
}

static value *toc_page(page_writer *w, page_job *job)
{
    (void)job;
    const site *s = w->site;
    value *toc = value_map();
    value *chapters = value_list();
    for (size_t i = 0; i < w->chapters.len; i++)
        value_list_push(chapters, doc_value(w, w->chapters.items[i], DOC_TOC_ENTRY));
    value_map_set(toc, "chapters", chapters);
    value_map_set_string(toc, "title", "目錄");
    const register_def *revisions = registers_get(s->registers, "revisions");
    if (register_visible(revisions, w->audience)) {
        strbuf sb;
        sb_init(&sb);
        register_view view;
        register_revisions_view(&view, revisions);
        register_table_html(&sb, s, revisions, &view, "../", w->audience);
        register_view_free(&view);
        value_map_set(toc, "revisions_html", value_string_take(sb_take(&sb)));
    }
    return toc;
}

/* The whole plan on one page: ids get the chapter's id as a prefix. The
 * template gets a marker for each chapter's body, and each body goes in
 * where its marker is as the page is written (write_parts), made then: the
 * page of a large plan is never whole in memory. */
static value *all_page(page_writer *w, page_job *job)
{
    value *all = value_map();
    value *parts = value_list();
    job->size_hint = PAGE_FRAME_BYTES;
    job->parts = true;
    const value *summaries = value_map_get(w->common, "chapters");
    for (size_t i = 0; i < w->chapters.len; i++) {
        const document *d = w->chapters.items[i];
        value *c = value_map_copy(value_list_get(summaries, i));
        value *sections = doc_value(w, d, DOC_ALL_SECTIONS);
        value_map_set_bool(c, "has_sections", value_list_len(sections) > 0);
        value_map_set(c, "sections", sections);
        value_map_set(c, "body", value_string_take(xasprintf("%s%zu\x01", w->part_marker, i)));
        job->size_hint += 512;
        value_list_push(parts, c);
    }
    value_map_set(all, "chapters", parts);
    value_map_set_string(all, "title", "全文");
    return all;
}

/* all.html, written out in pieces of about this much. */
#define PARTS_PIECE_BYTES ((size_t)1 << 20)

/* all.html: the template's page with each chapter's body in place of its
 * marker, written as it is made, on the writing thread. The observer does
 * not see it (the leak check reads it from the file). */
static void write_parts(page_writer *w, page_job *job)
{
    outdir_file *f = out_open(w, job->relpath);
    if (!f) {
        w->ok = false;
        return;
    }
    strbuf piece;
    sb_init(&piece);
    bool ok = true;
    size_t marker_len = strlen(w->part_marker);
    const char *at = job->html.data, *end = job->html.data + job->html.len;
    for (;;) {
        const char *m = memmem(at, (size_t)(end - at), w->part_marker, marker_len);
        char *after;
        unsigned long long i = m ? strtoull(m + marker_len, &after, 10) : 0;
        if (!m || i >= w->chapters.len || *after != '\x01') {
            sb_appendn(&piece, at, (size_t)((m ? m + 1 : end) - at));
            if (!m)
                break;
            at = m + 1;
            continue;
        }
        sb_appendn(&piece, at, (size_t)(m - at));
        const document *d = w->chapters.items[i];
        char *prefix = xasprintf("%s--", d->id);
        html_body_options opts = {
            .site = w->site, .audience = w->audience, .root = "../", .id_prefix = prefix};
        html_render_body(&piece, d, &opts);
        free(prefix);
        at = after + 1;
        if (piece.len >= PARTS_PIECE_BYTES) {
            ok = outdir_file_write(f, piece.data, piece.len) && ok;
            sb_clear(&piece);
        }
    }
    ok = outdir_file_write(f, piece.data, piece.len) && ok;
    sb_free(&piece);
    if (!outdir_file_close(f) || !ok)
        w->ok = false;
}

static void write_plan(page_writer *w)
{
    /* all.html first: the writing thread fills in its chapters' bodies
     * while the others render the chapters' pages, not at the end, when
     * they would have nothing left to do. */
    write_page_later(w, "plan/all.html", "all", all_page, 0);
    write_page_later(w, "plan/index.html", "toc", toc_page, 0);
    for (size_t i = 0; i < w->chapters.len; i++) {
        char *rel = chapter_href(w->chapters.items[i]);
        write_page_later(w, rel, "chapter", chapter_page, i);
        free(rel);
    }
}

/* The places in the plan that refer to an annex, each once per section. */
static value *annex_backlinks(const page_writer *w, const document *annex)
{
    value *list = value_list();
    const vec *links = w->xref ? xref_backlinks(w->xref, annex) : NULL;
    const section *last = NULL;
    for (size_t i = 0; links && i < links->len; i++) {
        const xref_backlink *b = links->items[i];
        /* A chapter this edition hides must not show through its back-links. */
        if (!b->section || b->section == last || b->from->kind == DOCUMENT_DIGEST ||
            b->from->audience > w->audience)
            continue;
        last = b->section;
        value *v = value_map();
        char *text = xref_section_text(b->section);
        value_map_set(v, "text", value_string_take(text));
        const char *dir = b->from->kind == DOCUMENT_CHAPTER ? "plan" : "annexes";
        value_map_set(v, "href",
                      value_string_take(b->section->level == 1
                                            ? xasprintf("../%s/%s.html", dir, b->from->id)
                                            : xasprintf("../%s/%s.html#%s", dir, b->from->id,
                                                        b->section->id)));
        value_list_push(list, v);
    }
    return list;
}

static value *annex_page(page_writer *w, page_job *job)
{
    const site *s = w->site;
    const document *d = w->annexes.items[job->index];
    value *page = value_map_copy(value_list_get(value_map_get(w->common, "annexes"), job->index));
    double widest = 0;
    audience_range same;
    value *body = render_body(w, d, job, &widest, &same);
    char *href = annex_href(d);
    char *number = xasprintf("附件 %d", d->number);
    char *prefix = xasprintf("附件 %d ", d->number);
    vec_push(&job->search,
             search_part_of_html(w->opts->search_share, w->audience, same, d, href, prefix,
                                 number, d->title, body->as.string.data, body->as.string.len));
    free(prefix);
    free(number);
    free(href);
    value_map_set(page, "body", body);
    value *backlinks = annex_backlinks(w, d);
    value_map_set_bool(page, "has_backlinks", value_list_len(backlinks) > 0);
    value_map_set(page, "backlinks", backlinks);
    const register_def *reg = registers_get(s->registers, d->register_name);
    if (register_visible(reg, w->audience)) {
        strbuf sb;
        sb_init(&sb);
        register_view view;
        register_view_init(&view);
        register_table_html(&sb, s, reg, &view, "../", w->audience);
        register_view_free(&view);
        value_map_set_string(page, "register", reg->name);
        value_map_set_string(page, "register_title", reg->title);
        value_map_set(page, "rows_html", value_string_take(sb_take(&sb)));
        char *printout = xasprintf("registers/%s.pdf", reg->name);
        value *pv = download_value(w, printout);
        if (pv)
            value_map_set(page, "printout", pv);
        free(printout);
    }
    char *form = xasprintf("annexes/%s.pdf", d->id);
    value *fv = download_value(w, form);
    if (fv)
        value_map_set(page, "pdf", fv);
    free(form);
    /* A form wider than a portrait page prints across the paper. */
    value_map_set_bool(page, "wide", widest > PORTRAIT_EM);
    return page;
}

static void write_annexes(page_writer *w)
{
    value *index = value_map();
    value_map_set_string(index, "title", "附件表單");
    write_page(w, "annexes/index.html", "annexes", index);
    for (size_t i = 0; i < w->annexes.len; i++) {
        char *rel = annex_href(w->annexes.items[i]);
        write_page_later(w, rel, "annex", annex_page, i);
        free(rel);
    }
}

/* A register's page. In the internal edition of a build that ran the
 * rules, made once they are done: its rows carry their flags. */
static value *register_page(page_writer *w, page_job *job)
{
    const register_def *reg = w->site->registers->registers.items[job->index];
    map marks;
    map_init(&marks, register_row_mark_free);
    if (w->shows_status)
        status_row_marks(w->site, checks_of(w), reg, "../", &marks);
    /* The 檢核 column only where a row needs it. */
    value *page = register_page_value(w->site, reg, w->audience, marks.len ? &marks : NULL);
    map_free(&marks);
    value_map_set_bool(page, "wide", value_map_get(page, "width_em")->as.number > PORTRAIT_EM);
    char *rel = xasprintf("registers/%s.pdf", reg->name);
    value *pdf = download_value(w, rel);
    if (pdf)
        value_map_set(page, "pdf", pdf);
    free(rel);
    return page;
}

/* evidence/<path>.html: a Markdown evidence file as a page, its first
 * heading its title. */
static value *evidence_page(page_writer *w, page_job *job)
{
    const site *s = w->site;
    const char *name = w->evidence.items[job->index];
    char *path = xasprintf("%s/evidence/%s", s->dir, name);
    size_t len = 0;
    char *text = fs_read_file(path, (size_t)8 << 20, &len);
    if (!text) /* it was there when the registers were loaded; the build fails */
        diag_error(&job->diags, srcpos_file(path), "evidence", "cannot read: %s", strerror(errno));
    document d = {.kind = DOCUMENT_DIGEST, .path = path};
    cmark_node *tree = md_parse(text ? text : "", text ? len : 0);
    /* The title is the page's heading; the first # heading is not repeated. */
    const char *title = site_evidence_title(s, name);
    cmark_node *first = cmark_node_first_child(tree);
    if (title && first && cmark_node_get_type(first) == CMARK_NODE_HEADING) {
        cmark_node_unlink(first);
        cmark_node_free(first);
    }
    char *root = root_prefix(job->relpath);
    strbuf sb;
    sb_init(&sb);
    html_body_options opts = {.site = s, .audience = w->audience, .root = root};
    html_render_tree(&sb, &d, tree, &opts);
    cmark_node_free(tree);
    free(text);
    free(path);
    free(root);
    value *page = value_map();
    value_map_set_string(page, "title", title ? title : name);
    value_map_set_string(page, "file", name);
    value_map_set(page, "body", value_string_take(sb_take(&sb)));
    job->size_hint = PAGE_FRAME_BYTES + len * 2;
    return page;
}

/* registers/index.html, registers/NAME.html and NAME.csv for every register
 * the edition may see, and the evidence its visible rows name: Markdown as
 * pages, other files as they are. */
static void write_registers(page_writer *w)
{
    const site *s = w->site;
    if (!s->registers)
        return;
    write_page(w, "registers/index.html", "registers", register_index_value(s, w->audience));
    bool roc = s->config.calendar == CALENDAR_ROC;
    for (size_t i = 0; i < s->registers->registers.len; i++) {
        const register_def *reg = s->registers->registers.items[i];
        if (!register_visible(reg, w->audience))
            continue;
        char *rel = xasprintf("registers/%s.html", reg->name);
        write_page_later(w, rel, "register", register_page, i);
        free(rel);
        char *csv = register_csv(reg, w->audience, roc);
        rel = xasprintf("registers/%s.csv", reg->name);
        if (!out_write(w, rel, csv, strlen(csv)))
            w->ok = false;
        free(rel);
        free(csv);
    }
    registers_evidence_files(s->registers, w->audience, &w->evidence);
    char *evidence = fs_join(s->dir, "evidence");
    for (size_t i = 0; i < w->evidence.len; i++) {
        const char *name = w->evidence.items[i];
        char *page = register_evidence_href(name);
        if (page) {
            char *rel = xasprintf("evidence/%s", page);
            write_page_later(w, rel, "evidence", evidence_page, i);
            free(rel);
            free(page);
            continue;
        }
        char *from = fs_join(evidence, name);
        char *to = xasprintf("evidence/%s", name);
        if (!out_copy(w, to, from))
            w->ok = false;
        free(to);
        free(from);
    }
    free(evidence);
}

/* ---- search ---- */

#define SEARCH_FILE "search/index.js"
#define SEARCH_COPY_BYTES ((size_t)1 << 20)

/* search/index.js: every chapter's and annex's sections as the pages show
 * them (their parts joined the index as they were written, before this
 * job's), then each register's rows, whose parts this job makes. */
static void search_register_parts(page_writer *w, page_job *job)
{
    const register_set *set = w->site->registers;
    for (size_t i = 0; set && i < set->registers.len; i++) {
        const register_def *reg = set->registers.items[i];
        if (!register_visible(reg, w->audience))
            continue;
        /* The register's rows as its page shows them (without the rules' marks). */
        strbuf sb;
        sb_init(&sb);
        register_view view;
        register_view_init(&view);
        view.anchors = true;
        audience_range same = {AUDIENCE_PUBLIC, AUDIENCE_INTERNAL};
        audience_track(&same);
        register_table_html(&sb, w->site, reg, &view, "", w->audience);
        audience_track(NULL);
        register_view_free(&view);
        char *href = xasprintf("registers/%s.html", reg->name);
        vec_push(&job->search, search_part_of_html(w->opts->search_share, w->audience, same, NULL,
                                                   href, "", "紀錄及清冊", reg->title, sb.data,
                                                   sb.len));
        free(href);
        sb_free(&sb);
    }
}

/* The index as it is made, on the writing thread. */
static void search_write(void *ctx, const char *data, size_t len)
{
    page_writer *w = ctx;
    if (!w->search_opened) {
        w->search_opened = true;
        w->search_out = out_open(w, SEARCH_FILE);
    }
    if (!w->search_out || !outdir_file_write(w->search_out, data, len))
        w->ok = false;
}

/* search/index.js the same as an earlier edition's (from, in the output):
 * copied, not made again; in pieces, as it was written. */
static void copy_search_file(page_writer *w, const char *from)
{
    char *path = outdir_path(w->od, from);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        diag_error(w->diags, srcpos_file(path), "write", "cannot read: %s", strerror(errno));
        w->ok = false;
        free(path);
        return;
    }
    char *chunk = xmalloc(SEARCH_COPY_BYTES);
    ssize_t n;
    while ((n = read(fd, chunk, SEARCH_COPY_BYTES)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            diag_error(w->diags, srcpos_file(path), "write", "cannot read: %s", strerror(errno));
            w->ok = false;
            break;
        }
        search_write(w, chunk, (size_t)n);
    }
    if (!w->search_opened) /* an empty file */
        search_write(w, chunk, 0);
    free(chunk);
    close(fd);
    free(path);
}

static void write_search(page_writer *w)
{
    value *page = value_map();
    value_map_set_string(page, "title", "搜尋");
    write_page(w, "search.html", "search", page);
    add_job(w, SEARCH_FILE, NULL)->search_file = true;
}

/* ---- the staff digest ---- */


/* The plan's own section for a duty: the first heading of the template's
 * chapter key whose title holds the words (the school's policy and goals). */
static value *digest_section(const page_writer *w, const coverage *plan, const char *key,
                             const char *words, const char *root)
{
    const section *sec = coverage_heading(plan, key, words);
    if (!sec || sec->doc->audience > w->audience)
        return NULL;
    const document *d = sec->doc;
    value *v = value_map();
    char *title = xref_section_text(sec);
    value_map_set(v, "title", value_string_take(title));
    value_map_set(v, "href",
                  value_string_take(xasprintf("%splan/%s.html#%s", root, d->id, sec->id)));
    strbuf sb;
    sb_init(&sb);
    html_body_options opts = {.site = w->site, .audience = w->audience, .root = root};
    html_render_section(&sb, d, sec, &opts);
    value_map_set(v, "html", value_string_take(sb_take(&sb)));
    return v;
}

/* The training still owed this year, from the training-hours rule's flags
 * (the rule is the one place that knows who needs how many hours): in the
 * internal edition each person with the rule's message; in the staff
 * edition only how many, since a colleague's shortfall is not for all staff
 * to read. Sets page.training; absent when the rules did not run or the
 * rule is not among them. */
static void digest_training(page_writer *w, value *page, const char *root)
{
    const rules_result *r = w->opts->checks ? w->opts->checks(w->opts->checks_ctx) : NULL;
    if (!r)
        return;
    const rule_info *rule = NULL;
    for (size_t i = 0; i < r->rules.len && !rule; i++) {
        const rule_info *ri = r->rules.items[i];
        if (ri->id && strcmp(ri->id, "training-hours") == 0 && ri->outcome != RULE_SKIPPED)
            rule = ri;
    }
    if (!rule)
        return; /* turned off, or a school's own set of rules without it */
    value *t = value_map();
    char year[16];
    snprintf(year, sizeof year, "%04d", w->opts->today.year);
    value_map_set_number(t, "year", w->opts->today.year);
    if (rule->outcome != RULE_RAN) {
        value_map_set_bool(t, "unchecked", true);
        value_map_set(page, "training", t);
        return;
    }
    value *owed = value_list();
    for (size_t i = 0; i < r->flags.len; i++) {
        const rule_flag *f = r->flags.items[i];
        /* this year's shortfalls (last year's are the status page's) */
        if (strcmp(f->rule_id, "training-hours") != 0 || f->status == FLAG_OK || !f->due ||
            strncmp(f->due, year, 4) != 0)
            continue;
        value *v = value_map();
        value_map_set_string(v, "message", f->message);
        char *href = status_flag_href(w->site, f);
        if (href) {
            /* flag_href is relative to status/; this page's root differs */
            value_map_set(v, "href", value_string_take(xasprintf("%s%s", root, href + 3)));
            free(href);
        }
        value_list_push(owed, v);
    }
    value_map_set_number(t, "count", (double)value_list_len(owed));
    value_map_set_bool(t, "none", value_list_len(owed) == 0);
    if (w->audience >= AUDIENCE_INTERNAL)
        value_map_set(t, "owed", owed);
    else
        value_unref(owed);
    value_map_set(page, "training", t);
}

/* The digest; job->index: 1 for staff/index.html, 0 for the staff
 * edition's home. Made last: it waits for the rules. */
static value *digest_page(page_writer *w, page_job *job)
{
    const char *root = job->index ? "../" : "";
    const site *s = w->site;
    value *page = value_map();
    value_map_set_string(page, "title", s->digest ? s->digest->title : "同仁須知");
    coverage plan; /* made once for both sections: mapping the plan is not cheap */
    coverage_map(s, &plan);
    value *policy = digest_section(w, &plan, COVERAGE_POLICY_KEY, COVERAGE_POLICY_WORDS, root);
    if (policy)
        value_map_set(page, "policy", policy);
    value *goals = digest_section(w, &plan, COVERAGE_POLICY_KEY, COVERAGE_GOALS_WORDS, root);
    if (goals)
        value_map_set(page, "goals", goals);
    coverage_free(&plan);
    if (s->digest) {
        strbuf sb;
        sb_init(&sb);
        html_body_options opts = {.site = s, .audience = w->audience, .root = root};
        html_render_body(&sb, s->digest, &opts);
        value_map_set(page, "duties", value_string_take(sb_take(&sb)));
    }
    revision_info rev;
    if (s->registers && registers_current_revision(s->registers, &rev)) {
        value *c = value_map();
        if (rev.version)
            value_map_set_string(c, "version", rev.version);
        if (rev.has_date) {
            char buf[64];
            date_format_long(rev.date, s->config.calendar == CALENDAR_ROC, buf, sizeof buf);
            value_map_set_string(c, "date", buf);
        }
        const char *changes = register_cell_text(register_row_cell(rev.row, "changes"));
        if (changes)
            value_map_set_string(c, "text", changes);
        value_map_set(page, "latest", c);
    }
    digest_training(w, page, root);
    return page;
}

/* ---- status: the rules' flags ---- */

static value *status_page(page_writer *w, page_job *job)
{
    (void)job;
    return status_page_value(w->site, checks_of(w), w->opts->today);
}

/* status/flags.json and status/calendar.ics, once the rules are done. */
static void write_status_files(page_writer *w)
{
    const rules_result *r = checks_of(w);
    value *json = check_flags_value(w->site, r, w->opts->today);
    strbuf sb;
    sb_init(&sb);
    value_append_json(&sb, json, true);
    sb_appendc(&sb, '\n');
    if (!out_write(w, "status/flags.json", sb.data, sb.len))
        w->ok = false;
    sb_free(&sb);
    value_unref(json);
    char *ics = check_calendar_ics(w->site, r);
    if (!out_write(w, "status/calendar.ics", ics, strlen(ics)))
        w->ok = false;
    free(ics);
}

static value *home_page(page_writer *w, page_job *job)
{
    (void)job;
    value *page = value_map();
    if (w->shows_status)
        value_map_set(page, "status", status_counts_value(w->site, checks_of(w)));
    return page;
}

/* ---- versions: the revision history and what changed ---- */

/* A release's plan PDF in its frozen copy (versions/<version>/pdf/), relative
 * to versions/, or NULL. */
static char *frozen_pdf(const page_writer *w, const char *version)
{
    char *rel = xasprintf("%s/versions/%s/pdf", w->subdir ? w->subdir : ".", version);
    char *dir = outdir_path(w->od, rel);
    vec names;
    vec_init(&names, free);
    char *href = NULL;
    if (fs_is_dir(dir) && fs_list_dir(dir, &names))
        for (size_t i = 0; !href && i < names.len; i++) {
            const char *n = names.items[i];
            size_t len = strlen(n);
            if (len > 4 && strcmp(n + len - 4, ".pdf") == 0) {
                char *seg = version_href_segment(version);
                href = xasprintf("%s/pdf/%s", seg, n);
                free(seg);
            }
        }
    vec_free(&names);
    free(dir);
    free(rel);
    return href;
}

/* versions/index.html, versions/<version>-changes.html for each release
 * against the one before, and versions/changes-<last>-<current>.html for the
 * working version against the last release (when it is not that release).
 * Diffs are computed for this edition's audience. */
static void write_versions(page_writer *w, const html_options *opts)
{
    const site *s = w->site;
    size_t n = opts->releases ? opts->n_releases : 0;
    const char *current = s->registers ? registers_current_version(s->registers) : NULL;
    site_diff **diffs = xcalloc(n + 2, sizeof *diffs);
    char **hrefs = xcalloc(n + 2, sizeof *hrefs);
    version_info *infos = xcalloc(n + 2, sizeof *infos);
    size_t ninfos = 0;
    for (size_t i = 0; i < n; i++) {
        const html_release *r = &opts->releases[i];
        version_info *info = &infos[ninfos++];
        info->version = r->version;
        info->frozen = r->frozen;
        const html_release *prev = i ? &opts->releases[i - 1] : NULL;
        if (!prev || !prev->site || !r->site)
            continue;
        diffs[i] = site_diff_compute(prev->site, r->site, w->audience);
        char *seg = version_href_segment(r->version), *pseg = version_href_segment(prev->version);
        hrefs[i] = xasprintf("%s-changes.html", seg);
        info->diff = diffs[i];
        info->changes_href = hrefs[i];
        char *rel = xasprintf("versions/%s-changes.html", r->version);
        char *old_root = prev->frozen ? xasprintf("%s/", pseg) : NULL;
        char *new_root = r->frozen ? xasprintf("%s/", seg) : NULL;
        write_page(w, rel, "changes",
                   site_diff_page_value(diffs[i], prev->version, r->version, old_root, new_root));
        free(rel);
        free(old_root);
        free(new_root);
        free(seg);
        free(pseg);
    }
    const html_release *last = n ? &opts->releases[n - 1] : NULL;
    if (last && last->site && current && strcmp(current, last->version) != 0) {
        diffs[n] = site_diff_compute(last->site, s, w->audience);
        char *seg = version_href_segment(current), *lseg = version_href_segment(last->version);
        hrefs[n] = xasprintf("changes-%s-%s.html", lseg, seg);
        infos[ninfos++] = (version_info){.version = current, .diff = diffs[n],
                                         .changes_href = hrefs[n]};
        char *rel = xasprintf("versions/changes-%s-%s.html", last->version, current);
        char *old_root = last->frozen ? xasprintf("%s/", lseg) : NULL;
        write_page(w, rel, "changes",
                   site_diff_page_value(diffs[n], last->version, current, old_root, "../"));
        free(rel);
        free(old_root);
        free(seg);
        free(lseg);
    }
    /* Each version's plan PDF: a release's from its frozen copy, the
     * current one's from this build. */
    char **pdfs = xcalloc(ninfos + 2, sizeof *pdfs);
    for (size_t i = 0; i < ninfos; i++)
        if (infos[i].frozen)
            infos[i].pdf_href = pdfs[i] = frozen_pdf(w, infos[i].version);
    value *plan = plan_download(w);
    if (plan && current) {
        size_t k = 0;
        while (k < ninfos && strcmp(infos[k].version, current) != 0)
            k++;
        if (k == ninfos)
            infos[ninfos++] = (version_info){.version = current};
        free(pdfs[k]);
        pdfs[k] = xasprintf("../%s", value_map_get(plan, "href")->as.string.data);
        infos[k].pdf_href = pdfs[k];
    }
    value_unref(plan);
    value *page = site_versions_page_value(s, w->audience, infos, ninfos, NULL, 0);
    for (size_t i = 0; i < ninfos + 1; i++)
        free(pdfs[i]);
    free(pdfs);
    if (page) {
        char *feed = feed_atom(s, w->audience, page);
        if (feed && !out_write(w, FEED_FILE, feed, strlen(feed)))
            w->ok = false;
        /* Every page's head points feed readers at it: the pages render
         * after all are queued, so they all see this. */
        if (feed)
            value_map_set_string(w->common, "feed", FEED_FILE);
        free(feed);
        write_page(w, "versions/index.html", "versions", page);
    }
    for (size_t i = 0; i <= n; i++) {
        site_diff_free(diffs[i]);
        free(hrefs[i]);
    }
    free(diffs);
    free(hrefs);
    free(infos);
}

static void copy_assets(page_writer *w)
{
    char *dir = fs_join(w->theme.dir, "assets");
    vec names;
    vec_init(&names, free);
    if (!srcfile_confined(dir, w->theme.dir, srcpos_file(dir), w->diags)) {
        w->ok = false;
    } else if (!fs_list_dir(dir, &names)) {
        diag_error(w->diags, srcpos_file(dir), "theme", "cannot read the theme's assets: %s",
                   strerror(errno));
        w->ok = false;
    }
    for (size_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        if (name[0] == '.')
            continue;
        char *from = fs_join(dir, name);
        char *to = xasprintf("assets/%s", name);
        if (!srcfile_confined(from, w->theme.dir, srcpos_file(from), w->diags) ||
            !out_copy(w, to, from))
            w->ok = false;
        free(to);
        free(from);
    }
    vec_free(&names);
    free(dir);
}

bool html_render_site(const site *s, outdir *od, const html_options *opts)
{
    page_writer w = {.site = s,
                     .od = od,
                     .xref = opts->xref,
                     .audience = opts->audience,
                     .subdir = opts->subdir,
                     .pages = opts->pages,
                     .opts = opts,
                     .diags = opts->diags,
                     .ok = true};
    if (!theme_load(&w.theme, opts->theme_dir, w.diags)) {
        map_free(&w.theme.sources);
        return false;
    }
    w.threads = opts->threads > 0 ? opts->threads : parallel_cpu_count();
    w.templates = xcalloc((size_t)w.threads, sizeof *w.templates);
    for (int t = 0; t < w.threads; t++)
        w.templates[t] = tpl_set_new(theme_resolve, &w.theme);
    w.keep = opts->search_share && search_share_more(opts->search_share);
    vec_init(&w.jobs, page_job_free);
    vec_init(&w.chapters, NULL);
    vec_init(&w.annexes, NULL);
    vec_init(&w.evidence, NULL);
    for (size_t i = 0; i < s->chapters.len; i++)
        if (((const document *)s->chapters.items[i])->audience <= w.audience)
            vec_push(&w.chapters, s->chapters.items[i]);
    for (size_t i = 0; i < s->annexes.len; i++)
        if (((const document *)s->annexes.items[i])->audience <= w.audience)
            vec_push(&w.annexes, s->annexes.items[i]);
    w.common = build_common(&w);
    /* The rules read internal evidence: their results stay in the internal
     * edition. Every page links to them; only the home and status pages,
     * made last, show them, so the rules may still be running meanwhile. */
    w.shows_status = opts->checks && w.audience == AUDIENCE_INTERNAL;
    if (w.shows_status)
        value_map_set_bool(w.common, "status", true);

    /* Marks a place for a chapter's body in all.html: not text a page has. */
    snprintf(w.part_marker, sizeof w.part_marker, "\x01policygen-part-%p-", (void *)&w);
    char *search_file = edition_path(&w, SEARCH_FILE);
    w.search = search_index_new(opts->search_share, search_file, search_write, &w);
    free(search_file);

    write_plan(&w);
    write_annexes(&w);
    write_registers(&w);
    write_search(&w);
    write_versions(&w, opts);
    /* Made last, like the status pages: the digest waits for the rules. */
    if (w.audience == AUDIENCE_STAFF)
        write_page_later(&w, "index.html", "digest", digest_page, 0);
    if (w.audience >= AUDIENCE_STAFF)
        write_page_later(&w, "staff/index.html", "digest", digest_page, 1);
    if (w.audience != AUDIENCE_STAFF)
        write_page_later(&w, "index.html", "home", home_page, 0);
    if (w.shows_status)
        write_page_later(&w, "status/index.html", "status", status_page, 0);
    parallel_for_ordered(w.jobs.len, w.threads, render_job, write_job, &w);
    if (w.shows_status)
        write_status_files(&w);
    copy_assets(&w);

    vec_free(&w.jobs);
    value_unref(w.common);
    for (int t = 0; t < w.threads; t++)
        tpl_set_free(w.templates[t]);
    free(w.templates);
    vec_free(&w.chapters);
    vec_free(&w.annexes);
    vec_free(&w.evidence);
    map_free(&w.theme.sources);
    return w.ok;
}

static const char *const EDITION_NOTES[] = {
    "對外公開：不含人員名冊、佐證紀錄與內部資訊（如 IP 位址）。",
    "供本校同仁閱讀：含人員名冊、教育訓練與各項紀錄，不含個人聯絡資料及內部資訊。",
    "資通安全推動小組內部使用：完整內容、佐證紀錄與檢核結果。",
};

bool html_render_editions_index(const site *s, outdir *od, const char *theme_dir, const char *only,
                                diag_sink *diags)
{
    theme th;
    if (!theme_load(&th, theme_dir, diags)) {
        map_free(&th.sources);
        return false;
    }
    tpl_set *set = tpl_set_new(theme_resolve, &th);
    value *data = value_map();
    value_map_set_string(data, "org", s->config.org_name);
    value_map_set_string(data, "title", s->config.doc_title);
    const char *version = s->registers ? registers_current_version(s->registers) : NULL;
    if (version)
        value_map_set_string(data, "version", version);
    value *eds = value_list();
    const char *first = NULL;
    for (size_t i = 0; i < s->config.editions.len; i++) {
        const char *name = s->config.editions.items[i];
        audience a;
        if (!audience_parse(name, &a) || (only && strcmp(only, name) != 0))
            continue;
        if (!first)
            first = name;
        value *e = value_map();
        value_map_set_string(e, "name", name);
        value_map_set_string(e, "title", site_edition_label(s, a));
        value_map_set_string(e, "note", EDITION_NOTES[a]);
        value_list_push(eds, e);
    }
    value_map_set(data, "editions", eds);
    value_map_set_string(data, "first", first ? first : "internal");
    strbuf out;
    sb_init(&out);
    tpl_error err = {0};
    bool ok = tpl_render_named(set, "editions", data, &out, &err);
    if (!ok) {
        char *path = xasprintf("%s/templates/editions.mustache", theme_dir);
        diag_error(diags, (srcpos){path, err.line, err.col}, "template", "%s", err.message);
        free(path);
    } else {
        ok = outdir_write(od, "index.html", out.data, out.len);
    }
    sb_free(&out);
    value_unref(data);
    tpl_set_free(set);
    map_free(&th.sources);
    return ok;
}
