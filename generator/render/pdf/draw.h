/* One PDF file being drawn: the Cairo surface with its metadata, the
 * document structure root (pitfall 8), the outline, and pages drawn from
 * a paginated flow with their running header, footer and footnotes. */
#ifndef POLICYGEN_RENDER_PDF_DRAW_H
#define POLICYGEN_RENDER_PDF_DRAW_H

#include <cairo.h>
#include <stdbool.h>

#include "render/pdf/flow.h"
#include "render/pdf/text.h"

typedef struct pdf_meta {
    const char *title, *author, *subject, *keywords;
    const char *date; /* ISO 8601, "2018-12-26T00:00:00+08:00": creation and modification */
    bool draft;       /* mark every page 草案 */
} pdf_meta;

typedef struct pdf_doc {
    pdf_ctx *c;
    const pdf_style *st;
    cairo_surface_t *surface;
    cairo_t *cr;
    char *path;
    double width, height;   /* this document's page size (landscape or not) */
    double left, top;       /* the text block */
    double body_width, body_height;
    int outline[PDF_HEADING_LEVELS + 2]; /* the last bookmark at each level; [0] the root */
    /* the running header (any may be NULL) and the page count for the footer */
    const char *head_left, *head_center, *head_right;
    int page_total;
    int page_no;            /* pages drawn so far */
    bool draft;             /* every page carries the 草案 mark */
} pdf_doc;

/* Creates path (a file name in the staging folder). */
void pdf_doc_open(pdf_doc *d, pdf_ctx *c, const char *path, bool landscape, const pdf_meta *meta);
/* Ends the structure, writes the file; false after a diagnostic (to the
 * context's sink). */
bool pdf_doc_close(pdf_doc *d);

/* Draws a page of a flow, with header and footer unless bare, and ends it. */
void pdf_doc_page(pdf_doc *d, const flow *f, const page *pg, bool bare);
/* Adds a bookmark at the current page for a destination (level from 1). */
void pdf_doc_outline(pdf_doc *d, int level, const char *title, const char *dest);
/* A named destination at (x, y) on the current page. */
void pdf_doc_dest(pdf_doc *d, const char *name, double x, double y);
/* Draws text in a box of the given width at x, the first baseline at
 * baseline; returns the width of its widest line. */
double pdf_doc_text(pdf_doc *d, const char *s, const text_style *ts, double x, double baseline,
                    para_align align, double width);

#endif
