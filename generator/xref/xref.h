/* Cross-references: the anchor table of the site and the pass that resolves
 * `annex:`, `sec:` and `reg:` links in every document.
 *
 *   [](annex:ID)          附件 N「title」
 *   [](sec:DOC/ID)        玖、二、(一) 網路安全控管   (sec:ID when ID is unique)
 *   [](reg:NAME)          the register's title
 *   [](reg:NAME/KEY)      the row KEY of that register
 *
 * An empty link text is filled in; explicit text is kept. A resolved link
 * node carries an xref_link (cmark user data) that renderers use for the
 * target; an unresolved one is an error at its place. */
#ifndef POLICYGEN_XREF_H
#define POLICYGEN_XREF_H

#include <stdbool.h>

#include "content/site.h"

typedef enum xref_kind {
    XREF_ANNEX,
    XREF_SECTION,
    XREF_REGISTER,
    XREF_ROW,
} xref_kind;

/* Where a link points, relative to the site root: "plan/controls.html#network". */
typedef struct xref_link {
    xref_kind kind;
    char *href;
    const document *target_doc;   /* annexes and sections */
    const section *target_section;
} xref_link;

/* A place that refers to an annex, for the annex's back-links. */
typedef struct xref_backlink {
    const document *to;     /* the annex */
    const document *from;   /* the referring document */
    const section *section; /* the section holding the reference */
    srcpos pos;
} xref_backlink;

typedef struct xref_table xref_table;

/* Builds the anchor table and resolves every link of every document.
 * Reports missing targets, ambiguous sec: ids and annexes nothing refers to. */
xref_table *xref_resolve_site(site *s, diag_sink *diags);
/* The same on `threads` threads (0: one per processor); the results and the
 * order of the diagnostics do not depend on it. */
xref_table *xref_resolve_site_jobs(site *s, int threads, diag_sink *diags);
void xref_table_free(xref_table *t);

/* The back-links of an annex (vector of xref_backlink*, owned by the table),
 * in document order; NULL when nothing refers to it. */
const vec *xref_backlinks(const xref_table *t, const document *annex);

/* "玖、二、(一) 網路安全控管": a section's full number and title (caller frees). */
char *xref_section_text(const section *s);
/* 附件 2「資通安全保密同意書」 (caller frees). */
char *xref_annex_text(const document *annex);

#endif
