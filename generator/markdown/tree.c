#include "markdown/tree.h"

#include <cmark-gfm.h>
#include <stdlib.h>

#include "core/xalloc.h"
#include "markdown/directive.h"
#include "markdown/markdown.h"

/* The links in the order the load's scan met them (cmark_iter's), each
 * given what xref found for it. */
static void attach_links(const document *d, cmark_node *root)
{
    size_t k = 0;
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && k < d->links.len) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_LINK)
            continue;
        const doc_link *l = d->links.items[k++];
        if (!l->xref)
            continue;
        cmark_node_set_user_data(n, (void *)l->xref);
        if (l->fill && !cmark_node_first_child(n)) {
            cmark_node *text = cmark_node_new(CMARK_NODE_TEXT);
            cmark_node_set_literal(text, l->fill);
            cmark_node_append_child(n, text);
        }
    }
    cmark_iter_free(it);
}

md_tree *md_tree_open(const document *d)
{
    md_tree *t = xcalloc(1, sizeof *t);
    t->root = md_parse(d->source_body, d->body_len);
    t->headings = xcalloc(d->sections.len + 1, sizeof *t->headings);
    md_attach_directives(d, t->root);
    md_attach_headings(d, t->root, t->headings);
    attach_links(d, t->root);
    return t;
}

void md_tree_close(md_tree *t)
{
    if (!t)
        return;
    cmark_node_free(t->root);
    free(t->headings);
    free(t);
}

cmark_node *md_tree_heading(const md_tree *t, const section *s)
{
    return s->index > 0 ? t->headings[s->index] : NULL;
}
