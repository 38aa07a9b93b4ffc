#include "xref/xref.h"

#include <stdlib.h>
#include <string.h>

#include "core/parallel.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "registers/registers.h"

struct xref_table {
    map sections;   /* "DOC/ID" -> section* (borrowed) */
    map unique_ids; /* "ID" -> section*, or NULL when two documents define it */
    map annexes;    /* annex id -> document* */
    map backlinks;  /* annex id -> vec* of xref_backlink* */
    vec links;      /* xref_link*, owned: cmark user data points here */
};

static void free_link(void *p)
{
    xref_link *l = p;
    free(l->href);
    free(l);
}

static void free_backlink_vec(void *p)
{
    vec *v = p;
    vec_free(v);
    free(v);
}

char *xref_section_text(const section *s)
{
    const char *label = s->full_label ? s->full_label : "";
    size_t n = strlen(label);
    /* 「壹、依據」 but 「(一) 網路安全控管」 and 「1. 目的」: a space after a closing mark. */
    bool glue = n == 0 || (n >= 3 && strcmp(label + n - 3, "、") == 0);
    return xasprintf("%s%s%s", label, glue ? "" : " ", s->title);
}

char *xref_annex_text(const document *annex)
{
    return xasprintf("附件 %d「%s」", annex->number, annex->title);
}

static char *document_href(const document *d)
{
    if (d->kind == DOCUMENT_DIGEST)
        return xstrdup("staff/index.html");
    return xasprintf(d->kind == DOCUMENT_CHAPTER ? "plan/%s.html" : "annexes/%s.html", d->id);
}

static char *section_href(const section *s)
{
    char *doc = document_href(s->doc);
    char *href = s->level == 1 ? xstrdup(doc) : xconcat3(doc, "#", s->id);
    free(doc);
    return href;
}

static void index_document(xref_table *t, const document *d)
{
    for (size_t i = 0; i < d->sections.len; i++) {
        section *s = d->sections.items[i];
        /* The chapter itself is "DOC"; its headings are "DOC/ID". */
        char *key = s->level == 1 ? xstrdup(d->id) : xconcat3(d->id, "/", s->id);
        map_set(&t->sections, key, s);
        free(key);
        if (s->level == 1)
            continue;
        if (map_has(&t->unique_ids, s->id))
            map_set(&t->unique_ids, s->id, NULL);
        else
            map_set(&t->unique_ids, s->id, s);
    }
}

/* One document's resolution: its links as the load read them (each with
 * the section it is in), resolved against the table. */
typedef struct walk_state {
    const document *doc;
    vec links;     /* xref_link* this document resolved, moved to the table after */
    vec backlinks; /* xref_backlink* to annexes, added to the table after */
} walk_state;

static srcpos link_pos(const document *d, const doc_link *link)
{
    return (srcpos){d->path, link->line, link->col};
}

static void add_backlink(const document *annex, walk_state *w, const doc_link *link, srcpos pos)
{
    xref_backlink *b = xcalloc(1, sizeof *b);
    b->to = annex;
    b->from = w->doc;
    b->section = link->section;
    b->pos = pos;
    vec_push(&w->backlinks, b);
}

static void table_add_backlink(xref_table *t, xref_backlink *b)
{
    vec *list = map_get(&t->backlinks, b->to->id);
    if (!list) {
        list = xmalloc(sizeof *list);
        vec_init(list, free);
        map_set(&t->backlinks, b->to->id, list);
    }
    vec_push(list, b);
}

/* An empty link gets its target's text (fill, taken). */
static void fill_link(doc_link *link, char *fill)
{
    if (link->empty && !link->fill)
        link->fill = fill;
    else
        free(fill);
}

static xref_link *resolve_annex(const xref_table *t, const char *id, doc_link *link, walk_state *w,
                                srcpos pos, diag_sink *diags)
{
    const document *annex = map_get(&t->annexes, id);
    if (!annex) {
        diag_error(diags, pos, "xref", "link to unknown annex '%s'", id);
        return NULL;
    }
    fill_link(link, xref_annex_text(annex));
    if (w->doc != annex)
        add_backlink(annex, w, link, pos);
    xref_link *l = xcalloc(1, sizeof *l);
    l->kind = XREF_ANNEX;
    l->href = document_href(annex);
    l->target_doc = annex;
    return l;
}

static xref_link *resolve_section(const xref_table *t, const char *target, doc_link *link,
                                  srcpos pos, diag_sink *diags)
{
    const section *s = NULL;
    if (strchr(target, '/')) {
        s = map_get(&t->sections, target);
        if (!s) {
            diag_error(diags, pos, "xref", "link to unknown section '%s'", target);
            return NULL;
        }
    } else if ((s = map_get(&t->sections, target))) {
        /* sec:CHAPTER names a whole chapter. */
    } else if (map_has(&t->unique_ids, target)) {
        s = map_get(&t->unique_ids, target);
        if (!s) {
            diag_error(diags, pos, "xref",
                       "section id '%s' is defined in more than one chapter; write sec:CHAPTER/%s",
                       target, target);
            return NULL;
        }
    } else {
        diag_error(diags, pos, "xref", "link to unknown section '%s'", target);
        return NULL;
    }
    fill_link(link, xref_section_text(s));
    xref_link *l = xcalloc(1, sizeof *l);
    l->kind = XREF_SECTION;
    l->href = section_href(s);
    l->target_doc = s->doc;
    l->target_section = s;
    return l;
}

static xref_link *resolve_register(const site *s, const char *target, doc_link *link, srcpos pos,
                                   diag_sink *diags)
{
    const char *slash = strchr(target, '/');
    char *name = slash ? xstrndup(target, (size_t)(slash - target)) : xstrdup(target);
    const register_def *reg = s->registers ? registers_get(s->registers, name) : NULL;
    free(name);
    if (!reg) {
        diag_error(diags, pos, "xref", "link to unknown register '%s'", target);
        return NULL;
    }
    xref_link *l = xcalloc(1, sizeof *l);
    char *text;
    if (slash) {
        const register_row *row = register_row_get(reg, slash + 1);
        if (!row) {
            diag_error(diags, pos, "xref", "link to unknown row '%s' of register '%s'", slash + 1,
                       reg->name);
            free(l);
            return NULL;
        }
        /* Only what every edition may see goes into the link text. */
        const char *label = register_row_label(row, AUDIENCE_PUBLIC);
        text = strcmp(label, row->key) == 0 ? xstrdup(row->key)
                                             : xasprintf("%s %s", row->key, label);
        l->kind = XREF_ROW;
        l->href = xasprintf("registers/%s.html#%s", reg->name, row->key);
    } else {
        text = xstrdup(reg->title);
        l->kind = XREF_REGISTER;
        l->href = xasprintf("registers/%s.html", reg->name);
    }
    fill_link(link, text);
    return l;
}

/* Resolves one document's links, reading the table only: documents resolve
 * side by side, each into its own walk_state. */
static void resolve_document(const xref_table *t, const site *s, walk_state *w, diag_sink *diags)
{
    const document *d = w->doc;
    for (size_t i = 0; i < d->links.len; i++) {
        doc_link *link = d->links.items[i];
        const char *url = link->url;
        srcpos pos = link_pos(d, link);
        xref_link *l = NULL;
        if (strncmp(url, "annex:", 6) == 0)
            l = resolve_annex(t, url + 6, link, w, pos, diags);
        else if (strncmp(url, "sec:", 4) == 0)
            l = resolve_section(t, url + 4, link, pos, diags);
        else if (strncmp(url, "reg:", 4) == 0)
            l = resolve_register(s, url + 4, link, pos, diags);
        else
            continue;
        if (l)
            vec_push(&w->links, l);
        link->xref = l;
    }
}

typedef struct resolve_jobs {
    const xref_table *table;
    const site *site;
    walk_state *walks;
    diag_sink *diags; /* each document's, held to be told in document order */
} resolve_jobs;

static void resolve_job(void *ctx, int worker, size_t i)
{
    (void)worker;
    resolve_jobs *j = ctx;
    resolve_document(j->table, j->site, &j->walks[i], &j->diags[i]);
}

xref_table *xref_resolve_site(site *s, diag_sink *diags)
{
    return xref_resolve_site_jobs(s, 0, diags);
}

xref_table *xref_resolve_site_jobs(site *s, int threads, diag_sink *diags)
{
    xref_table *t = xcalloc(1, sizeof *t);
    map_init(&t->sections, NULL);
    map_init(&t->unique_ids, NULL);
    map_init(&t->annexes, NULL);
    map_init(&t->backlinks, free_backlink_vec);
    vec_init(&t->links, free_link);
    for (size_t i = 0; i < s->chapters.len; i++)
        index_document(t, s->chapters.items[i]);
    for (size_t i = 0; i < s->annexes.len; i++) {
        document *a = s->annexes.items[i];
        index_document(t, a);
        map_set(&t->annexes, a->id, a);
    }
    /* Chapters, annexes, then the digest: links, backlinks and diagnostics
     * come out in that order, whichever thread resolved them. */
    size_t count = s->chapters.len + s->annexes.len + (s->digest ? 1 : 0);
    resolve_jobs jobs = {t, s, xcalloc(count + 1, sizeof(walk_state)),
                         xcalloc(count + 1, sizeof(diag_sink))};
    for (size_t i = 0; i < count; i++) {
        walk_state *w = &jobs.walks[i];
        w->doc = i < s->chapters.len                     ? s->chapters.items[i]
                 : i < s->chapters.len + s->annexes.len ? s->annexes.items[i - s->chapters.len]
                                                         : s->digest;
        vec_init(&w->links, NULL);
        vec_init(&w->backlinks, NULL);
        jobs.diags[i] = diag_buffered(diags);
    }
    parallel_for(count, threads > 0 ? threads : parallel_cpu_count(), resolve_job, &jobs);
    for (size_t i = 0; i < count; i++) {
        walk_state *w = &jobs.walks[i];
        diag_replay(&jobs.diags[i]);
        for (size_t k = 0; k < w->links.len; k++)
            vec_push(&t->links, w->links.items[k]);
        for (size_t k = 0; k < w->backlinks.len; k++)
            table_add_backlink(t, w->backlinks.items[k]);
        vec_free(&w->links);
        vec_free(&w->backlinks);
    }
    free(jobs.walks);
    free(jobs.diags);
    /* Only the plan's own text counts: a form that points at another form
     * does not make the plan refer to it. */
    for (size_t i = 0; i < s->annexes.len; i++) {
        const document *a = s->annexes.items[i];
        const vec *links = xref_backlinks(t, a);
        bool from_plan = false;
        for (size_t k = 0; links && k < links->len; k++)
            if (((xref_backlink *)links->items[k])->from->kind == DOCUMENT_CHAPTER)
                from_plan = true;
        if (!from_plan)
            diag_warning(diags, (srcpos){a->path, 1, 1}, "annex-unreferenced",
                         "annex %d「%s」is not referred to anywhere in the plan", a->number,
                         a->title);
    }
    return t;
}

const vec *xref_backlinks(const xref_table *t, const document *annex)
{
    return map_get(&t->backlinks, annex->id);
}

void xref_table_free(xref_table *t)
{
    if (!t)
        return;
    map_free(&t->sections);
    map_free(&t->unique_ids);
    map_free(&t->annexes);
    map_free(&t->backlinks);
    vec_free(&t->links);
    free(t);
}
