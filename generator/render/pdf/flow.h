/* The block level: a flow is a list of items (lines of paragraphs, table
 * rows, rules), each with its height, the space before it (dropped at the
 * top of a page) and whether a page may end after it. Pagination fills
 * pages greedily and, when an item does not fit, goes back to the last
 * place a page may end:
 *   - keep-with-next: a heading's lines keep with what follows, so a run of
 *     headings never ends a page (pitfall 6);
 *   - widows and orphans: the first `orphans` and the last `widows` lines
 *     of a paragraph keep together;
 *   - footnotes go to the bottom of the page of the line that marks them
 *     first, and count in that line's fit: moving the line moves them
 *     (pitfall 4);
 *   - tables repeat their header row on every page, and a row taller than
 *     a page is split line by line in each cell (pitfall 5).
 * The flow owns its paragraphs and tables. */
#ifndef POLICYGEN_RENDER_PDF_FLOW_H
#define POLICYGEN_RENDER_PDF_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vec.h"
#include "render/pdf/text.h"

typedef struct tcell {
    para *p;
    double *tops;    /* tops[i]: line i's top inside the cell content; tops[nlines] = height */
} tcell;

typedef struct trow {
    tcell *cells;    /* ncols */
    double height;   /* content height (the tallest cell), without padding */
    bool header;
} trow;

typedef struct table {
    int ncols, nrows;
    double *col_x, *col_w; /* from the table's left edge */
    double width, pad, rule;
    double want;           /* the room it would like: max-content, capped per column */
    trow *rows;
    bool has_header;       /* rows[0] is the header row */
} table;

/* A table to build: nrows x ncols rich cells (consumed), column alignment
 * ('l', 'c', 'r' or 0). */
typedef struct table_src {
    int ncols, nrows;
    rich *cells;
    uint8_t *align;
    bool header;
    double size;           /* text size of the cells */
    double col_width;      /* when > 0, every column this wide (as far as avail allows) */
    double row_height;     /* when > 0, the least height of a row below the header */
} table_src;

/* Column widths from min- and max-content, then the cells laid out (not
 * justified). */
table *table_build(pdf_ctx *c, table_src *src, double avail);
void table_free(table *t);

typedef enum item_kind {
    ITEM_LINE,
    ITEM_ROW,
    ITEM_RULE,
} item_kind;

typedef struct item {
    item_kind kind;
    double x;            /* left edge from the text block's left */
    double h;
    double space_before;
    bool keep_next;      /* no page break after this item */
    bool break_before;   /* always start a page */
    para *p;             /* line: its paragraph, and the line */
    int line;
    para *marker;        /* line: a list marker drawn before it, at marker_x */
    double marker_x;
    table *t;            /* row */
    int row;
    double rule_w;       /* rule: its length */
    char *dest;          /* a named destination here, or NULL (owned) */
    char *outline;       /* a bookmark title here, or NULL (owned) */
    int outline_level;   /* 1.. */
    char *link;          /* cairo link attributes over the whole line, or NULL (owned) */
    char *leader;        /* a table-of-contents page number after a dot leader, or NULL (owned) */
} item;

typedef struct flow {
    item *items;
    int n, cap;
    vec paras;       /* para*, owned (markers, footnotes, lines) */
    vec tables;      /* table*, owned */
    para **footnotes; /* by number, NULL when absent; owned through paras */
    int nfootnotes;   /* highest number + 1 */
    double footnote_sep; /* space above the footnotes, with the rule */
    double want;         /* the widest table's want (table.want) */
} flow;

void flow_init(flow *f);
void flow_free(flow *f);
item *flow_push(flow *f, item_kind kind);
/* Adds every line of p as items (p is then owned by the flow); the first
 * line gets space_before, and keep/widow/orphan rules are set. keep_all:
 * every line keeps with the next (headings). */
void flow_add_para(flow *f, para *p, double x, double space_before, bool keep_all, int widows,
                   int orphans);
void flow_add_table(flow *f, table *t, double x, double space_before);
void flow_add_footnote(flow *f, int number, para *p);
void flow_own_para(flow *f, para *p);

/* ---- pagination ---- */

typedef struct placed {
    const item *it;
    double y;         /* top, from the text block's top */
    double h;
    int *from, *to;   /* row slices: lines [from, to) per cell; NULL = the whole row */
    bool repeated;    /* a header row repeated on a later page */
} placed;

typedef struct page {
    placed *pl;
    int n, cap;
    int *footnotes;   /* numbers, in order */
    int nfn;
} page;

typedef struct pages {
    page *pg;
    int n;
} pages;

/* Breaks f into pages of the given body height. */
void paginate(const flow *f, double body_height, pages *out);
void pages_free(pages *ps);
double footnote_height(const flow *f, int number);

#endif
