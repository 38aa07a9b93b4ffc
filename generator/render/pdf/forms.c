/* The printable forms: each annex's blank form (annexes/<id>.pdf), and the
 * printout of each register that fills a form (registers/<name>.pdf).
 * Either turns to landscape when its widest table would not fit upright. */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "registers/registers.h"
#include "render/pdf/body.h"
#include "render/pdf/docs.h"
#include "render/pdf/draw.h"

typedef void (*build_fn)(pdf_builder *b, const void *arg);

static void builder_init(pdf_builder *b, pdf_ctx *c, const pdf_env *env, flow *f, double width)
{
    memset(b, 0, sizeof *b);
    b->c = c;
    b->st = env->st;
    b->f = f;
    b->s = env->s;
    b->aud = env->opts->audience;
    b->roc = env->roc;
    b->plan = false;
    b->plan_file = NULL;
    b->width = width;
    b->space = -1;
    b->outline_base = 0; /* forms use the full width: no indents by heading level */
    b->guidance_apart = true;
    f->footnote_sep = env->st->footnote_gap + env->st->footnote_rule;
}

/* Builds upright; when a table wants more room than that, again in landscape. */
static bool typeset(pdf_ctx *c, const pdf_env *env, build_fn build, const void *arg,
                    const char *relpath, const pdf_meta *meta, const char *head_center,
                    const char *head_right)
{
    const pdf_style *st = env->st;
    char *plan_file = xasprintf("../%s", env->plan_rel);
    flow f;
    bool landscape = false;
    for (;;) {
        double pw = landscape ? st->page_height : st->page_width;
        double width = pw - st->margin_left - st->margin_right;
        flow_init(&f);
        pdf_builder b;
        builder_init(&b, c, env, &f, width);
        b.plan_file = plan_file;
        build(&b, arg);
        if (landscape || f.want <= width + 0.5)
            break;
        flow_free(&f);
        landscape = true;
    }
    char *path = pdf_env_path(env, relpath);
    pdf_doc d;
    pdf_doc_open(&d, c, path, landscape, meta);
    pages ps;
    paginate(&f, d.body_height, &ps);
    d.head_left = env->s->config.org_name;
    d.head_center = head_center;
    d.head_right = head_right;
    d.page_total = ps.n ? ps.n : 1;
    for (int p = 0; p < ps.n; p++)
        pdf_doc_page(&d, &f, &ps.pg[p], false);
    if (!ps.n)
        pdf_doc_page(&d, &f, NULL, false);
    bool ok = pdf_doc_close(&d);
    pages_free(&ps);
    flow_free(&f);
    free(path);
    free(plan_file);
    return ok;
}

/* ---- annexes ---- */

static char *annex_title(const document *a)
{
    return xasprintf("附件 %d　%s", a->number, a->title);
}

static void build_annex(pdf_builder *b, const void *arg)
{
    const document *a = arg;
    char *title = annex_title(a);
    char *dest = a->sections.len ? pdf_section_dest(a->sections.items[0]) : xstrdup("annex");
    b->doc = a;
    pdf_build_heading(b, 1, "", title, NULL, dest, 1, true);
    free(dest);
    free(title);
    pdf_build_document(b, a, false);
}

bool pdf_render_annex(pdf_ctx *c, const pdf_env *env, const document *a)
{
    const site_config *cfg = &env->s->config;
    char *title = annex_title(a);
    char *rel = xasprintf("annexes/%s.pdf", a->id);
    char *subject = xasprintf("%s %s 附件表單", cfg->org_name ? cfg->org_name : "",
                              cfg->doc_title ? cfg->doc_title : "");
    char *head = xasprintf("附件 %d", a->number);
    pdf_meta meta = {title, cfg->org_name, subject, "附件表單", env->has_date ? env->rev_iso : NULL,
                     env->draft};
    bool ok = typeset(c, env, build_annex, a, rel, &meta, cfg->doc_title, head);
    free(head);
    free(subject);
    free(rel);
    free(title);
    return ok;
}

/* ---- register printouts ---- */

typedef struct printout {
    const pdf_env *env;
    const register_def *reg;
    const document *annex;
} printout;

static void build_printout(pdf_builder *b, const void *arg)
{
    const printout *po = arg;
    const pdf_env *env = po->env;
    const pdf_style *st = env->st;
    pdf_build_heading(b, 1, "", po->reg->title, NULL, "register", 1, true);
    rich r;
    rich_init(&r, PDF_FONT_BODY, st->size * 0.9);
    if (po->annex) {
        char *text = xasprintf("附件 %d「%s」填寫紀錄　", po->annex->number, po->annex->title);
        rich_appends(&r, text);
        free(text);
    }
    char buf[64];
    date_format_long(env->opts->today, env->roc, buf, sizeof buf);
    rich_appends(&r, "列印日期：");
    rich_appends(&r, buf);
    para_opts o = {.width = b->width, .line_height = st->line_height, .align = ALIGN_CENTER};
    flow_add_para(b->f, para_new(b->c, &r, &o), 0, 0, true, 1, 1);
    b->space = st->size;
    pdf_build_register(b, po->reg, NULL, false);
}

bool pdf_render_register_printout(pdf_ctx *c, const pdf_env *env, const register_def *reg)
{
    const site_config *cfg = &env->s->config;
    const document *annex = NULL;
    for (size_t i = 0; i < env->s->annexes.len; i++) {
        const document *a = env->s->annexes.items[i];
        if (reg->annex && strcmp(a->id, reg->annex) == 0 &&
            audience_sees(env->opts->audience, a->audience))
            annex = a;
    }
    printout po = {env, reg, annex};
    char *rel = xasprintf("registers/%s.pdf", reg->name);
    char *subject = xasprintf("%s %s", cfg->org_name ? cfg->org_name : "", reg->title);
    const char *edition = pdf_edition_mark(env);
    char *head = annex ? xasprintf("%s　附件 %d", edition, annex->number) : xstrdup(edition);
    char *title = xasprintf("%s（%s）", reg->title, edition);
    pdf_meta meta = {title, cfg->org_name, subject, "紀錄", env->today_iso, env->draft};
    bool ok = typeset(c, env, build_printout, &po, rel, &meta, reg->title, head);
    free(title);
    free(head);
    free(subject);
    free(rel);
    return ok;
}
