#include "content/docstore.h"

#include <cmark-gfm.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "markdown/directive.h"
#include "markdown/scan.h"

/* ---- bytes ---- */

void docstore_put_u32(strbuf *out, uint32_t v)
{
    char b[4] = {(char)(v & 0xff), (char)((v >> 8) & 0xff), (char)((v >> 16) & 0xff),
                 (char)(v >> 24)};
    sb_appendn(out, b, 4);
}

void docstore_put_u64(strbuf *out, uint64_t v)
{
    docstore_put_u32(out, (uint32_t)(v & 0xffffffffu));
    docstore_put_u32(out, (uint32_t)(v >> 32));
}

void docstore_put_bytes(strbuf *out, const void *data, size_t len)
{
    docstore_put_u32(out, (uint32_t)len);
    sb_appendn(out, data, len);
}

/* A text as a byte string; NULL as a length no text has. */
static void put_str(strbuf *out, const char *s)
{
    if (s)
        docstore_put_bytes(out, s, strlen(s));
    else
        docstore_put_u32(out, UINT32_MAX);
}

uint32_t docstore_get_u32(docstore_in *in)
{
    if (in->bad || in->end - in->p < 4) {
        in->bad = true;
        return 0;
    }
    const unsigned char *b = (const unsigned char *)in->p;
    in->p += 4;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

uint64_t docstore_get_u64(docstore_in *in)
{
    uint64_t lo = docstore_get_u32(in);
    return lo | (uint64_t)docstore_get_u32(in) << 32;
}

const char *docstore_get_view(docstore_in *in, size_t *len)
{
    uint32_t n = docstore_get_u32(in);
    if (in->bad || (size_t)(in->end - in->p) < n) {
        in->bad = true;
        *len = 0;
        return NULL;
    }
    const char *s = in->p;
    in->p += n;
    *len = n;
    return s;
}

char *docstore_get_str(docstore_in *in, size_t *len)
{
    size_t n;
    const char *s = docstore_get_view(in, &n);
    if (len)
        *len = n;
    return s ? xstrndup(s, n) : NULL;
}

/* put_str's: NULL for its NULL; a text with a NUL inside is bad (no text
 * the load reads has one). */
static char *get_str(docstore_in *in)
{
    if (in->bad)
        return NULL;
    if (in->end - in->p >= 4 && memcmp(in->p, "\xff\xff\xff\xff", 4) == 0) {
        in->p += 4;
        return NULL;
    }
    size_t n;
    const char *s = docstore_get_view(in, &n);
    if (s && memchr(s, '\0', n))
        in->bad = true;
    return s && !in->bad ? xstrndup(s, n) : NULL;
}

/* A text that must be there. */
static char *get_text(docstore_in *in)
{
    char *s = get_str(in);
    if (!s)
        in->bad = true;
    return s;
}

/* A number below limit (a count, an index, an enum), else bad. */
static uint32_t get_below(docstore_in *in, uint64_t limit)
{
    uint32_t v = docstore_get_u32(in);
    if (v >= limit)
        in->bad = true;
    return in->bad ? 0 : v;
}

/* An index into n things, stored plus one: 0 is none (-1). */
static long get_index(docstore_in *in, size_t n)
{
    return (long)get_below(in, (uint64_t)n + 1) - 1;
}

/* ---- what an entry is made from ---- */

void docstore_what(const document *d, int position, numbering scheme, const site_visitor *visitor,
                   strbuf *what)
{
    put_str(what, DOCSTORE_LAYOUT);
    docstore_put_u32(what, (uint32_t)d->kind);
    docstore_put_u32(what, (uint32_t)position);
    put_str(what, d->path);
    docstore_put_u32(what, (uint32_t)scheme);
    put_str(what, visitor ? visitor->name : NULL);
    docstore_put_bytes(what, d->source, (size_t)(d->source_body - d->source) + d->body_len);
}

/* ---- saving ---- */

static void put_pos(strbuf *out, srcpos pos)
{
    docstore_put_u32(out, (uint32_t)pos.line);
    docstore_put_u32(out, (uint32_t)pos.col);
}

static void save_sections(const document *d, strbuf *out)
{
    docstore_put_u32(out, (uint32_t)d->sections.len);
    for (size_t i = 0; i < d->sections.len; i++) {
        const section *s = d->sections.items[i];
        docstore_put_u32(out, (uint32_t)s->level);
        put_str(out, s->id);
        put_str(out, s->label);
        put_str(out, s->full_label);
        put_str(out, s->title);
        put_pos(out, s->pos);
    }
}

/* The directives, each with its block's text, which the tree has (the
 * blocks that carry a directive, in order: md_find_directives). */
static void save_directives(const document *d, cmark_node *root, strbuf *out)
{
    docstore_put_u32(out, (uint32_t)d->directives.len);
    size_t k = 0;
    for (cmark_node *n = cmark_node_first_child(root); n && k < d->directives.len;
         n = cmark_node_next(n)) {
        if (cmark_node_get_type(n) != CMARK_NODE_CODE_BLOCK || !cmark_node_get_user_data(n))
            continue;
        const directive *dir = d->directives.items[k++];
        const char *body = cmark_node_get_literal(n);
        docstore_put_u32(out, (uint32_t)dir->kind);
        put_str(out, dir->arg);
        put_pos(out, dir->pos);
        put_str(out, body ? body : "");
    }
}

static void save_links(const document *d, strbuf *out)
{
    docstore_put_u32(out, (uint32_t)d->links.len);
    for (size_t i = 0; i < d->links.len; i++) {
        const doc_link *l = d->links.items[i];
        put_str(out, l->url);
        put_str(out, l->title);
        docstore_put_u32(out, (uint32_t)l->line);
        docstore_put_u32(out, (uint32_t)l->col);
        docstore_put_u32(out, l->empty);
        docstore_put_u32(out, l->section ? (uint32_t)l->section->index + 1 : 0);
        docstore_put_bytes(out, l->text, l->text_len);
    }
}

/* The index of a directive of d plus one, 0 for none. */
static uint32_t directive_index(const document *d, const directive *dir)
{
    for (size_t i = 0; dir && i < d->directives.len; i++)
        if (d->directives.items[i] == dir)
            return (uint32_t)i + 1;
    return 0;
}

static void save_text(const document *d, strbuf *out)
{
    const struct md_text *t = d->text;
    docstore_put_u32(out, (uint32_t)t->nblocks);
    for (size_t i = 0; i < t->nblocks; i++) {
        const md_block *b = &t->blocks[i];
        docstore_put_u32(out, (uint32_t)b->kind);
        docstore_put_u32(out, (uint32_t)b->next);
        docstore_put_u32(out, b->has_children);
        docstore_put_u32(out, (uint32_t)b->line);
        docstore_put_u32(out, b->section ? (uint32_t)b->section->index + 1 : 0);
        docstore_put_u32(out, directive_index(d, b->directive));
        docstore_put_u32(out, b->text);
        docstore_put_u32(out, b->len);
    }
    docstore_put_u32(out, (uint32_t)t->nfills);
    for (size_t i = 0; i < t->nfills; i++) {
        docstore_put_u32(out, t->fills[i].block);
        docstore_put_u32(out, t->fills[i].at);
        docstore_put_u32(out, t->fills[i].link);
    }
    docstore_put_bytes(out, t->chars, t->nchars);
}

void docstore_save(const document *d, cmark_node *root, const site_visitor *visitor, strbuf *out)
{
    put_str(out, DOCSTORE_LAYOUT);
    docstore_put_u32(out, (uint32_t)d->footnote_count);
    save_sections(d, out);
    save_directives(d, root, out);
    save_links(d, out);
    save_text(d, out);
    bool made = visitor && d->made;
    docstore_put_u32(out, made);
    if (made)
        visitor->save(visitor->ctx, d, out);
}

/* ---- loading ---- */

static srcpos get_pos(docstore_in *in, const document *d)
{
    srcpos pos = {d->path, 0, 0};
    pos.line = (int)get_below(in, INT_MAX);
    pos.col = (int)get_below(in, INT_MAX);
    return pos;
}

static void load_sections(document *d, docstore_in *in)
{
    size_t n = get_below(in, (uint64_t)(in->end - in->p) + 1);
    for (size_t i = 0; i < n && !in->bad; i++) {
        section *s = xcalloc(1, sizeof *s);
        s->doc = d;
        s->index = (int)i;
        vec_push(&d->sections, s);
        s->level = (int)get_below(in, 7);
        s->id = get_text(in);
        s->label = get_text(in);
        s->full_label = get_text(in);
        s->title = get_text(in);
        s->pos = get_pos(in, d);
        if (s->level < 1 || (i == 0) != (s->level == 1))
            in->bad = true; /* the chapter's own section first, and only there */
    }
}

static void load_directives(document *d, docstore_in *in)
{
    size_t n = get_below(in, (uint64_t)(in->end - in->p) + 1);
    for (size_t i = 0; i < n && !in->bad; i++) {
        directive_kind kind = (directive_kind)get_below(in, DIRECTIVE_KINDS);
        char *arg = get_str(in);
        srcpos pos = get_pos(in, d);
        size_t len;
        const char *body = docstore_get_view(in, &len);
        if (in->bad) {
            free(arg);
            break;
        }
        /* A stored document told no diagnostic when it was parsed: the same
         * block tells none now. */
        diag_sink quiet = diag_to_stream(NULL);
        char *text = xstrndup(body, len);
        vec_push(&d->directives, directive_make(d, kind, arg, pos, text, len, &quiet));
        free(text);
        diag_sink_free(&quiet);
    }
}

static void load_links(document *d, docstore_in *in)
{
    size_t n = get_below(in, (uint64_t)(in->end - in->p) + 1);
    for (size_t i = 0; i < n && !in->bad; i++) {
        doc_link *l = xcalloc(1, sizeof *l);
        vec_push(&d->links, l);
        l->url = get_text(in);
        l->title = get_text(in);
        l->line = (int)get_below(in, INT_MAX);
        l->col = (int)get_below(in, INT_MAX);
        l->empty = get_below(in, 2);
        long s = get_index(in, d->sections.len);
        l->section = s >= 0 ? d->sections.items[s] : NULL;
        l->text = docstore_get_str(in, &l->text_len);
        if (!l->text)
            in->bad = true;
    }
}

static void load_text(document *d, docstore_in *in)
{
    struct md_text *t = xcalloc(1, sizeof *t);
    d->text = t;
    size_t room = (size_t)(in->end - in->p);
    t->nblocks = get_below(in, room / 32 + 1); /* each block is 32 bytes */
    if (t->nblocks)
        t->blocks = xcalloc(t->nblocks, sizeof *t->blocks);
    for (size_t i = 0; i < t->nblocks && !in->bad; i++) {
        md_block *b = &t->blocks[i];
        b->kind = (md_kind)get_below(in, MD_NONE + 1);
        b->next = (md_kind)get_below(in, MD_NONE + 1);
        b->has_children = get_below(in, 2);
        b->line = (int)get_below(in, INT_MAX);
        long s = get_index(in, d->sections.len);
        b->section = s >= 0 ? d->sections.items[s] : NULL;
        long k = get_index(in, d->directives.len);
        b->directive = k >= 0 ? d->directives.items[k] : NULL;
        b->text = docstore_get_u32(in);
        b->len = docstore_get_u32(in);
    }
    room = (size_t)(in->end - in->p);
    t->nfills = get_below(in, room / 12 + 1);
    if (t->nfills)
        t->fills = xcalloc(t->nfills, sizeof *t->fills);
    for (size_t i = 0; i < t->nfills && !in->bad; i++) {
        md_fill *f = &t->fills[i];
        f->block = get_below(in, t->nblocks);
        f->at = docstore_get_u32(in);
        f->link = get_below(in, d->links.len);
        if (!in->bad && f->at > t->blocks[f->block].len)
            in->bad = true;
    }
    t->chars = docstore_get_str(in, &t->nchars);
    if (!t->chars)
        in->bad = true;
    for (size_t i = 0; i < t->nblocks && !in->bad; i++)
        if ((uint64_t)t->blocks[i].text + t->blocks[i].len > t->nchars)
            in->bad = true;
}

void docstore_clear(document *d)
{
    vec_clear(&d->sections);
    vec_clear(&d->directives);
    vec_clear(&d->links);
    md_text_free(d->text);
    d->text = NULL;
    d->footnote_count = 0;
    if (d->made_free)
        d->made_free(d->made);
    d->made = NULL;
    d->made_free = NULL;
}

bool docstore_load(document *d, const site_visitor *visitor, const char *data, size_t len)
{
    docstore_in in = {data, data + len, false};
    size_t n;
    const char *layout = docstore_get_view(&in, &n);
    if (!layout || n != strlen(DOCSTORE_LAYOUT) || memcmp(layout, DOCSTORE_LAYOUT, n) != 0)
        return false;
    d->footnote_count = (int)get_below(&in, INT_MAX);
    load_sections(d, &in);
    load_directives(d, &in);
    load_links(d, &in);
    if (!in.bad)
        load_text(d, &in);
    bool made = get_below(&in, 2);
    if (!in.bad && made && !(visitor && visitor->load && visitor->load(visitor->ctx, d, &in)))
        in.bad = true;
    if (in.bad || in.p != in.end || !d->sections.len) {
        docstore_clear(d); /* what a failed load put into d goes */
        return false;
    }
    return true;
}
