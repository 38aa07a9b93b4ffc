/* What the later stages need of a document's Markdown beyond its sections
 * and directives, read while the load has its tree (the load then drops the
 * tree: markdown/tree.h parses it again for a renderer):
 *
 *   - its links, in document order (document.links): xref resolves them
 *     from here, and a tree parsed again gets what xref found;
 *   - the plain text of its paragraphs, list items and footnotes, and its
 *     directives, in reading order (document.text): what the rules read as
 *     site.documents (check/documents.h). */
#ifndef POLICYGEN_MARKDOWN_SCAN_H
#define POLICYGEN_MARKDOWN_SCAN_H

#include <stdint.h>

#include "content/site.h"

struct directive;

/* A block's kind, and the kind of what follows it. */
typedef enum md_kind {
    MD_PARAGRAPH,
    MD_ITEM,      /* a list item's paragraph */
    MD_FOOTNOTE,  /* a paragraph of a footnote */
    MD_DIRECTIVE,
    MD_LIST,
    MD_HEADING,
    MD_CODE,
    MD_QUOTE,
    MD_TABLE,
    MD_OTHER,
    MD_NONE,      /* nothing follows */
} md_kind;

typedef struct md_block {
    md_kind kind, next; /* an item's next is MD_ITEM when another item of its list follows */
    bool has_children;  /* an item with a list inside */
    int line;
    const section *section; /* the heading before it (the chapter's own section before any) */
    const struct directive *directive; /* MD_DIRECTIVE only */
    uint32_t text, len; /* its plain text: md_text.chars + text, len bytes */
} md_block;

/* An empty link in a block: the text xref writes for it (doc_link.fill)
 * belongs at byte `at` of the block's text. */
typedef struct md_fill {
    uint32_t block, at;
    uint32_t link; /* in document.links */
} md_fill;

struct md_text {
    md_block *blocks;
    size_t nblocks;
    md_fill *fills; /* by block, then place */
    size_t nfills;
    char *chars;
    size_t nchars;
};

/* Fills d->links and d->text from d's tree, whose headings and directives
 * carry their sections and directives (md_number_document,
 * md_find_directives). */
void md_scan_document(document *d, cmark_node *root);
void md_text_free(struct md_text *text);
void doc_link_free(void *link);

#endif
