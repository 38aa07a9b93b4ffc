/* Rich text and paragraphs: the inline level of the PDF typesetter.
 *
 * A rich text is UTF-8 with style spans (font, weight, size, links,
 * footnote marks). A paragraph lays it out with Pango into lines of a given
 * width and then finishes each line itself, because Pango alone gets CJK
 * print wrong (design/PDF.md):
 *   - fullwidth punctuation pairs are compressed: "）、" keeps half of the
 *     closing bracket's blank (pitfall 3);
 *   - justification spreads the slack over the gaps between characters, not
 *     only into ASCII spaces, with at most max_gap em per gap (pitfall 2);
 *     the last line of a paragraph and lines before a hard break are not
 *     justified, nor is text in table cells.
 * Lines are drawn glyph run by glyph run, so links get exact rectangles. */
#ifndef POLICYGEN_RENDER_PDF_TEXT_H
#define POLICYGEN_RENDER_PDF_TEXT_H

#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/strbuf.h"
#include "render/pdf/style.h"

/* One thread's typesetting state: its own font map (Pango font maps are
 * not shared between threads), a context at 72 dpi (pitfall 1: pangocairo
 * assumes 96) with unhinted metrics, and the style. */
typedef struct pdf_ctx {
    PangoFontMap *fontmap;
    PangoContext *pango;
    const pdf_style *st;
    strbuf *text_log; /* when set, every paragraph's text is appended (for the leak check) */
    int pages;        /* the pages of the last PDF closed (pdf_doc_close) */
    diag_sink *diags; /* where typesetting tells its problems: this process's own */
} pdf_ctx;

void pdf_ctx_init(pdf_ctx *c, const pdf_style *st);
void pdf_ctx_free(pdf_ctx *c);

typedef enum pdf_font {
    PDF_FONT_BODY,
    PDF_FONT_HEADING,
    PDF_FONT_MONO,
} pdf_font;

typedef struct text_style {
    pdf_font font;
    bool bold, italic, strike;
    double size; /* pt */
} text_style;

typedef struct tspan {
    size_t start, end; /* bytes of rich.text */
    text_style style;
    int link;          /* index into rich.links, or -1 */
    int fnref;         /* a footnote mark: the plan-wide number; 0 otherwise */
    bool fnref_first;  /* the first mark of its footnote (footnote back-links go here) */
} tspan;

typedef struct rich {
    strbuf text;
    tspan *spans;
    size_t nspans, cap;
    char **links; /* cairo link attributes ("dest='s-3-2'", "file='x.pdf'", "uri='...'") */
    size_t nlinks;
    text_style cur; /* the style the next append gets */
    int cur_link;
} rich;

void rich_init(rich *r, pdf_font font, double size);
void rich_free(rich *r);
void rich_append(rich *r, const char *s, size_t n);
void rich_appends(rich *r, const char *s);
/* Starts a link; text appended until rich_end_link belongs to it. attrs are
 * cairo link attributes (copied). */
void rich_begin_link(rich *r, const char *attrs);
void rich_end_link(rich *r);
/* Appends a superscript footnote mark linked to footnote n. */
void rich_footnote_mark(rich *r, int n, bool first);
bool rich_empty(const rich *r);
/* Drops trailing spaces and newlines. */
void rich_trim_end(rich *r);

typedef enum para_align {
    ALIGN_LEFT,
    ALIGN_CENTER,
    ALIGN_RIGHT,
    ALIGN_JUSTIFY,
} para_align;

typedef struct para_opts {
    double width;       /* the box, pt */
    double indent;      /* first line, pt; negative = hanging (later lines indented) */
    double line_height; /* times the base size */
    para_align align;
    bool wrap_words;    /* break only between words (Latin); else anywhere as a last resort */
} para_opts;

typedef struct pline {
    PangoLayoutLine *line;
    double x;        /* from the box's left edge */
    double width;    /* after compression and justification */
    double height;   /* the line's box: at least the pitch */
    double baseline; /* from the top of the line's box */
    size_t start, end; /* bytes of the text */
} pline;

typedef struct para {
    PangoLayout *layout;
    rich r;          /* owned */
    pline *lines;
    int nlines;
    double width;
    double height;   /* sum of the line heights */
    double base_size;
} para;

/* Lays out r (consumed: it is moved into the paragraph). */
para *para_new(pdf_ctx *c, rich *r, const para_opts *o);
void para_free(para *p);
/* Footnote numbers marked in line i, in order (each once), into out (at
 * most max); returns how many. Only first marks count. */
int para_line_footnotes(const para *p, int i, int *out, int max);
/* The widest unbreakable piece and the unwrapped width of r, pt. */
void rich_measure(pdf_ctx *c, const rich *r, double *min_content, double *max_content);
/* The width of a single line of plain text in a style. */
double text_width(pdf_ctx *c, const char *s, const text_style *ts);

/* Drawing. The page's cairo context with the link colour. */
typedef struct pdf_draw {
    cairo_t *cr;
    const pdf_style *st;
} pdf_draw;

/* Draws line i of p with the box's left edge at x and the line's top at y. */
void para_draw_line(pdf_draw *d, const para *p, int i, double x, double y);

/* A tag attribute value in single quotes, with \ and ' escaped (caller frees). */
char *pdf_quote(const char *s);

#endif
