#include "render/pdf/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

#define PU ((double)PANGO_SCALE)

/* ---- per-thread context ---- */

void pdf_ctx_init(pdf_ctx *c, const pdf_style *st)
{
    c->st = st;
    c->fontmap = pango_cairo_font_map_new();
    c->pango = pango_font_map_create_context(c->fontmap);
    pango_cairo_context_set_resolution(c->pango, 72); /* pitfall 1 */
    cairo_font_options_t *fo = cairo_font_options_create();
    /* Print metrics: unhinted, so what is measured is what is drawn. */
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(c->pango, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_language(c->pango, pango_language_from_string("zh-tw"));
    pango_context_set_base_dir(c->pango, PANGO_DIRECTION_LTR);
}

void pdf_ctx_free(pdf_ctx *c)
{
    if (c->pango)
        g_object_unref(c->pango);
    if (c->fontmap)
        g_object_unref(c->fontmap);
    c->pango = NULL;
    c->fontmap = NULL;
}

static const char *family(const pdf_style *st, pdf_font f)
{
    switch (f) {
    case PDF_FONT_HEADING: return st->heading_font;
    case PDF_FONT_MONO: return st->mono_font;
    case PDF_FONT_BODY: break;
    }
    return st->body_font;
}

static PangoFontDescription *font_desc(const pdf_style *st, const text_style *ts)
{
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, family(st, ts->font));
    pango_font_description_set_weight(fd, ts->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(fd, ts->italic ? PANGO_STYLE_OBLIQUE : PANGO_STYLE_NORMAL);
    pango_font_description_set_size(fd, (gint)lround(ts->size * PU));
    return fd;
}

/* ---- rich text ---- */

void rich_init(rich *r, pdf_font font, double size)
{
    memset(r, 0, sizeof *r);
    sb_init(&r->text);
    r->cur.font = font;
    r->cur.size = size;
    r->cur_link = -1;
}

void rich_free(rich *r)
{
    sb_free(&r->text);
    free(r->spans);
    for (size_t i = 0; i < r->nlinks; i++)
        free(r->links[i]);
    free(r->links);
    memset(r, 0, sizeof *r);
}

static bool same_style(const text_style *a, const text_style *b)
{
    return a->font == b->font && a->bold == b->bold && a->italic == b->italic &&
           a->strike == b->strike && a->size == b->size;
}

static void push_span(rich *r, size_t start, size_t end, int fnref, bool first)
{
    if (start == end)
        return;
    if (r->nspans && !fnref) {
        tspan *last = &r->spans[r->nspans - 1];
        if (last->end == start && !last->fnref && last->link == r->cur_link &&
            same_style(&last->style, &r->cur)) {
            last->end = end;
            return;
        }
    }
    if (r->nspans == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->spans = xrealloc(r->spans, r->cap * sizeof *r->spans);
    }
    r->spans[r->nspans++] = (tspan){start, end, r->cur, r->cur_link, fnref, first};
}

void rich_append(rich *r, const char *s, size_t n)
{
    size_t start = r->text.len;
    /* Tabs and other controls would show as boxes. */
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\t' || ch == '\r')
            ch = ' ';
        if ((unsigned char)ch < 0x20 && ch != '\n')
            continue;
        sb_appendc(&r->text, ch);
    }
    push_span(r, start, r->text.len, 0, false);
}

void rich_appends(rich *r, const char *s)
{
    rich_append(r, s, strlen(s));
}

void rich_begin_link(rich *r, const char *attrs)
{
    r->links = xrealloc(r->links, (r->nlinks + 1) * sizeof *r->links);
    r->links[r->nlinks] = xstrdup(attrs);
    r->cur_link = (int)r->nlinks++;
}

void rich_end_link(rich *r)
{
    r->cur_link = -1;
}

void rich_footnote_mark(rich *r, int n, bool first)
{
    text_style saved = r->cur;
    int saved_link = r->cur_link;
    char num[16];
    snprintf(num, sizeof num, "%d", n);
    char *attrs = xasprintf("dest='fn-%d'", n);
    rich_begin_link(r, attrs);
    free(attrs);
    r->cur.size = saved.size * 0.62;
    r->cur.font = PDF_FONT_BODY;
    r->cur.bold = false;
    size_t start = r->text.len;
    sb_append(&r->text, num);
    push_span(r, start, r->text.len, n, first);
    r->cur = saved;
    r->cur_link = saved_link;
}

bool rich_empty(const rich *r)
{
    for (size_t i = 0; i < r->text.len; i++)
        if (r->text.data[i] != ' ' && r->text.data[i] != '\n')
            return false;
    return true;
}

void rich_trim_end(rich *r)
{
    while (r->text.len && (r->text.data[r->text.len - 1] == ' ' || r->text.data[r->text.len - 1] == '\n'))
        r->text.data[--r->text.len] = '\0';
    while (r->nspans && r->spans[r->nspans - 1].start >= r->text.len)
        r->nspans--;
    if (r->nspans && r->spans[r->nspans - 1].end > r->text.len)
        r->spans[r->nspans - 1].end = r->text.len;
}

/* ---- layout ---- */

/* A label's value that ends a line ("系統管理人員：陳素梅") and is two to
 * four Chinese characters (a name, a unit) is not broken inside: a narrow
 * table column would otherwise leave its last character alone on a line. */
#define SHORT_VALUE_MAX 4

static bool is_han(gunichar ch)
{
    return g_unichar_get_script(ch) == G_UNICODE_SCRIPT_HAN;
}

static void keep_short_values(const rich *r, PangoAttrList *al)
{
    const char *text = r->text.data ? r->text.data : "", *end = text + r->text.len;
    if (!strstr(text, "：")) /* most paragraphs: no label */
        return;
    for (const char *line = text; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            eol = end;
        /* The last full-width colon of the line, and what follows it. */
        const char *value = NULL;
        for (const char *p = line; p < eol; p = g_utf8_next_char(p))
            if (g_utf8_get_char(p) == 0xFF1A)
                value = g_utf8_next_char(p);
        int n = 0;
        const char *p = value;
        while (p && p < eol && n <= SHORT_VALUE_MAX && is_han(g_utf8_get_char(p))) {
            p = g_utf8_next_char(p);
            n++;
        }
        if (value && p == eol && n >= 2 && n <= SHORT_VALUE_MAX) {
            PangoAttribute *a = pango_attr_allow_breaks_new(FALSE);
            a->start_index = (guint)(value - text);
            a->end_index = (guint)(eol - text);
            pango_attr_list_insert(al, a);
        }
        line = eol + 1;
    }
}

static PangoLayout *make_layout(pdf_ctx *c, const rich *r, const text_style *base)
{
    PangoLayout *l = pango_layout_new(c->pango);
    PangoFontDescription *fd = font_desc(c->st, base);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(l, r->text.data ? r->text.data : "", (int)r->text.len);
    PangoAttrList *al = pango_attr_list_new();
    for (size_t i = 0; i < r->nspans; i++) {
        const tspan *sp = &r->spans[i];
        PangoFontDescription *sfd = font_desc(c->st, &sp->style);
        PangoAttribute *a = pango_attr_font_desc_new(sfd);
        pango_font_description_free(sfd);
        a->start_index = (guint)sp->start;
        a->end_index = (guint)sp->end;
        pango_attr_list_insert(al, a);
        if (sp->link >= 0) {
            /* Also splits glyph runs at link boundaries, so every run belongs to one span. */
            const pdf_rgb *col = &c->st->link_color;
            a = pango_attr_foreground_new((guint16)(col->r * 65535), (guint16)(col->g * 65535),
                                          (guint16)(col->b * 65535));
            a->start_index = (guint)sp->start;
            a->end_index = (guint)sp->end;
            pango_attr_list_insert(al, a);
        }
    }
    keep_short_values(r, al);
    pango_layout_set_attributes(l, al);
    pango_attr_list_unref(al);
    return l;
}

static const tspan *span_at(const rich *r, size_t offset)
{
    size_t lo = 0, hi = r->nspans;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->spans[mid].end <= offset)
            lo = mid + 1;
        else if (r->spans[mid].start > offset)
            hi = mid;
        else
            return &r->spans[mid];
    }
    return NULL;
}

/* Fullwidth punctuation: where its blank half lies. */
static bool is_open(gunichar ch)
{
    switch (ch) {
    case 0xFF08: case 0x300C: case 0x300E: case 0x3010: case 0x3014: case 0x300A:
    case 0x3008: case 0xFF3B: case 0xFF5B: case 0x3016: case 0x3018:
        return true;
    }
    return false;
}

static bool is_close(gunichar ch)
{
    switch (ch) {
    case 0xFF09: case 0x300D: case 0x300F: case 0x3011: case 0x3015: case 0x300B:
    case 0x3009: case 0xFF3D: case 0xFF5D: case 0x3017: case 0x3019:
        return true;
    }
    return false;
}

/* Centred in Traditional Chinese fonts: 、。，．：；！？ */
static bool is_middle(gunichar ch)
{
    switch (ch) {
    case 0x3001: case 0x3002: case 0xFF0C: case 0xFF0E: case 0xFF1A: case 0xFF1B:
    case 0xFF01: case 0xFF1F:
        return true;
    }
    return false;
}

static bool is_space(gunichar ch)
{
    return ch == ' ' || ch == '\n' || ch == 0xA0;
}

static bool is_wide(gunichar ch)
{
    return ch >= 0x2E80 || (ch >= 0x2460 && ch <= 0x27BF); /* CJK, and circled digits, boxes */
}

typedef struct cluster {
    PangoGlyphItem *run;
    int first, last; /* glyph indices in run */
    gunichar ch;
    bool mark;       /* a footnote mark */
} cluster;

/* The clusters of a line in visual (= logical: the text is left to right) order. */
static int line_clusters(const para *p, PangoLayoutLine *line, cluster **out, int *cap)
{
    int n = 0;
    for (GSList *rl = line->runs; rl; rl = rl->next) {
        PangoGlyphItem *run = rl->data;
        PangoGlyphString *gs = run->glyphs;
        const tspan *sp = span_at(&p->r, (size_t)run->item->offset);
        for (int i = 0; i < gs->num_glyphs; i++) {
            if (i > 0 && gs->log_clusters[i] == gs->log_clusters[i - 1]) {
                (*out)[n - 1].last = i;
                continue;
            }
            if (n == *cap) {
                *cap = *cap ? *cap * 2 : 64;
                *out = xrealloc(*out, (size_t)*cap * sizeof **out);
            }
            size_t off = (size_t)run->item->offset + (size_t)gs->log_clusters[i];
            gunichar ch = off < p->r.text.len ? g_utf8_get_char(p->r.text.data + off) : ' ';
            (*out)[n++] = (cluster){run, i, i, ch, sp && sp->fnref};
        }
    }
    return n;
}

static int cluster_width(const cluster *c)
{
    int w = 0;
    for (int i = c->first; i <= c->last; i++)
        w += c->run->glyphs->glyphs[i].geometry.width;
    return w;
}

static void narrow_right(cluster *c, int by)
{
    c->run->glyphs->glyphs[c->last].geometry.width -= by;
}

static void narrow_left(cluster *c, int by)
{
    c->run->glyphs->glyphs[c->first].geometry.width -= by;
    c->run->glyphs->glyphs[c->first].geometry.x_offset -= by;
}

/* Compression (pitfall 3), trailing spaces, and justification (pitfall 2).
 * Returns the line's width in Pango units. */
static int finish_line(para *p, PangoLayoutLine *line, int avail, bool justify, double size,
                       double max_gap, bool compress, cluster **buf, int *cap)
{
    int n = line_clusters(p, line, buf, cap);
    cluster *cl = *buf;
    /* Spaces at the end of a line take no room. */
    int end = n;
    while (end > 0 && is_space(cl[end - 1].ch)) {
        for (int i = cl[end - 1].first; i <= cl[end - 1].last; i++)
            cl[end - 1].run->glyphs->glyphs[i].geometry.width = 0;
        end--;
    }
    if (compress) {
        for (int k = 0; k < end; k++) {
            int w = cluster_width(&cl[k]);
            int half = w / 2;
            if (w < (int)(size * 0.8 * PU))
                continue; /* not a fullwidth form */
            gunichar next = k + 1 < end ? cl[k + 1].ch : 0;
            gunichar prev = k > 0 ? cl[k - 1].ch : 0;
            if (is_close(cl[k].ch)) {
                if (is_close(next) || is_open(next) || is_middle(next))
                    narrow_right(&cl[k], half);
            } else if (is_open(cl[k].ch)) {
                if (is_open(prev) || is_middle(prev))
                    narrow_left(&cl[k], half);
            }
        }
    }
    int width = 0;
    for (int k = 0; k < end; k++)
        width += cluster_width(&cl[k]);
    if (!justify || width >= avail || end < 2)
        return width;
    int gaps = 0;
    for (int k = 0; k + 1 < end; k++) {
        bool inside_word = !is_wide(cl[k].ch) && !is_wide(cl[k + 1].ch) && !is_space(cl[k].ch) &&
                           !is_space(cl[k + 1].ch);
        if (!inside_word && !cl[k + 1].mark)
            gaps++;
    }
    if (!gaps)
        return width;
    double slack = avail - width;
    double per = slack / gaps;
    double limit = max_gap * size * PU;
    if (per > limit)
        per = limit;
    /* Whole Pango units, the remainder spread over the first gaps. */
    int each = (int)per;
    int extra = per < limit ? (int)(slack - (double)each * gaps) : 0;
    for (int k = 0; k + 1 < end; k++) {
        bool inside_word = !is_wide(cl[k].ch) && !is_wide(cl[k + 1].ch) && !is_space(cl[k].ch) &&
                           !is_space(cl[k + 1].ch);
        if (inside_word || cl[k + 1].mark)
            continue;
        int add = each + (extra > 0 ? 1 : 0);
        if (extra > 0)
            extra--;
        cl[k].run->glyphs->glyphs[cl[k].last].geometry.width += add;
        width += add;
    }
    return width;
}

para *para_new(pdf_ctx *c, rich *r, const para_opts *o)
{
    para *p = xcalloc(1, sizeof *p);
    p->r = *r;
    memset(r, 0, sizeof *r);
    if (!p->r.text.data)
        sb_init(&p->r.text);
    if (c->text_log) {
        sb_appendn(c->text_log, p->r.text.data, p->r.text.len);
        sb_appendc(c->text_log, '\n');
    }
    p->width = o->width;
    /* The base style: the first span's, else the rich text's own. */
    text_style base = p->r.cur;
    base.strike = false;
    p->base_size = base.size;
    p->layout = make_layout(c, &p->r, &base);
    PangoLayout *l = p->layout;
    pango_layout_set_width(l, (int)(o->width * PU));
    pango_layout_set_wrap(l, o->wrap_words ? PANGO_WRAP_WORD : PANGO_WRAP_WORD_CHAR);
    pango_layout_set_indent(l, (int)(o->indent * PU));
    p->nlines = pango_layout_get_line_count(l);
    p->lines = xcalloc((size_t)(p->nlines ? p->nlines : 1), sizeof *p->lines);
    double pitch = base.size * o->line_height;
    cluster *buf = NULL;
    int cap = 0;
    int i = 0;
    GSList *lines = pango_layout_get_lines(l);
    for (GSList *it = lines; it; it = it->next, i++) {
        PangoLayoutLine *line = it->data;
        pline *pl = &p->lines[i];
        pl->line = line;
        pl->start = (size_t)line->start_index;
        pl->end = (size_t)(line->start_index + line->length);
        PangoRectangle logical;
        pango_layout_line_get_extents(line, NULL, &logical);
        double asc = -logical.y / PU, h = logical.height / PU;
        pl->height = h > pitch ? h : pitch;
        pl->baseline = (pl->height - h) / 2 + asc;
        double x = 0;
        if (o->indent > 0 && line->is_paragraph_start)
            x = o->indent;
        else if (o->indent < 0 && !line->is_paragraph_start)
            x = -o->indent;
        double avail = o->width - x;
        bool last = !it->next || ((PangoLayoutLine *)it->next->data)->is_paragraph_start;
        bool justify = o->align == ALIGN_JUSTIFY && !last;
        int w = finish_line(p, line, (int)(avail * PU), justify, base.size, c->st->max_gap,
                            c->st->compress_punctuation, &buf, &cap);
        pl->width = w / PU;
        if (o->align == ALIGN_CENTER)
            x += (avail - pl->width) / 2;
        else if (o->align == ALIGN_RIGHT)
            x += avail - pl->width;
        pl->x = x;
        p->height += pl->height;
    }
    free(buf);
    return p;
}

void para_free(para *p)
{
    if (!p)
        return;
    g_object_unref(p->layout);
    rich_free(&p->r);
    free(p->lines);
    free(p);
}

int para_line_footnotes(const para *p, int i, int *out, int max)
{
    int n = 0;
    const pline *pl = &p->lines[i];
    for (size_t k = 0; k < p->r.nspans && n < max; k++) {
        const tspan *sp = &p->r.spans[k];
        if (sp->fnref && sp->fnref_first && sp->start >= pl->start && sp->start < pl->end)
            out[n++] = sp->fnref;
    }
    return n;
}

void rich_measure(pdf_ctx *c, const rich *r, double *min_content, double *max_content)
{
    text_style base = r->cur;
    PangoLayout *l = make_layout(c, r, &base);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    *max_content = w / PU;
    pango_layout_set_width(l, 1);
    pango_layout_set_wrap(l, PANGO_WRAP_WORD);
    int widest = 0;
    for (GSList *it = pango_layout_get_lines_readonly(l); it; it = it->next) {
        PangoRectangle logical;
        pango_layout_line_get_extents(it->data, NULL, &logical);
        if (logical.width > widest)
            widest = logical.width;
    }
    *min_content = widest / PU;
    g_object_unref(l);
}

double text_width(pdf_ctx *c, const char *s, const text_style *ts)
{
    PangoLayout *l = pango_layout_new(c->pango);
    PangoFontDescription *fd = font_desc(c->st, ts);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(l, s, -1);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    g_object_unref(l);
    return w / PU;
}

/* ---- drawing ---- */

char *pdf_quote(const char *s)
{
    strbuf sb;
    sb_init(&sb);
    sb_appendc(&sb, '\'');
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\')
            sb_appendc(&sb, '\\');
        sb_appendc(&sb, *s);
    }
    sb_appendc(&sb, '\'');
    return sb_take(&sb);
}

static int run_width(const PangoGlyphItem *run)
{
    int w = 0;
    for (int i = 0; i < run->glyphs->num_glyphs; i++)
        w += run->glyphs->glyphs[i].geometry.width;
    return w;
}

void para_draw_line(pdf_draw *d, const para *p, int i, double x, double y)
{
    cairo_t *cr = d->cr;
    const pline *pl = &p->lines[i];
    double cx = x + pl->x;
    double base = y + pl->baseline;
    for (GSList *rl = pl->line->runs; rl; rl = rl->next) {
        PangoGlyphItem *run = rl->data;
        double w = run_width(run) / PU;
        const tspan *sp = span_at(&p->r, (size_t)run->item->offset);
        bool link = sp && sp->link >= 0;
        const pdf_rgb *col = link ? &d->st->link_color : &d->st->text_color;
        double rise = sp && sp->fnref ? p->base_size * 0.38 : 0;
        if (sp && sp->fnref && sp->fnref_first) {
            char *dest = xasprintf("name='fnref-%d' x=%.2f y=%.2f", sp->fnref, cx, y);
            cairo_tag_begin(cr, CAIRO_TAG_DEST, dest);
            cairo_tag_end(cr, CAIRO_TAG_DEST);
            free(dest);
        }
        if (link) {
            char *attrs = xasprintf("rect=[%.2f %.2f %.2f %.2f] %s", cx, y, w, pl->height,
                                    p->r.links[sp->link]);
            cairo_tag_begin(cr, CAIRO_TAG_LINK, attrs);
            free(attrs);
        }
        cairo_set_source_rgb(cr, col->r, col->g, col->b);
        cairo_move_to(cr, cx, base - rise);
        pango_cairo_show_glyph_item(cr, p->r.text.data, run);
        if (sp && sp->style.strike) {
            double t = sp->style.size * 0.06;
            cairo_rectangle(cr, cx, base - sp->style.size * 0.32 - t / 2, w, t);
            cairo_fill(cr);
        }
        if (link)
            cairo_tag_end(cr, CAIRO_TAG_LINK);
        cx += w;
    }
}
