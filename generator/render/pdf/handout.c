/* The staff handout, pdf/handout-<version>.pdf: one or two A4 pages to hand
 * out or pin up when the plan is publicised to staff. It holds the policy
 * and the goals (the plan's own sections, found through plan coverage as the
 * staff digest finds them: check/coverage.h), what every staff
 * member must do (digest.md), and where to read more: the staff edition's
 * URL (site.yaml hosting: staff: url) as text and as a QR code, drawn as
 * vector squares from libqrencode's matrix. The type shrinks in steps until
 * it all fits on two pages. */
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "check/coverage.h"
#include "core/xalloc.h"
#include "render/pdf/body.h"
#include "render/pdf/docs.h"
#include "render/pdf/draw.h"

#define HANDOUT_MAX_PAGES 2
#define MM (72.0 / 25.4)
/* The QR code's side, quiet zone included: 28 mm reads from arm's length. */
#define QR_SIDE (28 * MM)

/* The sizes of the style times k (lengths of the page stay). */
static pdf_style scaled(const pdf_style *st, double k)
{
    pdf_style s = *st; /* shallow: the font names stay the style's */
    s.size *= k;
    s.paragraph_space *= k;
    s.list_space *= k;
    s.table_size *= k;
    s.footnote_size *= k;
    for (int i = 0; i < PDF_HEADING_LEVELS; i++) {
        s.heading[i].size *= k;
        s.heading[i].space_before *= k;
        s.heading[i].space_after *= k;
    }
    return s;
}

/* The first heading of the plan's policy chapter whose title holds words,
 * when the edition shows it. */
static const section *policy_heading(const coverage *plan, const char *words, audience aud)
{
    const section *sec = coverage_heading(plan, COVERAGE_POLICY_KEY, words);
    return sec && audience_sees(aud, sec->doc->audience) ? sec : NULL;
}

const document *pdf_handout_reads(const site *s)
{
    coverage plan;
    coverage_map(s, &plan);
    const section *sec = coverage_heading(&plan, COVERAGE_POLICY_KEY, COVERAGE_POLICY_WORDS);
    if (!sec)
        sec = coverage_heading(&plan, COVERAGE_POLICY_KEY, COVERAGE_GOALS_WORDS);
    coverage_free(&plan);
    return sec ? sec->doc : NULL;
}

typedef struct handout {
    const pdf_env *env;
    const section *policy, *goals;
    const document *digest;
    const char *url;   /* the staff edition's, or NULL */
    char *plan_file;   /* the plan from pdf/: its file name */
} handout;

static void centred(pdf_builder *b, const char *text, const text_style *ts, double space)
{
    rich r;
    rich_init(&r, ts->font, ts->size);
    r.cur = *ts;
    rich_appends(&r, text);
    para_opts o = {.width = b->width, .line_height = 1.35, .align = ALIGN_CENTER};
    flow_add_para(b->f, para_new(b->c, &r, &o), 0, space, true, 1, 1);
}

static void build(pdf_builder *b, const handout *h)
{
    const pdf_env *env = h->env;
    const site_config *cfg = &env->s->config;
    const pdf_style *st = b->st;
    text_style org = {PDF_FONT_HEADING, false, false, false, st->size * 1.1};
    text_style title = {PDF_FONT_HEADING, true, false, false, st->heading[0].size * 1.3};
    text_style sub = {PDF_FONT_BODY, false, false, false, st->size};
    centred(b, cfg->org_name, &org, 0);
    centred(b, "資通安全政策宣導", &title, st->size * 0.3);
    char date[64] = "";
    if (env->has_date)
        date_format_long(env->rev_date, env->roc, date, sizeof date);
    char *line = xasprintf("%s %s%s%s%s", cfg->doc_title, env->version ? env->version : "",
                           *date ? "（" : "", date, *date ? (env->draft ? "，草案）" : "核定）") : "");
    centred(b, line, &sub, st->size * 0.3);
    free(line);
    b->space = st->heading[0].space_before;
    const section *parts[] = {h->policy, h->goals};
    for (int i = 0; i < 2; i++) {
        if (!parts[i])
            continue;
        char *dest = pdf_section_dest(parts[i]);
        pdf_build_heading(b, 1, "", parts[i]->title, NULL, dest, 1, false);
        free(dest);
        pdf_build_section(b, parts[i]);
    }
    if (h->digest) {
        pdf_build_heading(b, 1, "", h->digest->title, NULL, "digest", 1, false);
        pdf_build_document(b, h->digest, false);
    }
}

/* Draws the QR code of text with its top left at (x, y), side wide. */
static bool draw_qr(cairo_t *cr, const char *text, double x, double y, double side)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return false;
    int quiet = 4, n = qr->width + 2 * quiet;
    double m = side / n;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, side, side);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    /* One rectangle a run of dark modules in a row; bit 0 of a module is dark. */
    for (int row = 0; row < qr->width; row++) {
        for (int col = 0; col < qr->width;) {
            if (!(qr->data[row * qr->width + col] & 1)) {
                col++;
                continue;
            }
            int end = col;
            while (end < qr->width && (qr->data[row * qr->width + end] & 1))
                end++;
            cairo_rectangle(cr, x + (quiet + col) * m, y + (quiet + row) * m, (end - col) * m, m);
            col = end;
        }
    }
    cairo_fill(cr);
    cairo_restore(cr);
    QRcode_free(qr);
    return true;
}

/* Where to read more, at the foot of the last page: a rule, the QR code and
 * the address. Returns its height. */
static double read_more_height(void)
{
    return QR_SIDE + 8;
}

static bool draw_read_more(pdf_doc *d, const handout *h)
{
    const pdf_style *st = d->st;
    cairo_t *cr = d->cr;
    double top = d->top + d->body_height - QR_SIDE;
    const pdf_rgb *rc = &st->rule_color;
    cairo_set_source_rgb(cr, rc->r, rc->g, rc->b);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, d->left, top - 6);
    cairo_line_to(cr, d->left + d->body_width, top - 6);
    cairo_stroke(cr);
    double tx = d->left + (h->url ? QR_SIDE + 4 * MM : 0);
    double tw = d->left + d->body_width - tx;
    text_style head = {PDF_FONT_HEADING, true, false, false, 11};
    text_style body = {PDF_FONT_BODY, false, false, false, 10};
    text_style mono = {PDF_FONT_MONO, false, false, false, 10};
    double y = top + 5 * MM;
    pdf_doc_text(d, "完整內容", &head, tx, y, ALIGN_LEFT, tw);
    y += 16;
    char *what = xasprintf("計畫全文、附件表單、各項紀錄及修訂內容，請見%s同仁版%s",
                           h->env->s->config.doc_title, h->url ? "：" : "。");
    pdf_doc_text(d, what, &body, tx, y, ALIGN_LEFT, tw);
    free(what);
    y += 15;
    bool ok = true;
    if (h->url) {
        pdf_doc_text(d, h->url, &mono, tx, y, ALIGN_LEFT, tw);
        ok = draw_qr(cr, h->url, d->left, top, QR_SIDE);
        char *q = pdf_quote(h->url);
        char *attrs = xasprintf("rect=[%.2f %.2f %.2f %.2f] uri=%s", d->left, top,
                                d->body_width, QR_SIDE, q);
        cairo_tag_begin(cr, CAIRO_TAG_LINK, attrs);
        cairo_tag_end(cr, CAIRO_TAG_LINK);
        free(attrs);
        free(q);
        y += 15;
    }
    audience_own(h->env->opts->audience); /* the plan's file name is the edition's */
    char *plan = xasprintf("本計畫 PDF：%s（與本宣導單同一資料夾）", h->plan_file);
    pdf_doc_text(d, plan, &body, tx, y, ALIGN_LEFT, tw);
    free(plan);
    return ok;
}

/* How far down the page the flow's last item ends. */
static double used_height(const page *pg)
{
    double used = 0;
    for (int k = 0; k < pg->n; k++)
        if (pg->pl[k].y + pg->pl[k].h > used)
            used = pg->pl[k].y + pg->pl[k].h;
    return used;
}

bool pdf_render_handout(pdf_ctx *c, const pdf_env *env)
{
    const site *s = env->s;
    coverage plan;
    coverage_map(s, &plan);
    handout h = {.env = env,
                 .policy = policy_heading(&plan, COVERAGE_POLICY_WORDS, env->opts->audience),
                 .goals = policy_heading(&plan, COVERAGE_GOALS_WORDS, env->opts->audience),
                 .digest = s->digest,
                 .url = s->config.hosting[AUDIENCE_STAFF].url};
    coverage_free(&plan);
    if (h.goals == h.policy) /* one heading names both: show it once */
        h.goals = NULL;
    const char *slash = strrchr(env->plan_rel, '/');
    h.plan_file = xstrdup(slash ? slash + 1 : env->plan_rel);
    static const double SCALES[] = {1.0, 0.94, 0.88, 0.82, 0.76, 0.7};
    const int nscales = (int)(sizeof SCALES / sizeof *SCALES);
    pdf_style st;
    flow f;
    pages ps;
    bool extra_page = false;
    for (int i = 0;; i++) {
        st = scaled(env->st, SCALES[i]);
        double width = st.page_width - st.margin_left - st.margin_right;
        double height = st.page_height - st.margin_top - st.margin_bottom;
        flow_init(&f);
        pdf_builder b = {.c = c, .st = &st, .f = &f, .s = s, .aud = env->opts->audience,
                         .roc = env->roc, .plan_file = h.plan_file, .width = width, .space = -1};
        f.footnote_sep = st.footnote_gap + st.footnote_rule;
        build(&b, &h);
        paginate(&f, height, &ps);
        extra_page = ps.n == 0 ||
                     height - used_height(&ps.pg[ps.n - 1]) < read_more_height() + st.size;
        if (ps.n + (extra_page ? 1 : 0) <= HANDOUT_MAX_PAGES || i + 1 == nscales)
            break;
        pages_free(&ps);
        flow_free(&f);
    }

    char *rel = pdf_handout_path(s);
    char *path = pdf_env_path(env, rel);
    const site_config *cfg = &s->config;
    char *subject = xasprintf("%s %s %s 宣導", cfg->org_name, cfg->doc_title,
                              env->version ? env->version : "");
    pdf_meta meta = {"資通安全政策宣導", cfg->org_name, subject, "資通安全政策, 宣導, 同仁",
                     env->has_date ? env->rev_iso : NULL, env->draft};
    pdf_doc d;
    /* The page is drawn with the scaled style; the document keeps the page's. */
    const pdf_style *own = c->st;
    c->st = &st;
    pdf_doc_open(&d, c, path, false, &meta);
    char *head_right = env->version ? xasprintf("宣導單 %s", env->version) : xstrdup("宣導單");
    d.head_left = cfg->org_name;
    d.head_center = cfg->doc_title;
    d.head_right = head_right;
    d.page_total = ps.n + (extra_page ? 1 : 0);
    bool ok = true;
    for (int p = 0; p < ps.n; p++) {
        if (p + 1 == ps.n && !extra_page)
            ok = draw_read_more(&d, &h) && ok;
        pdf_doc_page(&d, &f, &ps.pg[p], false);
    }
    if (extra_page) {
        ok = draw_read_more(&d, &h) && ok;
        pdf_doc_page(&d, &f, NULL, false);
    }
    ok = pdf_doc_close(&d) && ok;
    c->st = own;
    free(head_right);
    free(subject);
    free(path);
    free(rel);
    pages_free(&ps);
    flow_free(&f);
    free(h.plan_file);
    return ok;
}
