/* A document's Markdown body as HTML: one switch over cmark node types. */
#ifndef POLICYGEN_RENDER_HTML_BODY_H
#define POLICYGEN_RENDER_HTML_BODY_H

#include <stdbool.h>

#include "content/site.h"
#include "core/strbuf.h"

typedef struct html_body_options {
    const site *site;      /* for directives (annexes, registers) */
    audience audience;     /* the edition's: `only` blocks above it are left out */
    /* Prefix for heading ids, so chapters can share one page (plan/all.html). */
    const char *id_prefix;
    /* Relative path from the page to the site root ("../"). */
    const char *root;
} html_body_options;

/* Appends the body (headings numbered, footnotes at the end) to out. */
void html_render_body(strbuf *out, const document *d, const html_body_options *opts);
/* Appends a section's content without its heading: the blocks up to the
 * next heading of its level or above (for the chapter's top section, the
 * text before its first heading). Footnote marks render, their notes do not. */
void html_render_section(strbuf *out, const document *d, const section *sec,
                         const html_body_options *opts);
/* Appends the heading's title as inline HTML (without its number). */
void html_render_inline(strbuf *out, cmark_node *node);

#endif
