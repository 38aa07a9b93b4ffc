/* cmark-gfm set-up and the AST passes over the site's documents. */
#ifndef POLICYGEN_MARKDOWN_H
#define POLICYGEN_MARKDOWN_H

#include <stddef.h>

#include "content/site.h"

/* Parses GitHub-flavoured Markdown (tables, footnotes, strikethrough,
 * autolinks, tagfilter). The caller frees the tree with cmark_node_free. */
cmark_node *md_parse(const char *text, size_t len);
/* The extension list the renderers pass on (owned by cmark-gfm). */
struct _cmark_llist *md_extensions(void);

/* Numbers a document's headings per site.yaml `numbering`, reads `{#id}`
 * anchors, derives stable ids for the rest, fills document.sections and
 * counts its footnotes. Errors (duplicate ids) are diagnostics. Documents
 * are independent: each may be numbered on its own thread. */
void md_number_document(document *d, numbering scheme);
/* Numbers the plan's footnotes across its chapters, once each is numbered. */
void md_number_footnotes(site *s);

/* Plain text of a node's inline content (for titles and ids); the caller frees. */
char *md_plain_text(cmark_node *node);

/* The blocks of a section, for showing it alone: from the first block after
 * its heading (for a chapter's top section, the document's first block) up
 * to the next heading of its level or above, or the footnote definitions.
 * md_section_next returns NULL after the last. */
cmark_node *md_section_first(const section *sec);
cmark_node *md_section_next(const section *sec, cmark_node *n);

/* Formats n (from 1) as the numbers of the official style. */
void md_formal_numeral(int n, char *buf, size_t size); /* 壹 貳 … 壹拾柒 */
void md_common_numeral(int n, char *buf, size_t size); /* 一 二 … 十七 */

#endif
