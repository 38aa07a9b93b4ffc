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

#include <stdbool.h>
#include <stddef.h>

#include "content/site.h"

/* ---- parts: the entries of a page ----
 *
 * A part is made on the page's rendering thread: its docs as the file's
 * JSON and, for each term, which of its docs (numbered from 0 in the part)
 * hold it. So the terms are found on every rendering thread, and the page's
 * text is kept only as JSON, and only until its part joins the index.
 *
 * Editions that render a page to the same bytes get the same part: the
 * first makes it, the others find it in the build's search_share, which
 * saves each later edition the terms of every page it shows as an earlier
 * one did. The renderer knows, not hashes, that a page is the same: the
 * audiences its body asked about while it was rendered (audience_track,
 * content/site.h) give the editions that would get every answer alike. */
typedef struct search_part search_part;
typedef struct search_share search_share;

/* The entries of a rendered page body (html, as body.c writes it): one for
 * the text before its first heading (at page_href, numbered top_number and
 * titled top_title) and, when d is given, one for each heading of d with an
 * id (at page_href#<id>), each holding the text up to the next heading;
 * without d, one for each table row with an id (a register's rows: at
 * page_href#<id>, numbered top_title, titled by the id). number_prefix goes
 * before each section's own number ("附件 5 " for an annex; a section
 * without a number gets top_number). html was rendered for the edition of
 * audience aud, and is the same for every audience in same (which holds
 * aud). From share when an edition in whose range aud is made it already,
 * else made (and kept there for the editions after); share may be NULL.
 * Release it with search_part_release. */
search_part *search_part_of_html(search_share *share, audience aud, audience_range same,
                                 const document *d, const char *page_href,
                                 const char *number_prefix, const char *top_number,
                                 const char *top_title, const char *html, size_t len);
void search_part_release(search_part *p);

/* The parts of a build's editions; safe to use from several threads. */
search_share *search_share_new(void);
void search_share_free(search_share *s);
/* Before the last edition that uses s: a part found is given away (its
 * memory goes once that edition's index has it) and one made is not kept. */
void search_share_last(search_share *s);
/* Whether an edition after the one rendering now uses s (search_share_last
 * was not said): what editions share is kept for it. */
bool search_share_more(search_share *s);

/* ---- the file ---- */

/* search/index.js, made as its parts come, in their order, and written out
 * as it is made (in pieces of about a megabyte, through write): the docs'
 * entries at once, the terms with their postings (kept compact till then)
 * at the end. So an edition's index is never whole in memory.
 *
 * With a share, an index whose parts turn out to be, all and in order,
 * those of the last index written from the share's parts is not made
 * again: it would be the same bytes (the parts are held meanwhile, merged
 * once one differs). */
typedef struct search_index search_index;
typedef void (*search_write_fn)(void *ctx, const char *data, size_t len);

/* file: how the caller will know this index's file again (its path in the
 * output), should a later one be the same. share may be NULL. */
search_index *search_index_new(search_share *share, const char *file, search_write_fn write,
                               void *ctx);
void search_index_add(search_index *ix, search_part *p);
/* Writes the rest and returns NULL; or, for an index that is the same as
 * the share's last, writes nothing and returns that one's file (caller
 * frees). Frees ix. */
char *search_index_finish(search_index *ix);

#endif
