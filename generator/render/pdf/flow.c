#include "render/pdf/flow.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/* ---- tables ---- */

static bool rich_blank(const rich *r)
{
    return rich_empty(r);
}

table *table_build(pdf_ctx *c, table_src *src, double avail)
{
    const pdf_style *st = c->st;
    int nc = src->ncols, nr = src->nrows;
    table *t = xcalloc(1, sizeof *t);
    t->ncols = nc;
    t->nrows = nr;
    t->pad = st->table_padding;
    t->rule = st->table_rule;
    t->has_header = src->header && nr > 0;
    t->col_x = xcalloc((size_t)nc + 1, sizeof *t->col_x);
    t->col_w = xcalloc((size_t)nc + 1, sizeof *t->col_w);
    double *mn = xcalloc((size_t)nc + 1, sizeof *mn);
    double *mx = xcalloc((size_t)nc + 1, sizeof *mx);
    /* The narrowest a column may get when even the minimums do not fit: its
     * widest unbreakable word (an ID, an address, a date) and two characters. */
    double *hard = xcalloc((size_t)nc + 1, sizeof *hard);
    double extra = 2 * t->pad + t->rule;
    for (int col = 0; col < nc; col++)
        mn[col] = mx[col] = hard[col] = extra + src->size; /* at least one character */
    for (int row = 0; row < nr; row++) {
        for (int col = 0; col < nc; col++) {
            rich *r = &src->cells[row * nc + col];
            if (rich_blank(r))
                continue;
            double a, b;
            rich_measure(c, r, &a, &b);
            /* A point to spare: laid out at exactly its measured width, a
             * word may lose its last character to the next line. */
            a += 1;
            b += 1;
            double h = (a < 2 * src->size ? (b < 2 * src->size ? b : 2 * src->size) : a) + extra;
            if (h > hard[col])
                hard[col] = h;
            /* A short cell ("4 工作小時", a date) is not broken: no
             * character left alone on a line. */
            if (b <= 8 * src->size)
                a = b;
            if (a + extra > mn[col])
                mn[col] = a + extra;
            if (b + extra > mx[col])
                mx[col] = b + extra;
        }
    }
    double sum_min = 0, sum_max = 0, sum_hard = 0;
    for (int col = 0; col < nc; col++) {
        sum_min += mn[col];
        sum_max += mx[col];
        sum_hard += hard[col];
        t->want += mx[col] < 7 * src->size + extra ? mx[col] : 7 * src->size + extra;
    }
    for (int col = 0; col < nc; col++) {
        double w;
        if (src->col_width > 0)
            w = src->col_width * nc <= avail ? src->col_width : avail / nc;
        else if (sum_max <= avail)
            w = st->table_full_width && sum_max > 0 ? mx[col] + (avail - sum_max) * mx[col] / sum_max
                                                    : mx[col];
        else if (sum_min >= avail && sum_hard < avail)
            /* Short cells give up their room down to their words, no further. */
            w = hard[col] + (mn[col] - hard[col]) * (avail - sum_hard) / (sum_min - sum_hard);
        else if (sum_min >= avail)
            w = hard[col] * avail / sum_hard;
        else
            w = mn[col] + (mx[col] - mn[col]) * (avail - sum_min) / (sum_max - sum_min);
        t->col_w[col] = w;
        t->col_x[col + 1] = t->col_x[col] + w;
    }
    t->width = t->col_x[nc];
    free(mn);
    free(mx);
    free(hard);

    t->rows = xcalloc((size_t)nr + 1, sizeof *t->rows);
    for (int row = 0; row < nr; row++) {
        trow *tr = &t->rows[row];
        tr->header = t->has_header && row == 0;
        tr->cells = xcalloc((size_t)nc, sizeof *tr->cells);
        bool all_blank = true;
        for (int col = 0; col < nc; col++) {
            rich *r = &src->cells[row * nc + col];
            if (!rich_blank(r))
                all_blank = false;
            uint8_t al = src->align ? src->align[col] : 0;
            para_opts o = {
                .width = t->col_w[col] - extra,
                .line_height = st->table_line_height,
                .align = tr->header || al == 'c' ? ALIGN_CENTER : al == 'r' ? ALIGN_RIGHT : ALIGN_LEFT,
            };
            if (o.width < 1)
                o.width = 1;
            para *p = para_new(c, r, &o);
            tcell *cell = &tr->cells[col];
            cell->p = p;
            cell->tops = xcalloc((size_t)p->nlines + 1, sizeof *cell->tops);
            for (int i = 0; i < p->nlines; i++)
                cell->tops[i + 1] = cell->tops[i] + p->lines[i].height;
            if (cell->tops[p->nlines] > tr->height)
                tr->height = cell->tops[p->nlines];
        }
        /* A blank row of a form leaves room to write by hand. */
        if (all_blank && !tr->header && tr->height < st->form_row_height - 2 * t->pad)
            tr->height = st->form_row_height - 2 * t->pad;
        if (!tr->header && tr->height < src->row_height - 2 * t->pad)
            tr->height = src->row_height - 2 * t->pad;
    }
    free(src->cells);
    src->cells = NULL;
    return t;
}

void table_free(table *t)
{
    if (!t)
        return;
    for (int row = 0; row < t->nrows; row++) {
        for (int col = 0; col < t->ncols; col++) {
            para_free(t->rows[row].cells[col].p);
            free(t->rows[row].cells[col].tops);
        }
        free(t->rows[row].cells);
    }
    free(t->rows);
    free(t->col_x);
    free(t->col_w);
    free(t);
}

/* ---- the flow ---- */

static void free_para(void *p)
{
    para_free(p);
}

static void free_table(void *t)
{
    table_free(t);
}

void flow_init(flow *f)
{
    memset(f, 0, sizeof *f);
    vec_init(&f->paras, free_para);
    vec_init(&f->tables, free_table);
}

void flow_free(flow *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->items[i].dest);
        free(f->items[i].outline);
        free(f->items[i].link);
        free(f->items[i].leader);
    }
    free(f->items);
    vec_free(&f->paras);
    vec_free(&f->tables);
    free(f->footnotes);
    memset(f, 0, sizeof *f);
}

item *flow_push(flow *f, item_kind kind)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 256;
        f->items = xrealloc(f->items, (size_t)f->cap * sizeof *f->items);
    }
    item *it = &f->items[f->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    return it;
}

void flow_own_para(flow *f, para *p)
{
    vec_push(&f->paras, p);
}

void flow_add_para(flow *f, para *p, double x, double space_before, bool keep_all, int widows,
                   int orphans)
{
    flow_own_para(f, p);
    int n = p->nlines;
    for (int i = 0; i < n; i++) {
        item *it = flow_push(f, ITEM_LINE);
        it->x = x;
        it->h = p->lines[i].height;
        it->p = p;
        it->line = i;
        it->space_before = i == 0 ? space_before : 0;
        /* orphans: the first lines stay together; widows: so do the last. */
        it->keep_next = keep_all || (i < n - 1 && (i < orphans - 1 || i >= n - widows));
    }
}

void flow_add_table(flow *f, table *t, double x, double space_before)
{
    vec_push(&f->tables, t);
    if (t->want > f->want)
        f->want = t->want;
    for (int row = 0; row < t->nrows; row++) {
        item *it = flow_push(f, ITEM_ROW);
        it->x = x;
        it->t = t;
        it->row = row;
        it->h = t->rows[row].height + 2 * t->pad;
        it->space_before = row == 0 ? space_before : 0;
        /* The header row keeps with the first row. */
        it->keep_next = t->rows[row].header && row + 1 < t->nrows;
    }
}

void flow_add_footnote(flow *f, int number, para *p)
{
    if (number < 1)
        return;
    if (number >= f->nfootnotes) {
        int n = number + 1;
        f->footnotes = xrealloc(f->footnotes, (size_t)n * sizeof *f->footnotes);
        for (int i = f->nfootnotes; i < n; i++)
            f->footnotes[i] = NULL;
        f->nfootnotes = n;
    }
    flow_own_para(f, p);
    f->footnotes[number] = p;
}

double footnote_height(const flow *f, int number)
{
    if (number < 1 || number >= f->nfootnotes || !f->footnotes[number])
        return 0;
    return f->footnotes[number]->height;
}

/* ---- pagination ---- */

#define MAX_MARKS 64

static int item_footnotes(const item *it, int *out)
{
    if (it->kind == ITEM_LINE)
        return para_line_footnotes(it->p, it->line, out, MAX_MARKS);
    if (it->kind != ITEM_ROW)
        return 0;
    int n = 0;
    const trow *tr = &it->t->rows[it->row];
    for (int col = 0; col < it->t->ncols && n < MAX_MARKS; col++) {
        const para *p = tr->cells[col].p;
        for (int i = 0; i < p->nlines && n < MAX_MARKS; i++)
            n += para_line_footnotes(p, i, out + n, MAX_MARKS - n);
    }
    return n;
}

static placed *place(page *pg, const item *it, double y, double h)
{
    if (pg->n == pg->cap) {
        pg->cap = pg->cap ? pg->cap * 2 : 64;
        pg->pl = xrealloc(pg->pl, (size_t)pg->cap * sizeof *pg->pl);
    }
    placed *p = &pg->pl[pg->n++];
    memset(p, 0, sizeof *p);
    p->it = it;
    p->y = y;
    p->h = h;
    return p;
}

static void add_footnote(page *pg, int n)
{
    pg->footnotes = xrealloc(pg->footnotes, (size_t)(pg->nfn + 1) * sizeof *pg->footnotes);
    pg->footnotes[pg->nfn++] = n;
}

/* The rest of a row from `from` (NULL: the whole row): its height with padding. */
static double row_rest(const table *t, int row, const int *from)
{
    double h = 0;
    for (int col = 0; col < t->ncols; col++) {
        const tcell *c = &t->rows[row].cells[col];
        int f = from ? from[col] : 0;
        double ch = c->tops[c->p->nlines] - c->tops[f];
        if (ch > h)
            h = ch;
    }
    if (!from)
        h = t->rows[row].height;
    return h + 2 * t->pad;
}

/* The part of a row from `from` that fits in avail: fills to, returns its
 * height with padding (0 when not one line fits). */
static double row_slice(const table *t, int row, const int *from, double avail, int *to)
{
    double content = avail - 2 * t->pad, h = 0;
    bool any = false;
    for (int col = 0; col < t->ncols; col++) {
        const tcell *c = &t->rows[row].cells[col];
        int f = from ? from[col] : 0, k = f;
        while (k < c->p->nlines && c->tops[k + 1] - c->tops[f] <= content + 0.01)
            k++;
        to[col] = k;
        if (k > f)
            any = true;
        if (c->tops[k] - c->tops[f] > h)
            h = c->tops[k] - c->tops[f];
    }
    return any ? h + 2 * t->pad : 0;
}

static bool row_done(const table *t, int row, const int *to)
{
    for (int col = 0; col < t->ncols; col++)
        if (to[col] < t->rows[row].cells[col].p->nlines)
            return false;
    return true;
}

static int *copy_ints(const int *a, int n)
{
    int *b = xmalloc((size_t)(n ? n : 1) * sizeof *b);
    memcpy(b, a, (size_t)n * sizeof *b);
    return b;
}

static void truncate_page(page *pg, int npl, int nfn, bool *fn_on)
{
    for (int k = npl; k < pg->n; k++) {
        free(pg->pl[k].from);
        free(pg->pl[k].to);
    }
    pg->n = npl;
    for (int k = nfn; k < pg->nfn; k++)
        fn_on[pg->footnotes[k]] = false;
    pg->nfn = nfn;
}

/* The last place on a page where it may end: after item i - 1. */
typedef struct break_point {
    int npl, i, nfn;
    bool valid;
} break_point;

void paginate(const flow *f, double H, pages *out)
{
    int cap = 8;
    out->n = 0;
    out->pg = xcalloc((size_t)cap, sizeof *out->pg);
    bool *fn_on = xcalloc((size_t)f->nfootnotes + 1, sizeof *fn_on);
    int *cont = NULL; /* the next lines of items[i] when it is a row split across pages */
    int i = 0;
    while (i < f->n) {
        if (out->n == cap) {
            cap *= 2;
            out->pg = xrealloc(out->pg, (size_t)cap * sizeof *out->pg);
        }
        page *pg = &out->pg[out->n++];
        memset(pg, 0, sizeof *pg);
        double y = 0, fnh = 0;
        break_point good = {0, 0, 0, false};
        bool first = true;
        while (i < f->n) {
            const item *it = &f->items[i];
            if (it->break_before && !first)
                break;
            double sb = first ? 0 : it->space_before;
            const table *t = it->kind == ITEM_ROW ? it->t : NULL;
            double hh = 0;
            if (first && t && t->has_header && it->row > 0)
                hh = t->rows[0].height + 2 * t->pad;
            int marks[MAX_MARKS];
            int nm = cont ? 0 : item_footnotes(it, marks);
            double fh = 0;
            int newfn = 0;
            for (int k = 0; k < nm; k++) {
                if (marks[k] < 0 || marks[k] > f->nfootnotes) /* a mark whose note is not here */
                    marks[k] = 0;
                bool dup = fn_on[marks[k]];
                for (int j = 0; j < k && !dup; j++)
                    dup = marks[j] == marks[k];
                if (!dup && footnote_height(f, marks[k]) > 0) {
                    fh += footnote_height(f, marks[k]);
                    newfn++;
                }
            }
            if (newfn && pg->nfn == 0)
                fh += f->footnote_sep;
            double h = t ? row_rest(t, it->row, cont) : it->h;
            if (y + sb + hh + h + fnh + fh <= H + 0.01) {
                if (hh) {
                    placed *hp = place(pg, &f->items[i - it->row], y, hh);
                    hp->repeated = true;
                    y += hh;
                }
                placed *p = place(pg, it, y + sb, h);
                if (cont) {
                    p->from = cont;
                    cont = NULL;
                }
                y += sb + h;
                fnh += fh;
                for (int k = 0; k < nm; k++) {
                    if (!fn_on[marks[k]] && footnote_height(f, marks[k]) > 0) {
                        fn_on[marks[k]] = true;
                        add_footnote(pg, marks[k]);
                    }
                }
                i++;
                first = false;
                if (!it->keep_next)
                    good = (break_point){pg->n, i, pg->nfn, true};
                continue;
            }
            /* It does not fit. A row taller than a page is split. */
            if (t && (cont || h > H - (t->has_header ? t->rows[0].height + 2 * t->pad : 0))) {
                int *to = xcalloc((size_t)t->ncols + 1, sizeof *to);
                double avail = H - y - sb - hh - fnh - fh;
                double sh = row_slice(t, it->row, cont, avail, to);
                if (sh > 0) {
                    if (hh) {
                        placed *hp = place(pg, &f->items[i - it->row], y, hh);
                        hp->repeated = true;
                        y += hh;
                    }
                    placed *p = place(pg, it, y + sb, sh);
                    p->from = cont ? cont : xcalloc((size_t)t->ncols + 1, sizeof *p->from);
                    p->to = to;
                    for (int k = 0; k < nm; k++) {
                        if (!fn_on[marks[k]] && footnote_height(f, marks[k]) > 0) {
                            fn_on[marks[k]] = true;
                            add_footnote(pg, marks[k]);
                        }
                    }
                    if (row_done(t, it->row, to)) {
                        cont = NULL;
                        i++;
                    } else {
                        cont = copy_ints(to, t->ncols);
                    }
                    break;
                }
                free(to);
                if (!first)
                    break;
            }
            if (good.valid && good.npl > 0) {
                truncate_page(pg, good.npl, good.nfn, fn_on);
                i = good.i;
                break;
            }
            if (first) {
                /* Taller than a page and not splittable: it overflows. */
                placed *p = place(pg, it, y, h);
                if (cont) {
                    p->from = cont;
                    cont = NULL;
                }
                for (int k = 0; k < nm; k++) {
                    if (!fn_on[marks[k]]) {
                        fn_on[marks[k]] = true;
                        add_footnote(pg, marks[k]);
                    }
                }
                i++;
            }
            break; /* no place to break well: break before this item */
        }
    }
    free(cont);
    free(fn_on);
}

void pages_free(pages *ps)
{
    for (int k = 0; k < ps->n; k++) {
        page *pg = &ps->pg[k];
        for (int j = 0; j < pg->n; j++) {
            free(pg->pl[j].from);
            free(pg->pl[j].to);
        }
        free(pg->pl);
        free(pg->footnotes);
    }
    free(ps->pg);
    ps->pg = NULL;
    ps->n = 0;
}
