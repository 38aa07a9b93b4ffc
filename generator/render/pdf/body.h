/* A document's Markdown as PDF flow items: the PDF counterpart of
 * render/html/body.c, one function per cmark block type. Headings get
 * their official numbers, a destination and a bookmark; lists nest
 * 1. -> (1) -> A. with hanging indents; footnotes get plan-wide numbers;
 * directives (register, annexes, revisions, only) are expanded. */
#ifndef POLICYGEN_RENDER_PDF_BODY_H
#define POLICYGEN_RENDER_PDF_BODY_H

#include <stdbool.h>

#include "content/site.h"
#include "render/pdf/flow.h"
#include "render/pdf/text.h"

struct register_def;

typedef struct pdf_builder {
    pdf_ctx *c;
    const pdf_style *st;
    flow *f;
    const site *s;
    audience aud;
    bool roc;              /* the site's calendar */
    bool plan;             /* chapters are in this PDF (links to them are internal) */
    const char *plan_file; /* the plan's path from this PDF's folder ("../pdf/x.pdf"), or NULL */
    double width;          /* the text block */
    /* state while building */
    const document *doc;
    cmark_node *root;      /* doc's tree, open while it is built (markdown/tree.h) */
    double indent;         /* the left edge of the current block */
    int ordered_depth;
    int bullet_depth;
    double space;          /* space before the next block */
    bool *fn_seen;         /* per local footnote: a mark was drawn */
    para *marker;          /* a list marker waiting for the item's first line */
    double marker_x;
    int outline_base;      /* bookmark level of a chapter (1) */
    int min_rows;          /* register tables: blank rows added up to this many (to write in) */
    bool guidance_apart;   /* an annex's block quotes (its guidance) go on a page after the form */
} pdf_builder;

/* The destination name of a section ("sec-c3-2"; caller frees). */
char *pdf_section_dest(const section *s);
/* Cairo link attributes for an xref_link or URL, or NULL when it leads
 * nowhere this PDF can point (caller frees). */
char *pdf_link_attrs(const pdf_builder *b, cmark_node *link);

/* Appends a document: its title as a heading (when with_title), its body,
 * and its footnotes to the flow's footnote table. */
void pdf_build_document(pdf_builder *b, const document *d, bool with_title);

/* Appends a section's content without its heading, as html_render_section
 * does: the blocks up to the next heading of its level or above, without
 * footnote marks (their notes are not there). */
void pdf_build_section(pdf_builder *b, const section *sec);

/* A register as a table (or list) in the flow, as a `register` directive
 * with options opts (YAML mapping or NULL) shows it; revisions: the
 * revision table's view (every field but `status`). A register hidden from
 * the edition reads （不公開）. (regtable.c) */
void pdf_build_register(pdf_builder *b, const struct register_def *reg, const ynode *opts,
                        bool revisions);

/* A heading line: label and title, keep-with-next, destination and bookmark. */
void pdf_build_heading(pdf_builder *b, int level, const char *label, const char *title,
                       cmark_node *inline_parent, const char *dest, int outline_level, bool center);

#endif
