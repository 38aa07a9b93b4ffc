/* cmark-gfm set-up and the AST passes over the site's documents. */
#ifndef POLICYGEN_MARKDOWN_H
#define POLICYGEN_MARKDOWN_H

#include <stddef.h>

#include "content/site.h"

/* Parses GitHub-flavoured Markdown (tables, footnotes, strikethrough,
 * autolinks, tagfilter). The caller frees the tree with cmark_node_free. */
cmark_node *md_parse(const char *text, size_t len);
struct cmark_mem;
/* The same with the nodes' memory from mem (markdown/tree.c's for documents). */
cmark_node *md_parse_with(const char *text, size_t len, struct cmark_mem *mem);
/* The extension list the renderers pass on (owned by cmark-gfm). */
struct _cmark_llist *md_extensions(void);

/* Numbers a document's headings per site.yaml `numbering`, reads `{#id}`
 * anchors (taking them off the heading), derives stable ids for the rest,
 * fills document.sections (each heading node gets its section as user data)
 * and counts its footnotes. Errors (duplicate ids) are diagnostics.
 * Documents are independent: each may be numbered on its own thread. */
void md_number_document(document *d, cmark_node *root, numbering scheme, diag_sink *diags);
/* The same headings of a tree parsed again from d's text: each gets its
 * section as user data and its "{#id}" taken off, and headings[index] its
 * node (headings has room for d->sections.len). */
void md_attach_headings(const document *d, cmark_node *root, cmark_node **headings);
/* Numbers the plan's footnotes across its chapters, once each is numbered. */
void md_number_footnotes(site *s);

/* Plain text of a node's inline content (for titles and ids); the caller frees. */
char *md_plain_text(cmark_node *node);

/* cmark-gfm copies a node's text out of its paragraph the first time it is
 * read (cmark_node_get_literal and the like write to the node). For a tree
 * that threads read side by side, this reads every text once, beforehand. */
void md_settle(cmark_node *root);

/* Formats n (from 1) as the numbers of the official style. */
void md_formal_numeral(int n, char *buf, size_t size); /* 壹 貳 … 壹拾柒 */
void md_common_numeral(int n, char *buf, size_t size); /* 一 二 … 十七 */

#endif
