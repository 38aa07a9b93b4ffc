/* How narrow a table column may get before its cells are squeezed: an
 * estimate from the text of its cells, turned into a class of the theme
 * (th.w2 ... th.w14: a minimum width in em) on the column's header cell.
 *
 * A browser may break CJK text between any two characters, so a table wider
 * than the screen squeezes its columns down to one character a line. The
 * class keeps each column at least as wide as its widest unbreakable word
 * (an ID, an IP address, a date) and as its lines, up to a cap past which
 * text wraps; a table that then does not fit scrolls inside its own frame. */
#ifndef POLICYGEN_RENDER_HTML_COLWIDTH_H
#define POLICYGEN_RENDER_HTML_COLWIDTH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct colwidth {
    double em; /* the widest need seen so far */
} colwidth;

/* A cell's text as rendered HTML (tags skipped, entities one character,
 * <br> a line break, a <span class="keep"> one word). A header cell's lines count up to a smaller cap:
 * a long label may wrap. */
void colwidth_add_html(colwidth *c, const char *html, size_t len, bool header);
/* The width of the longest line of some HTML, in em, as laid out unbroken. */
double colwidth_natural_html(const char *html, size_t len);
/* A cell's plain text ("\n" a line break). */
void colwidth_add_text(colwidth *c, const char *text, size_t len, bool header);
/* "w4" and the like, for the column's header cell. */
const char *colwidth_class(const colwidth *c);
/* The width the class stands for, in em (the cell's content). */
double colwidth_em(const colwidth *c);
/* What a cell adds around its content (the theme's padding and rule). */
#define COLWIDTH_PADDING_EM 1.25

#endif
