/* The plan: cover with signature boxes, revision table, table of contents
 * with page numbers, and the chapters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/map.h"
#include "core/xalloc.h"
#include "registers/registers.h"
#include "render/pdf/body.h"
#include "render/pdf/docs.h"
#include "render/pdf/draw.h"

static void builder_init(pdf_builder *b, pdf_ctx *c, const pdf_env *env, flow *f, double width)
{
    memset(b, 0, sizeof *b);
    b->c = c;
    b->st = env->st;
    b->f = f;
    b->s = env->s;
    b->aud = env->opts->audience;
    b->roc = env->roc;
    b->plan = true;
    b->width = width;
    b->space = -1;
    b->outline_base = 1;
    f->footnote_sep = env->st->footnote_gap + env->st->footnote_rule;
}

/* ---- table of contents ---- */

typedef struct toc_entry {
    const section *sec;
    char *dest;
    int page; /* from 1, in the whole file */
} toc_entry;

static void build_toc(pdf_ctx *c, const pdf_env *env, flow *f, double width, toc_entry *e, int n)
{
    const pdf_style *st = env->st;
    pdf_builder b;
    builder_init(&b, c, env, f, width);
    pdf_build_heading(&b, 1, "", st->toc_title, NULL, "toc", 1, true);
    b.space = st->size;
    text_style num = {PDF_FONT_BODY, false, false, false, st->size};
    double numw = text_width(c, "0000", &num) + st->size;
    for (int k = 0; k < n; k++) {
        const section *s = e[k].sec;
        int level = s->level;
        bool chapter = level == 1;
        text_style ts = {chapter ? PDF_FONT_HEADING : PDF_FONT_BODY, chapter, false, false, st->size};
        rich r;
        rich_init(&r, ts.font, ts.size);
        r.cur = ts;
        const char *label = s->label ? s->label : "";
        size_t ll = strlen(label);
        bool glued = ll == 0 || (ll >= 3 && strcmp(label + ll - 3, "、") == 0);
        char *lab = xasprintf("%s%s", label, glued ? "" : " ");
        rich_appends(&r, lab);
        rich_appends(&r, s->title);
        double x = (level - 1) * 2 * st->size;
        para_opts o = {
            .width = width - x - numw,
            .indent = -text_width(c, lab, &ts),
            .line_height = st->line_height,
        };
        free(lab);
        para *p = para_new(c, &r, &o);
        int first = f->n;
        flow_add_para(f, p, x, chapter && k > 0 ? st->size * 0.4 : 0, false, 1, 1);
        for (int i = first; i < f->n; i++) {
            item *it = &f->items[i];
            it->keep_next = i + 1 < f->n; /* an entry is not split */
            it->link = xasprintf("dest='%s'", e[k].dest);
            if (i + 1 == f->n)
                it->leader = xasprintf("%d", e[k].page);
        }
    }
}

/* ---- cover ---- */

static void draw_cover(pdf_doc *d, const pdf_env *env)
{
    const pdf_style *st = env->st;
    const site_config *cfg = &env->s->config;
    cairo_t *cr = d->cr;
    double w = d->body_width, x = d->left;
    pdf_doc_dest(d, "cover", x, d->top);
    pdf_doc_outline(d, 1, "封面", "cover");
    text_style org = {PDF_FONT_HEADING, true, false, false, st->cover_org_size};
    text_style title = {PDF_FONT_HEADING, true, false, false, st->cover_title_size};
    text_style body = {PDF_FONT_BODY, false, false, false, st->size * 1.2};
    double y = d->height * 0.26;
    pdf_doc_text(d, cfg->org_name ? cfg->org_name : "", &org, x, y, ALIGN_CENTER, w);
    y += st->cover_org_size * 1.2 + st->cover_title_size * 1.3;
    pdf_doc_text(d, cfg->doc_title ? cfg->doc_title : "", &title, x, y, ALIGN_CENTER, w);
    y += st->cover_title_size * 1.8;
    if (env->version) {
        char *v = xasprintf("版次：%s", env->version);
        pdf_doc_text(d, v, &body, x, y, ALIGN_CENTER, w);
        free(v);
    }
    /* The edition, boxed, so a printed cover says which it is. */
    const char *edition = pdf_edition_mark(env);
    if (edition) {
        text_style mark = {PDF_FONT_HEADING, true, false, false, st->size * 1.3};
        double my = y + st->size * 3.2;
        double mw = pdf_doc_text(d, edition, &mark, x, my, ALIGN_CENTER, w);
        const pdf_rgb *rc = &st->rule_color;
        cairo_set_source_rgb(cr, rc->r, rc->g, rc->b);
        cairo_set_line_width(cr, 1.2);
        double pad = st->size * 0.6;
        cairo_rectangle(cr, x + (w - mw) / 2 - pad, my - mark.size - pad * 0.6, mw + 2 * pad,
                        mark.size * 1.45 + pad * 1.2);
        cairo_stroke(cr);
    }
    /* The signature boxes: a label above, room for the stamp below. */
    size_t n = cfg->signatures.len;
    if (n) {
        double bw = st->cover_box_width, bh = st->cover_box_height;
        if (bw * (double)n > w)
            bw = w / (double)n;
        double lh = st->size * 2.2;
        double bx = x + (w - bw * (double)n) / 2;
        double by = d->height * 0.56;
        text_style lab = {PDF_FONT_BODY, false, false, false, st->size};
        const pdf_rgb *rc = &st->rule_color;
        cairo_set_source_rgb(cr, rc->r, rc->g, rc->b);
        cairo_set_line_width(cr, 0.8);
        for (size_t i = 0; i < n; i++) {
            double cx = bx + bw * (double)i;
            cairo_rectangle(cr, cx, by, bw, lh);
            cairo_rectangle(cr, cx, by + lh, bw, bh);
            cairo_stroke(cr);
            pdf_doc_text(d, cfg->signatures.items[i], &lab, cx, by + lh / 2 + st->size * 0.35,
                         ALIGN_CENTER, bw);
            cairo_set_source_rgb(cr, rc->r, rc->g, rc->b);
        }
    }
    if (env->has_date) {
        char buf[64];
        date_format_long(env->rev_date, env->roc, buf, sizeof buf);
        pdf_doc_text(d, buf, &body, x, d->height * 0.84, ALIGN_CENTER, w);
    }
}

/* ---- the whole plan ---- */


bool pdf_render_plan(pdf_ctx *c, const pdf_env *env)
{
    const pdf_style *st = env->st;
    const site *s = env->s;
    double width = st->page_width - st->margin_left - st->margin_right;
    double height = st->page_height - st->margin_top - st->margin_bottom;

    /* The chapters. */
    flow body;
    flow_init(&body);
    pdf_builder b;
    builder_init(&b, c, env, &body, width);
    for (size_t i = 0; i < s->chapters.len; i++) {
        const document *d = s->chapters.items[i];
        if (audience_sees(env->opts->audience, d->audience))
            pdf_build_document(&b, d, true);
    }
    pages bp;
    paginate(&body, height, &bp);

    /* The revision table (文件制/修訂紀錄表). */
    flow rev;
    flow_init(&rev);
    const register_def *revreg = s->registers ? registers_get(s->registers, "revisions") : NULL;
    if (revreg && register_visible(revreg, env->opts->audience)) {
        builder_init(&b, c, env, &rev, width);
        pdf_build_heading(&b, 1, "", revreg->title, NULL, "revisions", 1, true);
        b.space = st->size;
        b.min_rows = 8; /* room for the revisions to come, written in by hand */
        pdf_build_register(&b, revreg, NULL, true);
    }
    pages rp = {0};
    if (rev.n)
        paginate(&rev, height, &rp);

    /* Where each heading landed, and the contents built until its own
     * length stops moving the pages after it (pitfall 7). */
    map at;
    map_init(&at, NULL);
    for (int p = 0; p < bp.n; p++)
        for (int k = 0; k < bp.pg[p].n; k++)
            if (bp.pg[p].pl[k].it->dest && !bp.pg[p].pl[k].repeated &&
                !map_has(&at, bp.pg[p].pl[k].it->dest))
                map_set(&at, bp.pg[p].pl[k].it->dest, (void *)(intptr_t)(p + 1));
    int ne = 0, cap = 64;
    toc_entry *entries = xcalloc((size_t)cap, sizeof *entries);
    for (size_t i = 0; i < s->chapters.len; i++) {
        const document *d = s->chapters.items[i];
        if (!audience_sees(env->opts->audience, d->audience))
            continue;
        for (size_t k = 0; k < d->sections.len; k++) {
            const section *sec = d->sections.items[k];
            if (sec->level > st->toc_depth)
                continue;
            if (ne == cap) {
                cap *= 2;
                entries = xrealloc(entries, (size_t)cap * sizeof *entries);
            }
            entries[ne].sec = sec;
            entries[ne].dest = pdf_section_dest(sec);
            ne++;
        }
    }
    flow toc;
    pages tp = {0};
    int toc_pages = 1;
    for (int pass = 0;; pass++) {
        int offset = 1 + rp.n + toc_pages;
        for (int k = 0; k < ne; k++)
            entries[k].page = offset + (int)(intptr_t)map_get(&at, entries[k].dest);
        flow_init(&toc);
        build_toc(c, env, &toc, width, entries, ne);
        paginate(&toc, height, &tp);
        if (tp.n == toc_pages || pass == 8)
            break;
        toc_pages = tp.n;
        pages_free(&tp);
        flow_free(&toc);
    }

    /* Drawing. */
    char *path = pdf_env_path(env, env->plan_rel);
    const site_config *cfg = &s->config;
    char *subject = xasprintf("%s %s%s%s", cfg->org_name ? cfg->org_name : "",
                              cfg->doc_title ? cfg->doc_title : "", env->version ? " " : "",
                              env->version ? env->version : "");
    char *keywords = xasprintf("資通安全維護計畫, %s, %s", cfg->org_short_name ? cfg->org_short_name : "",
                               env->version ? env->version : "");
    const char *edition = pdf_edition_mark(env);
    char *title = xasprintf("%s（%s）", cfg->doc_title ? cfg->doc_title : "", edition);
    pdf_meta meta = {title, cfg->org_name, subject, keywords,
                     env->has_date ? env->rev_iso : NULL, env->draft};
    pdf_doc d;
    pdf_doc_open(&d, c, path, false, &meta);
    char *head_right = env->version ? xasprintf("%s　版次 %s", edition, env->version)
                                    : xstrdup(edition);
    char *head_center = xasprintf("%s（%s）", cfg->doc_title ? cfg->doc_title : "", edition);
    d.head_left = cfg->org_name;
    d.head_center = head_center;
    d.head_right = head_right;
    d.page_total = 1 + rp.n + tp.n + bp.n;
    draw_cover(&d, env);
    pdf_doc_page(&d, NULL, NULL, true);
    for (int p = 0; p < rp.n; p++)
        pdf_doc_page(&d, &rev, &rp.pg[p], false);
    for (int p = 0; p < tp.n; p++)
        pdf_doc_page(&d, &toc, &tp.pg[p], false);
    for (int p = 0; p < bp.n; p++)
        pdf_doc_page(&d, &body, &bp.pg[p], false);
    bool ok = pdf_doc_close(&d);

    free(head_right);
    free(head_center);
    free(title);
    free(subject);
    free(keywords);
    free(path);
    for (int k = 0; k < ne; k++)
        free(entries[k].dest);
    free(entries);
    map_free(&at);
    pages_free(&tp);
    flow_free(&toc);
    pages_free(&rp);
    flow_free(&rev);
    pages_free(&bp);
    flow_free(&body);
    return ok;
}
