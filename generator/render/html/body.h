/* A document's Markdown body as HTML: one switch over cmark node types. */
#ifndef POLICYGEN_RENDER_HTML_BODY_H
#define POLICYGEN_RENDER_HTML_BODY_H

#include <stdbool.h>

#include "content/site.h"
#include "core/strbuf.h"
#include "core/value.h"

/* Where the heading ids of a rendered body begin, as offsets into its
 * buffer (before any id_prefix). */
typedef struct html_id_marks {
    size_t *at;
    size_t len, cap;
} html_id_marks;

typedef struct html_body_options {
    const site *site;      /* for directives (annexes, registers) */
    audience audience;     /* the edition's: `only` blocks above it are left out */
    /* Prefix for heading ids, so chapters can share one page (plan/all.html). */
    const char *id_prefix;
    /* Relative path from the page to the site root ("../"). */
    const char *root;
    /* When set, gets the offset in out of each heading id (before its prefix). */
    html_id_marks *id_marks;
    /* When set, gets the width in em the widest table needs (colwidth.h):
     * whether a form fits a portrait page. */
    double *widest_table;
} html_body_options;

/* Appends the body (headings numbered, footnotes at the end) to out: from
 * what html_prerender_body made of it when there is that, else from its tree
 * parsed again. Each question of the edition's audience goes through
 * audience_sees (content/site.h), so a range tracked meanwhile gives the
 * editions that get the same bytes. */
void html_render_body(strbuf *out, const document *d, const html_body_options *opts);
/* Appends a tree that is no document of the site's (an evidence file, parsed
 * by the caller) as d's body: without sections, directives or
 * cross-references of its own. */
void html_render_tree(strbuf *out, const document *d, cmark_node *root,
                      const html_body_options *opts);
/* A site_visitor (content/site.h): renders d's body while the load has its
 * tree, but for what only later stages know (cross-references, footnote
 * numbers across the plan, directives, which depend on the edition), and
 * keeps it in d->made for html_render_body. The same bytes either way. */
void html_prerender_body(void *ctx, document *d, cmark_node *root);
/* html_prerender_body as a visitor whose bodies a store keeps with their
 * documents (site_load_stored): its name, and its save and load hooks for
 * what it made (the text, the holes and the widest table). */
site_visitor html_prerender_visitor(void);
/* A value a page makes of d that is the same in every edition (its summary,
 * its tables of contents), kept with what html_prerender_body made of d so
 * that each edition after the first takes it instead of making it again:
 * slot's value, made by make(d, slot) when there is none. With keep (an
 * edition after this one will want it), it is kept (made once: from any
 * thread, two at once both make it and one is kept); without, what was
 * kept is given away (to its last user: the memory goes with the page),
 * else made for the caller alone. Kept, it is shared by threads: the
 * caller must not change it. Always made anew for a body not made at load. */
#define HTML_BODY_SLOTS 4
value *html_body_value(const document *d, int slot, bool keep,
                       value *(*make)(const document *d, int slot));
/* About how long d's body is as HTML, for a buffer's first size. */
size_t html_body_size(const document *d);
/* Appends a section's content without its heading: the blocks up to the
 * next heading of its level or above (for the chapter's top section, the
 * text before its first heading). Footnote marks render, their notes do not. */
void html_render_section(strbuf *out, const document *d, const section *sec,
                         const html_body_options *opts);
/* Appends the heading's title as inline HTML (without its number). */
void html_render_inline(strbuf *out, cmark_node *node);

#endif
