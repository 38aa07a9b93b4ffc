/* The offline search of an edition: search/index.js, a script (no fetch,
 * so search.html works from file:// as from any server) that sets
 *
 *   window.POLICYGEN_SEARCH = { v: 1,
 *     docs: [ [href, number, title, text], ... ],   one a section of the plan or an annex
 *     terms: { term: "postings", ... } }
 *
 * href is relative to the edition's root; number is the section's full
 * number ("玖、二、(一)") or the annex's ("附件 5"); text is what the edition
 * shows of the section (its rendered page, tags dropped), so the index
 * holds nothing the edition does not show and the leak check reads it as it
 * reads the pages. A term is a pair of CJK characters (a bigram) or a whole
 * ASCII word, lower-cased, full-width forms folded to ASCII; its postings
 * are the ascending numbers of the docs that hold it, as base-36 gaps
 * joined by ",". The theme's assets/search.js tokenizes queries the same
 * way: the same characters are CJK, letters and digits, and fold alike. */
#ifndef POLICYGEN_RENDER_HTML_SEARCH_INDEX_H
#define POLICYGEN_RENDER_HTML_SEARCH_INDEX_H

#include <stddef.h>

#include "content/site.h"
#include "core/vec.h"

/* One entry of the index (all strings owned). */
typedef struct search_doc {
    char *href, *number, *title, *text;
} search_doc;

void search_doc_free(void *doc);

/* The entries of a rendered page body (html, as body.c writes it): one for
 * the text before its first heading (at page_href, numbered top_number and
 * titled top_title) and, when d is given, one for each heading of d with an
 * id (at page_href#<id>), each holding the text up to the next heading;
 * without d, one for each table row with an id (a register's rows: at
 * page_href#<id>, numbered top_title, titled by the id).
 * number_prefix goes before each section's own number ("附件 5 " for an
 * annex; a section without a number gets top_number). Appends search_doc*
 * to out. */
void search_docs_from_html(vec *out, const document *d, const char *page_href,
                           const char *number_prefix, const char *top_number,
                           const char *top_title, const char *html, size_t len);

/* search/index.js for the docs, in their order (caller frees). */
char *search_index_js(const vec *docs, size_t *len);

#endif
