/* A document's Markdown tree, parsed again from its text for whoever needs
 * it: the load keeps only what it read from the tree (sections, directives,
 * links, text: markdown/scan.h) and drops it, so a site's memory does not
 * grow with its trees (a tree is ten times its Markdown).
 *
 * The tree is as the load and xref left theirs: each heading carries its
 * section (its "{#id}" taken off), each directive block its directive, each
 * resolved cross-reference link its xref_link, an empty one the text xref
 * wrote, all as cmark user data. A tree belongs to whoever opened it: read
 * it on one thread (reading a node's text the first time writes to it) and
 * close it there. */
#ifndef POLICYGEN_MARKDOWN_TREE_H
#define POLICYGEN_MARKDOWN_TREE_H

#include "content/site.h"

typedef struct cmark_mem cmark_mem;

typedef struct md_tree {
    cmark_node *root;
    cmark_node **headings; /* by section index; [0], the chapter's title, is NULL */
    cmark_mem *mem;        /* what its nodes are allocated with, for new ones */
    struct md_tree_private *priv;
} md_tree;

md_tree *md_tree_open(const document *d);
/* The tree as cmark-gfm parses it, nothing attached: for the load itself. */
md_tree *md_tree_parse(const document *d);
void md_tree_close(md_tree *t);

/* The heading node of a section of the tree's document (NULL for the
 * chapter's own section, which has none). */
cmark_node *md_tree_heading(const md_tree *t, const section *s);

/* The blocks of a section, for showing it alone: from the first block after
 * its heading (for a chapter's top section, the document's first block) up
 * to the next heading of its level or above, or the footnote definitions.
 * md_section_next returns NULL after the last. */
cmark_node *md_section_first(const md_tree *t, const section *sec);
cmark_node *md_section_next(const md_tree *t, const section *sec, cmark_node *n);

#endif
