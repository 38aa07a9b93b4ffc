/* memmem */
#define _GNU_SOURCE
#include "render/html/site_html.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "core/fs.h"
#include "core/parallel.h"
#include "core/value.h"
#include "core/xalloc.h"
#include "diff/sitediff.h"
#include "registers/registers.h"
#include "render/html/body.h"
#include "render/html/register_html.h"
#include "xref/xref.h"
#include "template/template.h"

/* The theme's templates, all read before rendering starts so that threads
 * only look them up. */
typedef struct theme {
    const char *dir;
    map sources; /* name -> char* (owned) */
} theme;

static bool theme_load(theme *t, const char *dir)
{
    t->dir = dir;
    map_init(&t->sources, free);
    char *templates = fs_join(dir, "templates");
    vec names;
    vec_init(&names, free);
    bool ok = fs_list_dir(templates, &names);
    if (!ok)
        diag_error(srcpos_file(templates), "theme", "cannot read the theme's templates: %s",
                   strerror(errno));
    for (size_t i = 0; ok && i < names.len; i++) {
        const char *name = names.items[i];
        size_t len = strlen(name);
        const char *ext = ".mustache";
        if (len <= strlen(ext) || strcmp(name + len - strlen(ext), ext) != 0)
            continue;
        char *path = fs_join(templates, name);
        char *src = fs_read_file(path, (size_t)4 << 20, NULL);
        if (!src) {
            diag_error(srcpos_file(path), "theme", "cannot read: %s", strerror(errno));
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
    size_t index;  /* which chapter or annex, for build */
    size_t size_hint; /* the page's size, about, when build knows it */
    bool parts;    /* all.html: the chapters' bodies go in after the template */
    strbuf html;   /* the rendered page, until it is written */
    void *note;    /* the observer's, from look to written */
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
    char part_marker[48]; /* all.html: where a chapter's body goes (see all_page) */
    html_page_observer pages;
    const html_options *opts;
    bool shows_status; /* the internal edition of a build that ran the rules */
    bool ok;
};

/* The rules' results; the first call may wait for the rules to finish. */
static const rules_result *checks_of(const page_writer *w)
{
    return w->shows_status ? w->opts->checks(w->opts->checks_ctx) : NULL;
}

static value *status_counts(const rules_result *r)
{
    check_counts c = check_count(r);
    value *st = check_counts_value(&c);
    value_map_set_bool(st, "all_clear", c.missing + c.overdue + c.due_soon == 0);
    return st;
}

/* Files of this edition: under its folder of the output. */
static bool out_write(page_writer *w, const char *relpath, const char *data, size_t len)
{
    if (!w->subdir)
        return outdir_write(w->od, relpath, data, len);
    char *path = fs_join(w->subdir, relpath);
    bool ok = outdir_write(w->od, path, data, len);
    free(path);
    return ok;
}

static bool out_copy(page_writer *w, const char *relpath, const char *from)
{
    if (!w->subdir)
        return outdir_copy(w->od, relpath, from);
    char *path = fs_join(w->subdir, relpath);
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

static page_job *add_job(page_writer *w, const char *relpath, const char *template_name)
{
    page_job *job = xcalloc(1, sizeof *job);
    job->relpath = xstrdup(relpath);
    job->template_name = template_name;
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

static void put_parts(page_writer *w, page_job *job);

/* Renders on any thread, data made and freed there too. */
static void render_job(void *ctx, int worker, size_t i)
{
    page_writer *w = ctx;
    page_job *job = w->jobs.items[i];
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
    if (job->rendered && job->parts)
        put_parts(w, job);
    if (job->rendered) {
        if (w->pages.look)
            job->note = w->pages.look(w->pages.ctx, job->html.data, job->html.len);
        return;
    }
    char *path = xasprintf("%s/templates/%s.mustache", w->theme.dir,
                           err.name[0] ? err.name : job->template_name);
    diag_error((srcpos){path, err.line, err.col}, "template", "%s", err.message);
    free(path);
}

/* Writes the pages from one thread, in order, as they are rendered:
 * creating files in parallel only makes the file system contend. */
static void write_job(void *ctx, size_t i)
{
    page_writer *w = ctx;
    page_job *job = w->jobs.items[i];
    if (!job->rendered || !out_write(w, job->relpath, job->html.data, job->html.len))
        w->ok = false;
    if (job->rendered && w->pages.written)
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

static value *document_summary(const document *d, bool annex)
{
    value *v = value_map();
    const section *top = d->sections.items[0];
    value_map_set_string(v, "id", d->id);
    value_map_set_string(v, "label", top->label);
    value_map_set_string(v, "title", d->title);
    value_map_set_number(v, "number", d->number);
    value_map_set(v, "href", value_string_take(annex ? annex_href(d) : chapter_href(d)));
    return v;
}

/* The sections of a chapter for a table of contents: levels 2 and 3. */
static value *toc_sections(const document *d, const char *href_base)
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
        value_map_set(v, "href", value_string_take(xconcat3(href_base, "#", s->id)));
        value_list_push(list, v);
    }
    return list;
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
        value_list_push(chapters, document_summary(w->chapters.items[i], false));
    value_map_set(v, "chapters", chapters);
    value *annexes = value_list();
    for (size_t i = 0; i < w->annexes.len; i++)
        value_list_push(annexes, document_summary(w->annexes.items[i], true));
    value_map_set(v, "annexes", annexes);
    value_map_set_number(v, "annex_count", (double)w->annexes.len);
    value_map_set_bool(v, "has_annexes", w->annexes.len > 0);
    return v;
}

/* The template around a body adds about this much. */
#define PAGE_FRAME_BYTES 4096

/* A document's body (the Markdown rendered: the bulk of the work), for a
 * page in a folder below the root. Sets the page's size hint. */
static value *render_body(const page_writer *w, const document *d, page_job *job)
{
    strbuf sb;
    sb_init(&sb);
    sb_grow(&sb, html_body_size(d));
    html_body_options opts = {.site = w->site, .audience = w->audience, .root = "../"};
    html_render_body(&sb, d, &opts);
    job->size_hint = sb.len + PAGE_FRAME_BYTES;
    return value_string_take(sb_take(&sb));
}

static value *chapter_page(page_writer *w, page_job *job)
{
    size_t index = job->index;
    const document *d = w->chapters.items[index];
    value *page = document_summary(d, false);
    value_map_set(page, "body", render_body(w, d, job));
    value_map_set(page, "toc", toc_sections(d, ""));
    /* The neighbours' summaries are site.chapters' own (never changed, so shared). */
    const value *summaries = value_map_get(w->common, "chapters");
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
    for (size_t i = 0; i < w->chapters.len; i++) {
        const document *d = w->chapters.items[i];
        value *c = document_summary(d, false);
        char *base = xasprintf("%s.html", d->id);
        value *sections = toc_sections(d, base);
        value_map_set_bool(c, "has_sections", value_list_len(sections) > 0);
        value_map_set(c, "sections", sections);
        free(base);
        value_list_push(chapters, c);
    }
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
 * where its marker is once the template is done (put_parts), made then: the
 * bodies of a large plan are never all in memory besides the page. */
static value *all_page(page_writer *w, page_job *job)
{
    value *all = value_map();
    value *parts = value_list();
    job->size_hint = PAGE_FRAME_BYTES;
    job->parts = true;
    for (size_t i = 0; i < w->chapters.len; i++) {
        const document *d = w->chapters.items[i];
        value *c = document_summary(d, false);
        value_map_set(c, "body", value_string_take(xasprintf("%s%zu\x01", w->part_marker, i)));
        job->size_hint += 512;
        value_list_push(parts, c);
    }
    value_map_set(all, "chapters", parts);
    value_map_set_string(all, "title", "全文");
    return all;
}

/* all.html's chapter bodies in place of their markers. */
static void put_parts(page_writer *w, page_job *job)
{
    strbuf page;
    sb_init(&page);
    size_t size = job->html.len;
    for (size_t i = 0; i < w->chapters.len; i++)
        size += html_body_size(w->chapters.items[i]);
    sb_grow(&page, size);
    size_t marker_len = strlen(w->part_marker);
    const char *at = job->html.data, *end = job->html.data + job->html.len;
    for (;;) {
        const char *m = memmem(at, (size_t)(end - at), w->part_marker, marker_len);
        char *after;
        unsigned long long i = m ? strtoull(m + marker_len, &after, 10) : 0;
        if (!m || i >= w->chapters.len || *after != '\x01') {
            sb_appendn(&page, at, (size_t)((m ? m + 1 : end) - at));
            if (!m)
                break;
            at = m + 1;
            continue;
        }
        sb_appendn(&page, at, (size_t)(m - at));
        const document *d = w->chapters.items[i];
        char *prefix = xasprintf("%s--", d->id);
        html_body_options opts = {
            .site = w->site, .audience = w->audience, .root = "../", .id_prefix = prefix};
        html_render_body(&page, d, &opts);
        free(prefix);
        at = after + 1;
    }
    sb_free(&job->html);
    job->html = page;
}

static void write_plan(page_writer *w)
{
    write_page_later(w, "plan/index.html", "toc", toc_page, 0);
    for (size_t i = 0; i < w->chapters.len; i++) {
        char *rel = chapter_href(w->chapters.items[i]);
        write_page_later(w, rel, "chapter", chapter_page, i);
        free(rel);
    }
    write_page_later(w, "plan/all.html", "all", all_page, 0);
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
    value *page = document_summary(d, true);
    value_map_set(page, "body", render_body(w, d, job));
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
    }
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

/* registers/index.html, registers/NAME.html and NAME.csv for every register
 * the edition may see, and the evidence files their visible rows name. */
static void write_registers(page_writer *w)
{
    const site *s = w->site;
    if (!s->registers)
        return;
    write_page(w, "registers/index.html", "registers", register_index_value(s, w->audience));
    bool roc = s->config.calendar == CALENDAR_ROC;
    for (size_t i = 0; i < s->registers->registers.len; i++) {
        const register_def *reg = s->registers->registers.items[i];
        value *page = register_page_value(s, reg, w->audience);
        if (!page)
            continue;
        char *rel = xasprintf("registers/%s.html", reg->name);
        write_page(w, rel, "register", page);
        free(rel);
        char *csv = register_csv(reg, w->audience, roc);
        rel = xasprintf("registers/%s.csv", reg->name);
        if (!out_write(w, rel, csv, strlen(csv)))
            w->ok = false;
        free(rel);
        free(csv);
    }
    vec files;
    vec_init(&files, NULL);
    registers_evidence_files(s->registers, w->audience, &files);
    char *evidence = fs_join(s->dir, "evidence");
    for (size_t i = 0; i < files.len; i++) {
        char *from = fs_join(evidence, files.items[i]);
        char *to = xasprintf("evidence/%s", (const char *)files.items[i]);
        if (!out_copy(w, to, from))
            w->ok = false;
        free(to);
        free(from);
    }
    free(evidence);
    vec_free(&files);
}

/* ---- the staff digest ---- */

/* A section of the plan by id, anywhere in the chapters this edition shows. */
static const section *find_section(const page_writer *w, const char *id, const document **doc)
{
    for (size_t i = 0; i < w->chapters.len; i++) {
        const document *d = w->chapters.items[i];
        for (size_t k = 1; k < d->sections.len; k++) {
            const section *sec = d->sections.items[k];
            if (strcmp(sec->id, id) == 0) {
                *doc = d;
                return sec;
            }
        }
    }
    return NULL;
}

static value *digest_section(const page_writer *w, const char *id, const char *root)
{
    const document *d = NULL;
    const section *sec = find_section(w, id, &d);
    if (!sec)
        return NULL;
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

/* Required yearly hours of a person: the largest of their categories'
 * (site.yaml rules: training-hours: required: {category: hours}). */
static double required_hours(const site *s, const register_cell *categories)
{
    const ynode *req = ynode_get(ynode_get(s->config.rules, "training-hours"), "required");
    const vec *items = register_cell_items(categories);
    double best = 0;
    for (size_t i = 0; items && i < items->len; i++) {
        double h;
        if (ynode_as_double(ynode_get(req, items->items[i]), &h) && h > best)
            best = h;
    }
    return best;
}

/* Who still owes training hours this year, from the staff and training
 * registers; people who left before the year began are not listed. */
static value *training_owed(const page_writer *w, date today, const char *root)
{
    const site *s = w->site;
    value *list = value_list();
    const register_def *staff = registers_get(s->registers, "staff");
    const register_def *training = registers_get(s->registers, "training");
    if (!register_visible(staff, w->audience) || !register_visible(training, w->audience))
        return list;
    for (size_t i = 0; i < staff->rows.len; i++) {
        const register_row *person = staff->rows.items[i];
        date left;
        if (register_cell_date(register_row_cell(person, "left"), &left) && left.year < today.year)
            continue;
        double required = required_hours(s, register_row_cell(person, "categories"));
        double done = 0;
        for (size_t k = 0; k < training->rows.len; k++) {
            const register_row *t = training->rows.items[k];
            const register_row *who = register_cell_ref(register_row_cell(t, "person"));
            date when;
            double hours;
            if (who == person && register_cell_date(register_row_cell(t, "date"), &when) &&
                when.year == today.year && register_cell_number(register_row_cell(t, "hours"), &hours))
                done += hours;
        }
        if (done >= required)
            continue;
        value *v = value_map();
        value_map_set_string(v, "name", register_row_label(person, w->audience));
        const char *unit = register_cell_text(register_row_cell(person, "unit"));
        value_map_set_string(v, "unit", unit ? unit : "");
        value_map_set_number(v, "required", required);
        value_map_set_number(v, "done", done);
        value_map_set_number(v, "owed", required - done);
        value_map_set(v, "href", value_string_take(xasprintf("%sregisters/staff.html#%s", root,
                                                             person->key)));
        value_list_push(list, v);
    }
    return list;
}

/* root: from the page to the edition's root ("" for index.html, "../" for
 * staff/index.html). */
static value *digest_page(const page_writer *w, date today, const char *root)
{
    const site *s = w->site;
    value *page = value_map();
    value_map_set_string(page, "title", s->digest ? s->digest->title : "同仁須知");
    value *policy = digest_section(w, "policy", root);
    if (policy)
        value_map_set(page, "policy", policy);
    value *goals = digest_section(w, "goals", root);
    if (goals)
        value_map_set(page, "goals", goals);
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
    value *owed = training_owed(w, today, root);
    value_map_set_bool(page, "has_owed", value_list_len(owed) > 0);
    value_map_set(page, "owed", owed);
    value_map_set_number(page, "year", today.year);
    value_map_set_number(page, "roc_year", today.year - 1911);
    return page;
}

/* ---- status: the rules' flags ---- */

static const char *const STATUS_ORDER[] = {"overdue", "missing", "due-soon", "ok"};
static const char *const STATUS_TITLE[] = {"逾期", "缺漏", "即將到期", "符合"};

/* The page a flag points to: its register row, or its section. */
static char *flag_href(const site *s, const rule_flag *f)
{
    if (f->file && s->registers) {
        for (size_t i = 0; i < s->registers->registers.len; i++) {
            const register_def *reg = s->registers->registers.items[i];
            if (strcmp(reg->path, f->file) != 0)
                continue;
            for (size_t k = 0; k < reg->rows.len; k++) {
                const register_row *row = reg->rows.items[k];
                if (row->node && row->node->line == f->line && row->key)
                    return xasprintf("../registers/%s.html#%s", reg->name, row->key);
            }
            return xasprintf("../registers/%s.html", reg->name);
        }
    }
    const section *sec = f->section ? site_find_section(s, f->section) : NULL;
    if (sec)
        return sec->level == 1 ? xasprintf("../plan/%s.html", sec->doc->id)
                               : xasprintf("../plan/%s.html#%s", sec->doc->id, sec->id);
    return NULL;
}

static const rule_info *rule_of(const rules_result *r, const char *id)
{
    for (size_t i = 0; i < r->rules.len; i++) {
        const rule_info *ri = r->rules.items[i];
        if (ri->id && strcmp(ri->id, id) == 0)
            return ri;
    }
    return NULL;
}

static value *flag_value(const page_writer *w, const rules_result *r, const rule_flag *f)
{
    const rule_info *ri = rule_of(r, f->rule_id);
    value *v = value_map();
    value_map_set_string(v, "message", f->message);
    value_map_set_string(v, "rule", f->rule_id);
    value_map_set_string(v, "rule_title", ri && ri->title ? ri->title : f->rule_id);
    if (ri && ri->source)
        value_map_set_string(v, "source", ri->source);
    value_map_set_string(v, "status", flag_status_name(f->status));
    value_map_set_string(v, "severity", f->severity == DIAG_ERROR     ? "error"
                                        : f->severity == DIAG_WARNING ? "warning"
                                                                      : "info");
    date due;
    if (f->due && date_parse(f->due, &due)) {
        char buf[64];
        date_format_long(due, w->site->config.calendar == CALENDAR_ROC, buf, sizeof buf);
        value_map_set_string(v, "due", buf);
        value_map_set_string(v, "due_iso", f->due);
    }
    char *href = flag_href(w->site, f);
    if (href)
        value_map_set(v, "href", value_string_take(href));
    return v;
}

static int day_of_year(date d)
{
    static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
    return before[d.month - 1] + d.day + (leap && d.month > 2);
}

/* The year's deadlines on one line: a marker per dated flag, coloured by
 * status, and today. Plain SVG, drawn here. */
static char *timeline_svg(const rules_result *r, date today)
{
    const int width = 720, left = 30, right = 690, axis = 70;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb,
              "<svg class=\"timeline\" viewBox=\"0 0 %d 110\" role=\"img\" "
              "aria-label=\"%d 年各項期限\" xmlns=\"http://www.w3.org/2000/svg\">\n",
              width, today.year);
    sb_printf(&sb, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n", left,
              axis, right, axis);
    for (int m = 1; m <= 12; m++) {
        int x = left + (right - left) * day_of_year((date){today.year, m, 1}) / 366;
        sb_printf(&sb,
                  "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"tick\"/>"
                  "<text x=\"%d\" y=\"%d\" class=\"month\">%d 月</text>\n",
                  x, axis - 4, x, axis + 4, x + 2, axis + 20, m);
    }
    int stack[367] = {0};
    for (size_t i = 0; i < r->flags.len; i++) {
        const rule_flag *f = r->flags.items[i];
        date due;
        if (!f->due || !date_parse(f->due, &due) || due.year != today.year)
            continue;
        int doy = day_of_year(due);
        int x = left + (right - left) * doy / 366;
        int y = axis - 10 - 9 * (stack[doy]++ % 6);
        sb_printf(&sb, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" class=\"%s\"><title>", x, y,
                  flag_status_name(f->status));
        sb_append_html(&sb, f->due, strlen(f->due));
        sb_append(&sb, " ");
        sb_append_html(&sb, f->message, strlen(f->message));
        sb_append(&sb, "</title></circle>\n");
    }
    int tx = left + (right - left) * day_of_year(today) / 366;
    sb_printf(&sb,
              "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" class=\"today\"/>"
              "<text x=\"%d\" y=\"104\" class=\"today-label\">今日</text>\n",
              tx, tx, axis + 6, tx - 12);
    sb_append(&sb, "</svg>\n");
    return sb_take(&sb);
}

static value *status_page(page_writer *w, page_job *job)
{
    (void)job;
    const rules_result *r = checks_of(w);
    const html_options *opts = w->opts;
    value *page = value_map();
    value_map_set_string(page, "title", "檢核結果");
    value_map_set(page, "status", status_counts(r));
    char today[64];
    date_format_long(opts->today, w->site->config.calendar == CALENDAR_ROC, today, sizeof today);
    value_map_set_string(page, "today", today);
    value *groups = value_list();
    for (int g = 0; g < 4; g++) {
        value *group = value_map();
        value_map_set_string(group, "status", STATUS_ORDER[g]);
        value_map_set_string(group, "title", STATUS_TITLE[g]);
        value *flags = value_list();
        for (size_t i = 0; i < r->flags.len; i++) {
            const rule_flag *f = r->flags.items[i];
            if (strcmp(flag_status_name(f->status), STATUS_ORDER[g]) == 0)
                value_list_push(flags, flag_value(w, r, f));
        }
        value_map_set_number(group, "count", (double)value_list_len(flags));
        value_map_set_bool(group, "has_flags", value_list_len(flags) > 0);
        value_map_set(group, "flags", flags);
        value_list_push(groups, group);
    }
    value_map_set(page, "groups", groups);
    value *rules = value_list();
    for (size_t i = 0; i < r->rules.len; i++) {
        const rule_info *ri = r->rules.items[i];
        value *rv = value_map();
        value_map_set_string(rv, "id", ri->id);
        value_map_set_string(rv, "title", ri->title ? ri->title : ri->id);
        if (ri->source)
            value_map_set_string(rv, "source", ri->source);
        value_map_set_bool(rv, "failed", ri->outcome == RULE_FAILED);
        int open = 0;
        for (size_t k = 0; k < r->flags.len; k++) {
            const rule_flag *f = r->flags.items[k];
            if (strcmp(f->rule_id, ri->id) == 0 && f->status != FLAG_OK)
                open++;
        }
        value_map_set_number(rv, "open", open);
        value_map_set_bool(rv, "clear", open == 0 && ri->outcome == RULE_RAN);
        value_list_push(rules, rv);
    }
    value_map_set(page, "rules", rules);
    value_map_set(page, "timeline", value_string_take(timeline_svg(r, opts->today)));
    value_map_set_number(page, "year", opts->today.year);
    return page;
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
        value_map_set(page, "status", status_counts(checks_of(w)));
    return page;
}

/* ---- versions: the revision history and what changed ---- */

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
    value *page = site_versions_page_value(s, w->audience, infos, ninfos, NULL, 0);
    if (page)
        write_page(w, "versions/index.html", "versions", page);
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
    if (!fs_list_dir(dir, &names)) {
        diag_error(srcpos_file(dir), "theme", "cannot read the theme's assets: %s",
                   strerror(errno));
        w->ok = false;
    }
    for (size_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        if (name[0] == '.')
            continue;
        char *from = fs_join(dir, name);
        char *to = xasprintf("assets/%s", name);
        if (!out_copy(w, to, from))
            w->ok = false;
        free(to);
        free(from);
    }
    vec_free(&names);
    free(dir);
}

bool html_render_site(const site *s, outdir *od, const html_options *opts)
{
    page_writer w = {
        .site = s,
        .od = od,
        .xref = opts->xref,
        .audience = opts->audience,
        .subdir = opts->subdir,
        .pages = opts->pages,
        .opts = opts,
        .ok = true};
    if (!theme_load(&w.theme, opts->theme_dir)) {
        map_free(&w.theme.sources);
        return false;
    }
    w.threads = opts->threads > 0 ? opts->threads : parallel_cpu_count();
    w.templates = xcalloc((size_t)w.threads, sizeof *w.templates);
    for (int t = 0; t < w.threads; t++)
        w.templates[t] = tpl_set_new(theme_resolve, &w.theme);
    vec_init(&w.jobs, page_job_free);
    vec_init(&w.chapters, NULL);
    vec_init(&w.annexes, NULL);
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

    if (w.audience == AUDIENCE_STAFF)
        write_page(&w, "index.html", "digest", digest_page(&w, opts->today, ""));
    write_plan(&w);
    write_annexes(&w);
    write_registers(&w);
    write_versions(&w, opts);
    if (w.audience >= AUDIENCE_STAFF)
        write_page(&w, "staff/index.html", "digest", digest_page(&w, opts->today, "../"));
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
    map_free(&w.theme.sources);
    return w.ok;
}

static const char *const EDITION_TITLES[] = {"公開版", "同仁版", "內部版"};
static const char *const EDITION_NOTES[] = {
    "對外公開：不含人員名冊、佐證紀錄與內部資訊（如 IP 位址）。",
    "供本校同仁閱讀：含人員名冊、教育訓練與各項紀錄，不含個人聯絡資料及內部資訊。",
    "資通安全推動小組內部使用：完整內容、佐證紀錄與檢核結果。",
};

bool html_render_editions_index(const site *s, outdir *od, const char *theme_dir,
                                const char *only)
{
    theme th;
    if (!theme_load(&th, theme_dir)) {
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
        value_map_set_string(e, "title", EDITION_TITLES[a]);
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
        diag_error((srcpos){path, err.line, err.col}, "template", "%s", err.message);
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
