#include "render/pdf/body.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "markdown/directive.h"
#include "markdown/markdown.h"
#include "markdown/tree.h"
#include "registers/registers.h"
#include "xref/xref.h"

/* ---- names and links ---- */

char *pdf_section_dest(const section *s)
{
    const document *d = s->doc;
    size_t k = 0;
    while (k < d->sections.len && d->sections.items[k] != s)
        k++;
    return xasprintf("sec-%c%d-%zu", d->kind == DOCUMENT_CHAPTER ? 'c' : 'a', d->number, k);
}

/* Another PDF of the edition. Cairo 1.16 writes a broken GoToR action for
 * `file=` links (a destination array without its type, which viewers
 * reject) and refuses `file=` with `page` or `dest`; a relative URI opens
 * the file from where the edition is served, as the HTML's links do. */
static char *file_link(const char *path)
{
    char *q = pdf_quote(path);
    char *a = xasprintf("uri=%s", q);
    free(q);
    return a;
}

static char *uri_link(const char *uri)
{
    char *q = pdf_quote(uri);
    char *a = xasprintf("uri=%s", q);
    free(q);
    return a;
}

static bool register_printed(const register_def *reg, audience aud)
{
    return reg->annex && register_visible(reg, aud);
}

static char *xref_attrs(const pdf_builder *b, const xref_link *x)
{
    switch (x->kind) {
    case XREF_SECTION: {
        const section *s = x->target_section;
        if (!s || !audience_sees(b->aud, s->doc->audience))
            return NULL;
        if (s->doc == b->doc && s->doc->kind == DOCUMENT_ANNEX) {
            char *dest = pdf_section_dest(s);
            char *a = xasprintf("dest='%s'", dest);
            free(dest);
            return a;
        }
        if (s->doc->kind == DOCUMENT_CHAPTER) {
            if (b->plan) {
                char *dest = pdf_section_dest(s);
                char *a = xasprintf("dest='%s'", dest);
                free(dest);
                return a;
            }
            /* Cairo 1.16 cannot point into another file's destinations: the file
             * opens. Its name is the edition's own (pdf_plan_path). */
            if (!b->plan_file)
                return NULL;
            audience_own(b->aud);
            return file_link(b->plan_file);
        }
        char *path = xasprintf("../annexes/%s.pdf", s->doc->id);
        char *a = file_link(path);
        free(path);
        return a;
    }
    case XREF_ANNEX: {
        if (!x->target_doc || !audience_sees(b->aud, x->target_doc->audience))
            return NULL;
        char *path = xasprintf("../annexes/%s.pdf", x->target_doc->id);
        char *a = file_link(path);
        free(path);
        return a;
    }
    case XREF_REGISTER:
    case XREF_ROW: {
        /* "registers/NAME.html#KEY": the register's own printout when it has one. */
        const char *name = x->href + strlen("registers/");
        size_t len = strcspn(name, ".#");
        char *rname = xstrndup(name, len);
        const register_def *reg = b->s->registers ? registers_get(b->s->registers, rname) : NULL;
        free(rname);
        if (!reg || !register_visible(reg, b->aud))
            return NULL;
        if (register_printed(reg, b->aud)) {
            char *path = xasprintf("../registers/%s.pdf", reg->name);
            char *a = file_link(path);
            free(path);
            return a;
        }
        char *uri = xasprintf("../%s", x->href);
        char *a = uri_link(uri);
        free(uri);
        return a;
    }
    }
    return NULL;
}

char *pdf_link_attrs(const pdf_builder *b, cmark_node *link)
{
    const xref_link *x = cmark_node_get_user_data(link);
    if (x)
        return xref_attrs(b, x);
    const char *url = cmark_node_get_url(link);
    if (!url)
        return NULL;
    static const char *const schemes[] = {"http://", "https://", "mailto:", "tel:"};
    for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++)
        if (strncmp(url, schemes[i], strlen(schemes[i])) == 0)
            return uri_link(url);
    return NULL;
}

/* ---- inline content ---- */

static bool ascii_word_end(const rich *r)
{
    if (!r->text.len)
        return false;
    unsigned char c = (unsigned char)r->text.data[r->text.len - 1];
    return c < 0x80 && c != ' ' && c != '\n';
}

static void inlines(pdf_builder *b, rich *r, cmark_node *parent);

static void inline_node(pdf_builder *b, rich *r, cmark_node *n)
{
    text_style saved = r->cur;
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_HTML_INLINE:
        rich_appends(r, cmark_node_get_literal(n));
        break;
    case CMARK_NODE_SOFTBREAK: {
        /* A line break in the source: a space between Latin words, nothing
         * between Chinese characters. */
        cmark_node *next = cmark_node_next(n);
        const char *lit = next && cmark_node_get_type(next) == CMARK_NODE_TEXT
                              ? cmark_node_get_literal(next)
                              : NULL;
        if (ascii_word_end(r) && lit && (unsigned char)lit[0] < 0x80)
            rich_appends(r, " ");
        break;
    }
    case CMARK_NODE_LINEBREAK:
        rich_appends(r, "\n");
        break;
    case CMARK_NODE_CODE:
        r->cur.font = PDF_FONT_MONO;
        rich_appends(r, cmark_node_get_literal(n));
        break;
    case CMARK_NODE_EMPH:
        r->cur.italic = true;
        inlines(b, r, n);
        break;
    case CMARK_NODE_STRONG:
        r->cur.bold = true;
        inlines(b, r, n);
        break;
    case CMARK_NODE_LINK: {
        char *attrs = r->cur_link < 0 ? pdf_link_attrs(b, n) : NULL;
        if (attrs)
            rich_begin_link(r, attrs);
        free(attrs);
        inlines(b, r, n);
        if (attrs)
            rich_end_link(r);
        break;
    }
    case CMARK_NODE_IMAGE:
        inlines(b, r, n); /* the alt text */
        break;
    case CMARK_NODE_FOOTNOTE_REFERENCE: {
        const document *d = b->doc;
        int local = atoi(cmark_node_get_literal(n));
        if (!d || !b->fn_seen || local < 1 || local > d->footnote_count)
            break;
        bool first = !b->fn_seen[local];
        b->fn_seen[local] = true;
        rich_footnote_mark(r, d->footnote_base + local, first);
        break;
    }
    default:
        if (strcmp(cmark_node_get_type_string(n), "strikethrough") == 0)
            r->cur.strike = true;
        inlines(b, r, n);
        break;
    }
    r->cur = saved;
}

static void inlines(pdf_builder *b, rich *r, cmark_node *parent)
{
    for (cmark_node *c = cmark_node_first_child(parent); c; c = cmark_node_next(c))
        inline_node(b, r, c);
}

/* ---- blocks ---- */

static double em(const pdf_builder *b)
{
    return b->st->size;
}

/* The space before a block: what the block before asked for, else its own. */
static double take_space(pdf_builder *b, double own)
{
    double sp = b->space >= 0 ? b->space : own;
    b->space = -1;
    return sp;
}

static void emit_para(pdf_builder *b, para *p, double x, double space, bool keep_all)
{
    int first = b->f->n;
    flow_add_para(b->f, p, x, space, keep_all, b->st->widows, b->st->orphans);
    if (b->marker && b->f->n > first) {
        b->f->items[first].marker = b->marker;
        b->f->items[first].marker_x = b->marker_x;
    }
    b->marker = NULL;
}

static void text_para(pdf_builder *b, rich *r, double space)
{
    const pdf_style *st = b->st;
    para_opts o = {
        .width = b->width - b->indent,
        .indent = st->first_line_indent * em(b),
        .line_height = st->line_height,
        .align = st->justify ? ALIGN_JUSTIFY : ALIGN_LEFT,
    };
    r->cur = (text_style){PDF_FONT_BODY, false, false, false, st->size};
    para *p = para_new(b->c, r, &o);
    emit_para(b, p, b->indent, space, false);
}

static bool in_tight_list(cmark_node *n)
{
    cmark_node *item = cmark_node_parent(n);
    return item && cmark_node_get_type(item) == CMARK_NODE_ITEM &&
           cmark_node_get_list_tight(cmark_node_parent(item));
}

static void paragraph(pdf_builder *b, cmark_node *n)
{
    rich r;
    rich_init(&r, PDF_FONT_BODY, b->st->size);
    inlines(b, &r, n);
    rich_trim_end(&r);
    double own = in_tight_list(n) ? b->st->list_space : b->st->paragraph_space;
    text_para(b, &r, take_space(b, own));
}

static bool label_glued(const char *label)
{
    size_t n = strlen(label);
    return n == 0 || (n >= 3 && strcmp(label + n - 3, "、") == 0);
}

void pdf_build_heading(pdf_builder *b, int level, const char *label, const char *title,
                       cmark_node *inline_parent, const char *dest, int outline_level, bool center)
{
    const pdf_style *st = b->st;
    if (level < 1)
        level = 1;
    if (level > PDF_HEADING_LEVELS)
        level = PDF_HEADING_LEVELS;
    const pdf_heading_style *hs = &st->heading[level - 1];
    text_style ts = {hs->sans ? PDF_FONT_HEADING : PDF_FONT_BODY, hs->bold, false, false, hs->size};
    rich r;
    rich_init(&r, ts.font, ts.size);
    r.cur = ts;
    strbuf lab;
    sb_init(&lab);
    sb_append(&lab, label ? label : "");
    if (!label_glued(lab.data))
        sb_append(&lab, " ");
    rich_appends(&r, lab.data);
    if (inline_parent)
        inlines(b, &r, inline_parent);
    else
        rich_appends(&r, title);
    rich_trim_end(&r);
    r.cur = ts;
    double x = center ? 0 : b->indent;
    double hang = lab.len && !center ? text_width(b->c, lab.data, &ts) : 0;
    para_opts o = {
        .width = b->width - x,
        .indent = -hang,
        .line_height = 1.35,
        .align = center ? ALIGN_CENTER : ALIGN_LEFT,
    };
    para *p = para_new(b->c, &r, &o);
    int first = b->f->n;
    double space = take_space(b, hs->space_before);
    if (space < hs->space_before)
        space = hs->space_before;
    emit_para(b, p, x, space, true);
    if (b->f->n > first) {
        item *it = &b->f->items[first];
        if (dest)
            it->dest = xstrdup(dest);
        if (dest && outline_level > 0) {
            it->outline = xasprintf("%s%s%s", label ? label : "",
                                    label && !label_glued(label) ? " " : "", title);
            it->outline_level = outline_level;
        }
    }
    sb_free(&lab);
    b->space = hs->space_after;
}

static void heading(pdf_builder *b, cmark_node *n)
{
    const section *s = cmark_node_get_user_data(n);
    int level = s ? s->level : cmark_node_get_heading_level(n) + 1;
    if (level > PDF_HEADING_LEVELS)
        level = PDF_HEADING_LEVELS;
    bool flat = b->outline_base == 0;
    /* A heading sits where its parent's content starts; its content goes in one level. */
    if (!flat)
        b->indent = b->st->indent[level - 1] * em(b);
    char *dest = s ? pdf_section_dest(s) : NULL;
    char *title = s ? NULL : md_plain_text(n);
    pdf_build_heading(b, level, s ? s->label : "", s ? s->title : title, n, dest,
                      flat ? level : b->outline_base + level - 1, false);
    if (!flat)
        b->indent = b->st->indent[level] * em(b);
    free(dest);
    free(title);
}

static void blocks(pdf_builder *b, cmark_node *parent);

static void marker_text(bool ordered, int depth, int n, char *buf, size_t size)
{
    if (!ordered) {
        snprintf(buf, size, "%s", depth % 2 ? "•" : "◦");
        return;
    }
    switch ((depth - 1) % 3) {
    case 0: snprintf(buf, size, "%d.", n); break;
    case 1: snprintf(buf, size, "(%d)", n); break;
    default:
        if (n >= 1 && n <= 26)
            snprintf(buf, size, "%c.", 'A' + n - 1);
        else
            snprintf(buf, size, "%d.", n);
        break;
    }
}

/* Items with their markers in a hanging column as wide as the widest. */
typedef struct list_item_src {
    char marker[32];
    cmark_node *node;       /* a list item, or NULL */
    const document *annex;  /* the annexes directive: one annex per item */
} list_item_src;

static void annex_item(pdf_builder *b, const document *a)
{
    rich r;
    rich_init(&r, PDF_FONT_BODY, b->st->size);
    char *path = xasprintf("../annexes/%s.pdf", a->id);
    char *attrs = file_link(path);
    rich_begin_link(&r, attrs);
    rich_appends(&r, a->title);
    rich_end_link(&r);
    free(attrs);
    free(path);
    text_para(b, &r, take_space(b, b->st->list_space));
}

static void list_items(pdf_builder *b, list_item_src *items, int n, bool tight)
{
    const pdf_style *st = b->st;
    text_style ts = {PDF_FONT_BODY, false, false, false, st->size};
    double mw = 0;
    for (int k = 0; k < n; k++) {
        double w = text_width(b->c, items[k].marker, &ts);
        if (w > mw)
            mw = w;
    }
    double gap = st->list_marker_gap * em(b);
    double saved = b->indent;
    for (int k = 0; k < n; k++) {
        rich r;
        rich_init(&r, PDF_FONT_BODY, st->size);
        rich_appends(&r, items[k].marker);
        para_opts o = {.width = mw + gap + 1, .line_height = st->line_height, .wrap_words = true};
        para *mp = para_new(b->c, &r, &o);
        flow_own_para(b->f, mp);
        if (k > 0 && b->space < 0)
            b->space = tight ? st->list_space : st->paragraph_space;
        b->indent = saved + mw + gap;
        b->marker = mp;
        b->marker_x = saved;
        if (items[k].annex)
            annex_item(b, items[k].annex);
        else
            blocks(b, items[k].node);
        b->marker = NULL;
        b->indent = saved;
    }
}

static void list(pdf_builder *b, cmark_node *n)
{
    bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
    if (ordered)
        b->ordered_depth++;
    else
        b->bullet_depth++;
    int count = 0;
    for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c))
        count++;
    list_item_src *items = xcalloc((size_t)count + 1, sizeof *items);
    int k = 0, start = ordered ? cmark_node_get_list_start(n) : 1;
    for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c), k++) {
        marker_text(ordered, ordered ? b->ordered_depth : b->bullet_depth, start + k,
                    items[k].marker, sizeof items[k].marker);
        items[k].node = c;
    }
    list_items(b, items, count, cmark_node_get_list_tight(n));
    free(items);
    if (ordered)
        b->ordered_depth--;
    else
        b->bullet_depth--;
}

static void annex_list(pdf_builder *b)
{
    const site *s = b->s;
    list_item_src *items = xcalloc(s->annexes.len + 1, sizeof *items);
    int n = 0;
    for (size_t i = 0; i < s->annexes.len; i++) {
        const document *a = s->annexes.items[i];
        if (!audience_sees(b->aud, a->audience))
            continue;
        snprintf(items[n].marker, sizeof items[n].marker, "%d.", a->number);
        items[n++].annex = a;
    }
    list_items(b, items, n, true);
    free(items);
}

static void code_block(pdf_builder *b, const char *text)
{
    const pdf_style *st = b->st;
    rich r;
    rich_init(&r, PDF_FONT_MONO, st->size * 0.88);
    rich_appends(&r, text);
    rich_trim_end(&r);
    para_opts o = {.width = b->width - b->indent - em(b), .line_height = 1.4};
    para *p = para_new(b->c, &r, &o);
    emit_para(b, p, b->indent + em(b), take_space(b, st->paragraph_space), false);
}

static void gfm_table(pdf_builder *b, cmark_node *n)
{
    const pdf_style *st = b->st;
    int ncols = (int)cmark_gfm_extensions_get_table_columns(n);
    if (ncols < 1)
        return;
    int nrows = 0;
    for (cmark_node *row = cmark_node_first_child(n); row; row = cmark_node_next(row))
        nrows++;
    table_src src = {.ncols = ncols, .nrows = nrows, .size = st->table_size};
    src.cells = xcalloc((size_t)(nrows * ncols) + 1, sizeof *src.cells);
    src.align = cmark_gfm_extensions_get_table_alignments(n);
    int ri = 0;
    for (cmark_node *row = cmark_node_first_child(n); row; row = cmark_node_next(row), ri++) {
        bool header = strcmp(cmark_node_get_type_string(row), "table_header") == 0;
        if (ri == 0)
            src.header = header;
        int ci = 0;
        for (cmark_node *cell = cmark_node_first_child(row); cell && ci < ncols;
             cell = cmark_node_next(cell), ci++) {
            rich *r = &src.cells[ri * ncols + ci];
            rich_init(r, PDF_FONT_BODY, st->table_size);
            r->cur.bold = header;
            inlines(b, r, cell);
            rich_trim_end(r);
            r->cur = (text_style){PDF_FONT_BODY, header, false, false, st->table_size};
        }
        for (; ci < ncols; ci++)
            rich_init(&src.cells[ri * ncols + ci], PDF_FONT_BODY, st->table_size);
    }
    table *t = table_build(b->c, &src, b->width - b->indent);
    flow_add_table(b->f, t, b->indent, take_space(b, st->paragraph_space * 1.5));
    b->marker = NULL;
    b->space = st->paragraph_space * 1.5;
}

/* Boxes to sign in, with room for a seal: the labels over them, as many in
 * a row as the width takes. */
static void signature_boxes(pdf_builder *b, const directive *d)
{
    const pdf_style *st = b->st;
    const char *labels[16];
    size_t n = directive_signatures(d, labels, 16);
    double avail = b->width - b->indent;
    size_t per_row = (size_t)(avail / st->form_sign_width);
    if (per_row < 1)
        per_row = 1;
    for (size_t from = 0; from < n; from += per_row) {
        size_t nc = n - from < per_row ? n - from : per_row;
        table_src src = {.ncols = (int)nc, .nrows = 2, .header = true, .size = st->table_size,
                         .col_width = st->form_sign_width, .row_height = st->form_sign_height};
        src.cells = xcalloc(2 * nc + 1, sizeof *src.cells);
        for (size_t c = 0; c < nc; c++) {
            rich *r = &src.cells[c];
            rich_init(r, PDF_FONT_BODY, st->table_size);
            r->cur.bold = true;
            rich_appends(r, labels[from + c]);
            rich *box = &src.cells[nc + c];
            rich_init(box, PDF_FONT_BODY, st->table_size * 0.8);
            rich_appends(box, "（簽名及蓋章）");
        }
        table *t = table_build(b->c, &src, avail);
        flow_add_table(b->f, t, b->indent, take_space(b, st->paragraph_space * 2));
        b->space = st->paragraph_space * 2;
    }
    b->marker = NULL;
}

static void directive_block(pdf_builder *b, const directive *d)
{
    switch (d->kind) {
    case DIRECTIVE_SIGNATURES:
        signature_boxes(b, d);
        break;
    case DIRECTIVE_ANNEXES:
        annex_list(b);
        break;
    case DIRECTIVE_ONLY:
        if (audience_sees(b->aud, d->audience) && d->content) {
            /* The block's own footnotes are not numbered with the plan's. */
            bool *seen = b->fn_seen;
            const document *doc = b->doc;
            b->fn_seen = NULL;
            b->doc = NULL;
            blocks(b, d->content);
            b->fn_seen = seen;
            b->doc = doc;
        }
        break;
    case DIRECTIVE_REGISTER:
    case DIRECTIVE_REVISIONS: {
        const char *name = d->kind == DIRECTIVE_REVISIONS ? "revisions" : d->arg;
        const register_def *reg =
            name && b->s->registers ? registers_get(b->s->registers, name) : NULL;
        if (reg)
            pdf_build_register(b, reg, d->options ? d->options->root : NULL,
                               d->kind == DIRECTIVE_REVISIONS);
        break;
    }
    }
}

static void block(pdf_builder *b, cmark_node *n)
{
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_PARAGRAPH:
        paragraph(b, n);
        break;
    case CMARK_NODE_HEADING:
        heading(b, n);
        break;
    case CMARK_NODE_LIST:
        list(b, n);
        break;
    case CMARK_NODE_ITEM:
        blocks(b, n);
        break;
    case CMARK_NODE_BLOCK_QUOTE: {
        /* An annex's guidance waits for its own page (pdf_build_document). */
        if (b->guidance_apart && b->doc && b->doc->kind == DOCUMENT_ANNEX &&
            cmark_node_parent(n) == b->root)
            break;
        double saved = b->indent;
        b->indent += 2 * em(b);
        blocks(b, n);
        b->indent = saved;
        break;
    }
    case CMARK_NODE_CODE_BLOCK:
        if (cmark_node_get_user_data(n))
            directive_block(b, cmark_node_get_user_data(n));
        else
            code_block(b, cmark_node_get_literal(n));
        break;
    case CMARK_NODE_HTML_BLOCK:
        /* Raw HTML is not passed through: it shows as the text it is. */
        code_block(b, cmark_node_get_literal(n));
        break;
    case CMARK_NODE_THEMATIC_BREAK: {
        item *it = flow_push(b->f, ITEM_RULE);
        it->x = b->indent;
        it->h = em(b);
        it->rule_w = b->width - b->indent;
        it->space_before = take_space(b, b->st->paragraph_space);
        break;
    }
    case CMARK_NODE_FOOTNOTE_DEFINITION:
        break; /* at the foot of the page that marks them */
    default:
        if (strcmp(cmark_node_get_type_string(n), "table") == 0)
            gfm_table(b, n);
        else
            blocks(b, n);
        break;
    }
}

static void blocks(pdf_builder *b, cmark_node *parent)
{
    for (cmark_node *c = cmark_node_first_child(parent); c; c = cmark_node_next(c))
        block(b, c);
}

/* ---- footnotes ---- */

static void footnote_inlines(pdf_builder *b, rich *r, cmark_node *def)
{
    bool first = true;
    for (cmark_node *c = cmark_node_first_child(def); c; c = cmark_node_next(c)) {
        if (!first)
            rich_appends(r, "\n");
        first = false;
        if (cmark_node_get_type(c) == CMARK_NODE_PARAGRAPH) {
            inlines(b, r, c);
        } else {
            char *t = md_plain_text(c);
            rich_appends(r, t);
            free(t);
        }
    }
}

static void footnotes(pdf_builder *b, const document *d, cmark_node *root)
{
    const pdf_style *st = b->st;
    text_style ts = {PDF_FONT_BODY, false, false, false, st->footnote_size};
    int k = 0;
    for (cmark_node *c = cmark_node_first_child(root); c; c = cmark_node_next(c)) {
        if (cmark_node_get_type(c) != CMARK_NODE_FOOTNOTE_DEFINITION)
            continue;
        int local = ++k;
        int n = d->footnote_base + local;
        char num[24];
        snprintf(num, sizeof num, "%d ", n);
        rich r;
        rich_init(&r, PDF_FONT_BODY, st->footnote_size);
        if (b->fn_seen && local <= d->footnote_count && b->fn_seen[local]) {
            char attrs[48];
            snprintf(attrs, sizeof attrs, "dest='fnref-%d'", n);
            rich_begin_link(&r, attrs);
            rich_appends(&r, num);
            rich_end_link(&r);
        } else {
            rich_appends(&r, num);
        }
        /* Marks inside a footnote are not numbered again. */
        bool *seen = b->fn_seen;
        b->fn_seen = NULL;
        footnote_inlines(b, &r, c);
        b->fn_seen = seen;
        rich_trim_end(&r);
        r.cur = ts;
        para_opts o = {
            .width = b->width,
            .indent = -text_width(b->c, num, &ts),
            .line_height = st->footnote_line_height,
            .align = st->justify ? ALIGN_JUSTIFY : ALIGN_LEFT,
        };
        flow_add_footnote(b->f, n, para_new(b->c, &r, &o));
    }
}

/* An annex's guidance (its top-level block quotes) on a page after the
 * form, so the sheet to sign carries none of it. */
static void guidance_page(pdf_builder *b, const document *d, cmark_node *root)
{
    bool first = true;
    for (cmark_node *c = cmark_node_first_child(root); c; c = cmark_node_next(c)) {
        if (cmark_node_get_type(c) != CMARK_NODE_BLOCK_QUOTE)
            continue;
        if (first) {
            int at = b->f->n;
            char *title = xasprintf("附件 %d　%s　填寫說明", d->number, d->title);
            pdf_build_heading(b, 2, "", title, NULL, NULL, 0, false);
            free(title);
            if (b->f->n > at)
                b->f->items[at].break_before = true;
            first = false;
        }
        blocks(b, c);
    }
}

void pdf_build_document(pdf_builder *b, const document *d, bool with_title)
{
    b->doc = d;
    b->fn_seen = xcalloc((size_t)d->footnote_count + 1, sizeof *b->fn_seen);
    b->ordered_depth = 0;
    b->bullet_depth = 0;
    b->marker = NULL;
    bool flat = b->outline_base == 0;
    if (with_title && d->sections.len) {
        const section *top = d->sections.items[0];
        b->indent = flat ? 0 : b->st->indent[0] * em(b);
        char *dest = pdf_section_dest(top);
        int first = b->f->n;
        pdf_build_heading(b, 1, top->label, top->title, NULL, dest, b->outline_base, false);
        if (b->st->chapter_new_page && first > 0 && b->f->n > first)
            b->f->items[first].break_before = true;
        free(dest);
    }
    b->indent = flat ? 0 : b->st->indent[1] * em(b);
    md_tree *tree = md_tree_open(d);
    b->root = tree->root;
    blocks(b, tree->root);
    if (b->guidance_apart && d->kind == DOCUMENT_ANNEX)
        guidance_page(b, d, tree->root);
    footnotes(b, d, tree->root);
    md_tree_close(tree);
    b->root = NULL;
    free(b->fn_seen);
    b->fn_seen = NULL;
    b->doc = NULL;
}

void pdf_build_section(pdf_builder *b, const section *sec)
{
    const document *d = sec->doc;
    b->doc = d;
    b->fn_seen = NULL; /* no marks: their notes are not here */
    b->ordered_depth = 0;
    b->bullet_depth = 0;
    b->marker = NULL;
    md_tree *tree = md_tree_open(d);
    b->root = tree->root;
    for (cmark_node *n = md_section_first(tree, sec); n; n = md_section_next(tree, sec, n))
        block(b, n);
    md_tree_close(tree);
    b->root = NULL;
    b->doc = NULL;
}
