#include "render/pdf/draw.h"

#include <pango/pangocairo.h>

#include <cairo-pdf.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "diag/diag.h"

void pdf_doc_open(pdf_doc *d, pdf_ctx *c, const char *path, bool landscape, const pdf_meta *meta)
{
    const pdf_style *st = c->st;
    memset(d, 0, sizeof *d);
    d->c = c;
    d->st = st;
    d->path = xstrdup(path);
    d->draft = meta->draft;
    d->width = landscape ? st->page_height : st->page_width;
    d->height = landscape ? st->page_width : st->page_height;
    d->left = st->margin_left;
    d->top = st->margin_top;
    d->body_width = d->width - st->margin_left - st->margin_right;
    d->body_height = d->height - st->margin_top - st->margin_bottom;
    unlink(path); /* a file of its own, not written through a link (core/outdir.h) */
    d->surface = cairo_pdf_surface_create(path, d->width, d->height);
    cairo_pdf_surface_restrict_to_version(d->surface, CAIRO_PDF_VERSION_1_5);
    if (meta->title)
        cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, meta->title);
    if (meta->author)
        cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_AUTHOR, meta->author);
    if (meta->subject)
        cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_SUBJECT, meta->subject);
    if (meta->keywords)
        cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_KEYWORDS, meta->keywords);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "policygen");
    /* Cairo would stamp the clock: dates come from the content instead, so
     * a rebuild writes the same bytes. */
    const char *date = meta->date ? meta->date : "2000-01-01T00:00:00+08:00";
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_MOD_DATE, date);
    d->cr = cairo_create(d->surface);
    /* Pitfall 8: with links but no structure root, Cairo 1.16 writes a
     * cross-reference table that points at objects it never writes. */
    cairo_tag_begin(d->cr, "Document", NULL);
}

bool pdf_doc_close(pdf_doc *d)
{
    d->c->pages = d->page_no;
    cairo_tag_end(d->cr, "Document");
    cairo_status_t cs = cairo_status(d->cr);
    cairo_destroy(d->cr);
    cairo_surface_finish(d->surface);
    cairo_status_t ss = cairo_surface_status(d->surface);
    cairo_surface_destroy(d->surface);
    bool ok = cs == CAIRO_STATUS_SUCCESS && ss == CAIRO_STATUS_SUCCESS;
    if (!ok) {
        diag_error(d->c->diags, srcpos_file(d->path), "pdf", "cannot write the PDF: %s",
                   cairo_status_to_string(cs != CAIRO_STATUS_SUCCESS ? cs : ss));
    }
    free(d->path);
    d->path = NULL;
    return ok;
}

void pdf_doc_outline(pdf_doc *d, int level, const char *title, const char *dest)
{
    if (level < 1)
        level = 1;
    if (level > PDF_HEADING_LEVELS + 1)
        level = PDF_HEADING_LEVELS + 1;
    char *q = pdf_quote(dest);
    char *attrs = xasprintf("dest=%s", q);
    int id = cairo_pdf_surface_add_outline(d->surface, d->outline[level - 1], title, attrs, 0);
    free(attrs);
    free(q);
    for (int l = level; l < PDF_HEADING_LEVELS + 2; l++)
        d->outline[l] = id;
}

void pdf_doc_dest(pdf_doc *d, const char *name, double x, double y)
{
    char *q = pdf_quote(name);
    char *attrs = xasprintf("name=%s x=%.2f y=%.2f", q, x, y);
    cairo_tag_begin(d->cr, CAIRO_TAG_DEST, attrs);
    cairo_tag_end(d->cr, CAIRO_TAG_DEST);
    free(attrs);
    free(q);
}

double pdf_doc_text(pdf_doc *d, const char *s, const text_style *ts, double x, double baseline,
                    para_align align, double width)
{
    rich r;
    rich_init(&r, ts->font, ts->size);
    r.cur = *ts;
    rich_appends(&r, s);
    para_opts o = {.width = width, .line_height = 1.2, .align = align, .wrap_words = true};
    para *p = para_new(d->c, &r, &o);
    double w = 0;
    pdf_draw dr = {d->cr, d->st};
    double top = p->nlines ? baseline - p->lines[0].baseline : baseline;
    for (int i = 0; i < p->nlines; i++) {
        para_draw_line(&dr, p, i, x, top);
        top += p->lines[i].height;
        if (p->lines[i].width > w)
            w = p->lines[i].width;
    }
    para_free(p);
    return w;
}

static void set_rule(pdf_doc *d, double width)
{
    const pdf_rgb *c = &d->st->rule_color;
    cairo_set_source_rgb(d->cr, c->r, c->g, c->b);
    cairo_set_line_width(d->cr, width);
}

/* A draft (the last revisions row not approved) says so on every page: a
 * large, light mark across the page and a label in the header band. */
static void draw_draft_mark(pdf_doc *d)
{
    cairo_t *cr = d->cr;
    PangoLayout *layout = pango_layout_new(d->c->pango);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, d->st->heading_font);
    pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
    pango_font_description_set_absolute_size(fd, 120 * PANGO_SCALE);
    pango_layout_set_font_description(layout, fd);
    pango_layout_set_text(layout, "草案", -1);
    int w, h;
    pango_layout_get_size(layout, &w, &h);
    cairo_save(cr);
    cairo_translate(cr, d->width / 2, d->height / 2);
    cairo_rotate(cr, -0.6);
    cairo_set_source_rgba(cr, 0.75, 0.1, 0.1, 0.13);
    cairo_move_to(cr, -(double)w / PANGO_SCALE / 2, -(double)h / PANGO_SCALE / 2);
    pango_cairo_show_layout(cr, layout);
    cairo_restore(cr);

    pango_font_description_set_absolute_size(fd, (d->st->header_size + 1) * PANGO_SCALE);
    pango_layout_set_font_description(layout, fd);
    pango_layout_set_text(layout, "草案（未經核定）", -1);
    pango_layout_get_size(layout, &w, &h);
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.7, 0.1, 0.1);
    cairo_move_to(cr, d->left + (d->body_width - (double)w / PANGO_SCALE) / 2,
                  d->st->header_offset - d->st->header_size * 2.6);
    pango_cairo_show_layout(cr, layout);
    cairo_restore(cr);
    pango_font_description_free(fd);
    g_object_unref(layout);
}

static void draw_header_footer(pdf_doc *d)
{
    const pdf_style *st = d->st;
    text_style ts = {PDF_FONT_BODY, false, false, false, st->header_size};
    double hy = st->header_offset;
    double w = d->body_width;
    if (d->head_left)
        pdf_doc_text(d, d->head_left, &ts, d->left, hy, ALIGN_LEFT, w);
    if (d->head_center)
        pdf_doc_text(d, d->head_center, &ts, d->left, hy, ALIGN_CENTER, w);
    if (d->head_right)
        pdf_doc_text(d, d->head_right, &ts, d->left, hy, ALIGN_RIGHT, w);
    if (st->header_rule > 0) {
        set_rule(d, st->header_rule);
        double ry = st->header_offset + st->header_size * 0.45;
        cairo_move_to(d->cr, d->left, ry);
        cairo_line_to(d->cr, d->left + w, ry);
        cairo_stroke(d->cr);
    }
    char foot[96];
    snprintf(foot, sizeof foot, "第 %d 頁，共 %d 頁", d->page_no, d->page_total);
    double fy = d->height - st->footer_offset;
    pdf_doc_text(d, foot, &ts, d->left, fy, ALIGN_CENTER, w);
}

static void draw_row(pdf_doc *d, const placed *pl, double x0, double y0)
{
    const table *t = pl->it->t;
    const trow *tr = &t->rows[pl->it->row];
    cairo_t *cr = d->cr;
    pdf_draw dr = {cr, d->st};
    double x = x0 + pl->it->x, y = y0 + pl->y, h = pl->h;
    if (tr->header) {
        const pdf_rgb *f = &d->st->table_header_fill;
        cairo_set_source_rgb(cr, f->r, f->g, f->b);
        cairo_rectangle(cr, x, y, t->width, h);
        cairo_fill(cr);
    }
    for (int col = 0; col < t->ncols; col++) {
        const tcell *c = &tr->cells[col];
        int from = pl->from ? pl->from[col] : 0;
        int to = pl->to ? pl->to[col] : c->p->nlines;
        double cy = y + t->pad;
        if (tr->header) /* header cells are centred vertically */
            cy += (h - 2 * t->pad - (c->tops[to] - c->tops[from])) / 2;
        for (int i = from; i < to; i++)
            para_draw_line(&dr, c->p, i, x + t->col_x[col] + t->pad + t->rule / 2,
                           cy + c->tops[i] - c->tops[from]);
    }
    /* The grid: each slice draws its own box, so a split row is closed on both pages. */
    set_rule(d, t->rule);
    for (int col = 0; col <= t->ncols; col++) {
        cairo_move_to(cr, x + t->col_x[col], y);
        cairo_line_to(cr, x + t->col_x[col], y + h);
    }
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + t->width, y);
    cairo_move_to(cr, x, y + h);
    cairo_line_to(cr, x + t->width, y + h);
    cairo_stroke(cr);
}

static void draw_footnotes(pdf_doc *d, const flow *f, const page *pg)
{
    if (!pg->nfn)
        return;
    double h = 0;
    for (int k = 0; k < pg->nfn; k++)
        h += footnote_height(f, pg->footnotes[k]);
    double y = d->top + d->body_height - h;
    set_rule(d, d->st->footnote_rule);
    double ry = y - f->footnote_sep / 2;
    cairo_move_to(d->cr, d->left, ry);
    cairo_line_to(d->cr, d->left + d->body_width / 3, ry);
    cairo_stroke(d->cr);
    pdf_draw dr = {d->cr, d->st};
    for (int k = 0; k < pg->nfn; k++) {
        int n = pg->footnotes[k];
        const para *p = f->footnotes[n];
        char name[32];
        snprintf(name, sizeof name, "fn-%d", n);
        pdf_doc_dest(d, name, d->left, y);
        for (int i = 0; i < p->nlines; i++) {
            para_draw_line(&dr, p, i, d->left, y);
            y += p->lines[i].height;
        }
    }
}

/* A dot leader from the end of a contents line to its page number, the
 * dots on a grid so that they line up from one line to the next. */
static void draw_leader(pdf_doc *d, const item *it, double x, double y)
{
    const pline *pl = &it->p->lines[it->line];
    text_style ts = {PDF_FONT_BODY, false, false, false, d->st->size};
    double right = d->left + d->body_width;
    double numw = text_width(d->c, it->leader, &ts);
    double base = y + pl->baseline;
    double step = d->st->size * 0.5;
    double from = x + pl->x + pl->width + step * 0.6;
    double to = right - numw - step * 0.6;
    const pdf_rgb *c = &d->st->text_color;
    cairo_set_source_rgb(d->cr, c->r, c->g, c->b);
    for (double dx = ceil((from - d->left) / step) * step + d->left; dx <= to; dx += step) {
        cairo_arc(d->cr, dx, base - d->st->size * 0.08, d->st->size * 0.06, 0, 2 * M_PI);
        cairo_fill(d->cr);
    }
    pdf_doc_text(d, it->leader, &ts, right - numw - 1, base, ALIGN_RIGHT, numw + 1);
}

void pdf_doc_page(pdf_doc *d, const flow *f, const page *pg, bool bare)
{
    cairo_t *cr = d->cr;
    pdf_draw dr = {cr, d->st};
    d->page_no++;
    for (int k = 0; pg && k < pg->n; k++) {
        const placed *pl = &pg->pl[k];
        const item *it = pl->it;
        double x = d->left + it->x, y = d->top + pl->y;
        if (it->dest && !pl->repeated)
            pdf_doc_dest(d, it->dest, x, y);
        if (it->outline && !pl->repeated)
            pdf_doc_outline(d, it->outline_level, it->outline, it->dest);
        switch (it->kind) {
        case ITEM_LINE:
            if (it->marker) {
                double dy = it->p->lines[it->line].baseline - it->marker->lines[0].baseline;
                para_draw_line(&dr, it->marker, 0, d->left + it->marker_x, y + dy);
            }
            if (it->link) {
                char *attrs = xasprintf("rect=[%.2f %.2f %.2f %.2f] %s", x, y,
                                        d->left + d->body_width - x, it->h, it->link);
                cairo_tag_begin(cr, CAIRO_TAG_LINK, attrs);
                free(attrs);
            }
            para_draw_line(&dr, it->p, it->line, x, y);
            if (it->leader)
                draw_leader(d, it, x, y);
            if (it->link)
                cairo_tag_end(cr, CAIRO_TAG_LINK);
            break;
        case ITEM_ROW:
            draw_row(d, pl, d->left, d->top);
            break;
        case ITEM_RULE:
            set_rule(d, 0.5);
            cairo_move_to(cr, x, y + it->h / 2);
            cairo_line_to(cr, x + it->rule_w, y + it->h / 2);
            cairo_stroke(cr);
            break;
        }
    }
    if (pg)
        draw_footnotes(d, f, pg);
    if (!bare)
        draw_header_footer(d);
    if (d->draft)
        draw_draft_mark(d);
    cairo_show_page(cr);
}
