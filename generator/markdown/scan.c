#include "markdown/scan.h"

#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "markdown/directive.h"
#include "markdown/markdown.h"

void doc_link_free(void *p)
{
    doc_link *l = p;
    if (!l)
        return;
    free(l->url);
    free(l->title);
    free(l->text);
    free(l->fill);
    free(l);
}

void md_text_free(struct md_text *t)
{
    if (!t)
        return;
    free(t->blocks);
    free(t->fills);
    free(t->chars);
    free(t);
}

static md_kind block_kind(cmark_node *n)
{
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_PARAGRAPH: return MD_PARAGRAPH;
    case CMARK_NODE_LIST: return MD_LIST;
    case CMARK_NODE_HEADING: return MD_HEADING;
    case CMARK_NODE_CODE_BLOCK: return cmark_node_get_user_data(n) ? MD_DIRECTIVE : MD_CODE;
    case CMARK_NODE_BLOCK_QUOTE: return MD_QUOTE;
    default: return strcmp(cmark_node_get_type_string(n), "table") == 0 ? MD_TABLE : MD_OTHER;
    }
}

static bool has_child_list(cmark_node *item)
{
    for (cmark_node *c = cmark_node_first_child(item); c; c = cmark_node_next(c))
        if (cmark_node_get_type(c) == CMARK_NODE_LIST)
            return true;
    return false;
}

typedef struct scan {
    document *d;
    struct md_text *t;
    size_t block_cap, fill_cap;
    strbuf chars;
} scan;

static md_block *new_block(scan *sc)
{
    struct md_text *t = sc->t;
    if (t->nblocks == sc->block_cap) {
        sc->block_cap = sc->block_cap ? sc->block_cap * 2 : 16;
        t->blocks = xrealloc(t->blocks, sc->block_cap * sizeof *t->blocks);
    }
    md_block *b = &t->blocks[t->nblocks++];
    memset(b, 0, sizeof *b);
    return b;
}

static void add_fill(scan *sc, uint32_t at, uint32_t link)
{
    struct md_text *t = sc->t;
    if (t->nfills == sc->fill_cap) {
        sc->fill_cap = sc->fill_cap ? sc->fill_cap * 2 : 8;
        t->fills = xrealloc(t->fills, sc->fill_cap * sizeof *t->fills);
    }
    t->fills[t->nfills++] = (md_fill){(uint32_t)t->nblocks - 1, at, link};
}

/* md_plain_text into sc->chars, counting the links on the way (the first is
 * document link number *link) and noting where an empty one's text goes. */
static void plain_text(scan *sc, cmark_node *node, size_t start, uint32_t *link)
{
    for (cmark_node *c = cmark_node_first_child(node); c; c = cmark_node_next(c)) {
        switch (cmark_node_get_type(c)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            sb_append(&sc->chars, cmark_node_get_literal(c));
            break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            sb_appendc(&sc->chars, ' ');
            break;
        case CMARK_NODE_FOOTNOTE_REFERENCE:
            break;
        case CMARK_NODE_LINK:
            if (!cmark_node_first_child(c))
                add_fill(sc, (uint32_t)(sc->chars.len - start), *link);
            ++*link;
            plain_text(sc, c, start, link);
            break;
        default:
            plain_text(sc, c, start, link);
        }
    }
}

static void block_text(scan *sc, md_block *b, cmark_node *n)
{
    size_t start = sc->chars.len;
    uint32_t link = (uint32_t)sc->d->links.len; /* the iteration meets n's links after n */
    plain_text(sc, n, start, &link);
    b->text = (uint32_t)start;
    b->len = (uint32_t)(sc->chars.len - start);
}

static void add_link(scan *sc, cmark_node *n, const section *where)
{
    const document *d = sc->d;
    doc_link *l = xcalloc(1, sizeof *l);
    l->url = xstrdup(cmark_node_get_url(n));
    const char *title = cmark_node_get_title(n);
    l->title = xstrdup(title ? title : "");
    l->line = cmark_node_get_start_line(n) + d->body_line - 1;
    l->col = cmark_node_get_start_column(n);
    l->empty = cmark_node_first_child(n) == NULL;
    l->section = where;
    l->text = md_plain_text(n);
    l->text_len = strlen(l->text);
    vec_push(&sc->d->links, l);
}

/* One walk: the links, each with the section it is in (a footnote's is the
 * section of its first reference: cmark-gfm moves the definitions to the
 * end, after every reference), and the blocks, each with what follows it
 * (enough for text checks such as a placeholder left empty). */
void md_scan_document(document *d, cmark_node *root)
{
    scan sc = {.d = d, .t = xcalloc(1, sizeof *sc.t)};
    sb_init(&sc.chars);
    sb_grow(&sc.chars, d->body_len); /* the text is shorter than its Markdown */
    const section *heading = d->sections.len ? d->sections.items[0] : NULL;
    const section *link_section = heading;
    const section **footnote_sections =
        xcalloc((size_t)d->footnote_count + 1, sizeof *footnote_sections);
    int footnote_index = 0;
    bool in_footnote = false;
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type type = cmark_node_get_type(n);
        if (type == CMARK_NODE_FOOTNOTE_DEFINITION)
            in_footnote = ev == CMARK_EVENT_ENTER;
        if (ev != CMARK_EVENT_ENTER)
            continue;
        switch (type) {
        case CMARK_NODE_HEADING:
            if (cmark_node_get_user_data(n))
                heading = link_section = cmark_node_get_user_data(n);
            continue;
        case CMARK_NODE_FOOTNOTE_REFERENCE: {
            int ix = atoi(cmark_node_get_literal(n));
            if (ix >= 1 && ix <= d->footnote_count && !footnote_sections[ix - 1])
                footnote_sections[ix - 1] = heading;
            continue;
        }
        case CMARK_NODE_FOOTNOTE_DEFINITION: {
            int k = ++footnote_index;
            if (k <= d->footnote_count && footnote_sections[k - 1])
                link_section = footnote_sections[k - 1];
            continue;
        }
        case CMARK_NODE_LINK:
            add_link(&sc, n, link_section);
            continue;
        case CMARK_NODE_CODE_BLOCK:
            if (cmark_node_get_user_data(n)) {
                md_block *b = new_block(&sc);
                cmark_node *next = cmark_node_next(n);
                b->kind = MD_DIRECTIVE;
                b->next = next ? block_kind(next) : MD_NONE;
                b->line = cmark_node_get_start_line(n) + d->body_line - 1;
                b->section = heading;
                b->directive = cmark_node_get_user_data(n);
                b->text = (uint32_t)sc.chars.len;
            }
            continue;
        case CMARK_NODE_PARAGRAPH:
            break;
        default:
            continue;
        }
        cmark_node *parent = cmark_node_parent(n);
        bool item = parent && cmark_node_get_type(parent) == CMARK_NODE_ITEM;
        md_block *b = new_block(&sc);
        b->kind = in_footnote ? MD_FOOTNOTE : item ? MD_ITEM : MD_PARAGRAPH;
        b->line = cmark_node_get_start_line(n) + d->body_line - 1;
        b->section = heading;
        block_text(&sc, b, n);
        if (item) {
            b->has_children = has_child_list(parent);
            b->next = cmark_node_next(parent) ? MD_ITEM : MD_NONE;
        } else {
            cmark_node *next = cmark_node_next(n);
            b->next = next ? block_kind(next) : MD_NONE;
        }
    }
    cmark_iter_free(it);
    free(footnote_sections);
    /* Kept for the whole build: without the room left to grow. */
    struct md_text *t = sc.t;
    t->nchars = sc.chars.len;
    t->chars = xrealloc(sb_take(&sc.chars), t->nchars + 1);
    if (t->nblocks)
        t->blocks = xrealloc(t->blocks, t->nblocks * sizeof *t->blocks);
    if (t->nfills)
        t->fills = xrealloc(t->fills, t->nfills * sizeof *t->fills);
    d->text = t;
}
