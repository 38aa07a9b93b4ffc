#include "render/pdf/regtable.h"

#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "markdown/markdown.h"
#include "registers/view.h"
#include "render/pdf/body.h"

#define HIDDEN_TEXT "（不公開）"

/* Text as written, without a block scalar's last newline. */
static void lines_text(strbuf *out, const char *t)
{
    size_t n = strlen(t);
    while (n && (t[n - 1] == '\n' || t[n - 1] == ' '))
        n--;
    sb_appendn(out, t, n);
}

void pdf_cell_text(strbuf *out, const register_row *row, const register_field *f, audience aud,
                   bool roc, bool long_dates)
{
    if (!register_field_visible(row->reg, f, aud)) {
        sb_append(out, HIDDEN_TEXT);
        return;
    }
    const register_cell *c = register_row_cell_at(row, f);
    if (!c || !c->node)
        return;
    if (!c->valid && f->type != FIELD_REF) {
        if (c->node->kind == YNODE_SCALAR)
            lines_text(out, c->node->text);
        return;
    }
    char buf[64];
    switch (f->type) {
    case FIELD_TEXT:
    case FIELD_ENUM:
    case FIELD_FILE:
        lines_text(out, c->node->text);
        break;
    case FIELD_MARKDOWN: {
        cmark_node *doc = md_parse(c->node->text, strlen(c->node->text));
        char *plain = md_plain_text(cmark_node_first_child(doc) ? cmark_node_first_child(doc) : doc);
        cmark_node_free(doc);
        sb_append(out, plain);
        free(plain);
        break;
    }
    case FIELD_INT:
        sb_printf(out, "%ld", c->as.integer);
        break;
    case FIELD_NUMBER:
    case FIELD_HOURS:
        snprintf(buf, sizeof buf, "%.15g", c->as.number);
        sb_append(out, buf);
        if (f->type == FIELD_HOURS)
            sb_append(out, " 小時");
        break;
    case FIELD_DATE:
        if (long_dates)
            date_format_long(c->as.date, roc, buf, sizeof buf);
        else
            date_format_short(c->as.date, roc, buf, sizeof buf);
        sb_append(out, buf);
        break;
    case FIELD_BOOL:
        sb_append(out, c->as.boolean ? "是" : "否");
        break;
    case FIELD_CHECKS:
        for (size_t i = 0; i < f->values.len; i++) {
            const char *opt = f->values.items[i];
            if (i)
                sb_appendc(out, '\n');
            sb_append(out, register_cell_checked(c, opt) ? "☑ " : "☐ ");
            sb_append(out, opt);
        }
        break;
    case FIELD_LIST:
        for (size_t i = 0; i < c->items.len; i++) {
            if (i)
                sb_appendc(out, '\n');
            sb_append(out, c->items.items[i]);
        }
        break;
    case FIELD_REF: {
        const register_row *target = c->target;
        if (target && register_visible(target->reg, aud))
            sb_append(out, register_row_label(target, aud));
        else if (target)
            sb_append(out, HIDDEN_TEXT);
        else if (c->node->kind == YNODE_SCALAR)
            sb_append(out, c->node->text);
        break;
    }
    }
}

/* The cell with the fields merged into its column, one "label：value" line each. */
static void cell_with_merges(strbuf *out, const site *s, const register_view *view,
                             const register_row *row, const register_field *f, audience aud,
                             bool roc)
{
    size_t before = out->len;
    pdf_cell_text(out, row, f, aud, roc, false);
    /* A released revision that says nothing of its changes: what the
     * comparison with the release before found. */
    if (out->len == before && strcmp(row->reg->name, "revisions") == 0 &&
        strcmp(f->name, "changes") == 0) {
        const char *note = site_revision_note(s, row->key);
        if (note)
            sb_append(out, note);
    }
    const vec *merged = register_view_merged(view, f);
    for (size_t m = 0; merged && m < merged->len; m++) {
        const register_field *mf = merged->items[m];
        sb_appendc(out, '\n');
        sb_append(out, mf->label);
        sb_append(out, "：");
        pdf_cell_text(out, row, mf, aud, roc, false);
    }
}

static void notice(pdf_builder *b, const char *text)
{
    rich r;
    rich_init(&r, PDF_FONT_BODY, b->st->size);
    rich_appends(&r, text);
    para_opts o = {.width = b->width - b->indent, .line_height = b->st->line_height};
    double space = b->space >= 0 ? b->space : b->st->paragraph_space;
    b->space = -1;
    flow_add_para(b->f, para_new(b->c, &r, &o), b->indent, space, false, b->st->widows,
                  b->st->orphans);
}

static void list_layout(pdf_builder *b, const vec *cols, const vec *rows)
{
    const pdf_style *st = b->st;
    strbuf sb;
    sb_init(&sb);
    for (size_t r = 0; r < rows->len; r++) {
        rich rt;
        rich_init(&rt, PDF_FONT_BODY, st->size);
        bool first = true;
        for (size_t c = 0; c < cols->len; c++) {
            const register_field *f = cols->items[c];
            sb_clear(&sb);
            pdf_cell_text(&sb, rows->items[r], f, b->aud, b->roc, true);
            if (!first)
                rich_appends(&rt, "\n");
            first = false;
            rt.cur.bold = true;
            rich_appends(&rt, f->label);
            rich_appends(&rt, "：");
            rt.cur.bold = false;
            rich_appends(&rt, sb.data ? sb.data : "");
        }
        rt.cur = (text_style){PDF_FONT_BODY, false, false, false, st->size};
        para_opts o = {.width = b->width - b->indent, .line_height = st->line_height};
        double space = b->space >= 0 ? b->space : st->paragraph_space * 2;
        b->space = -1;
        flow_add_para(b->f, para_new(b->c, &rt, &o), b->indent, space, false, st->widows,
                      st->orphans);
    }
    sb_free(&sb);
}

static void table_layout(pdf_builder *b, const register_view *view, const vec *cols,
                         const vec *rows)
{
    const pdf_style *st = b->st;
    size_t ncols = cols->len, nrows = rows->len;
    size_t blank = b->min_rows > 0 && (size_t)b->min_rows > nrows ? (size_t)b->min_rows - nrows : 0;
    table_src src = {.ncols = (int)ncols, .nrows = (int)(nrows + blank) + 1, .header = true,
                     .size = st->table_size};
    src.cells = xcalloc((nrows + blank + 1) * ncols + 1, sizeof *src.cells);
    uint8_t *align = xcalloc(ncols + 1, 1);
    src.align = align;
    for (size_t c = 0; c < ncols; c++) {
        const register_field *f = cols->items[c];
        rich *r = &src.cells[c];
        rich_init(r, PDF_FONT_BODY, st->table_size);
        r->cur.bold = true;
        rich_appends(r, f->label);
        r->cur.bold = false;
        if (f->type == FIELD_INT || f->type == FIELD_NUMBER || f->type == FIELD_HOURS)
            align[c] = 'r';
    }
    strbuf sb;
    sb_init(&sb);
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            rich *rt = &src.cells[(r + 1) * ncols + c];
            rich_init(rt, PDF_FONT_BODY, st->table_size);
            sb_clear(&sb);
            cell_with_merges(&sb, b->s, view, rows->items[r], cols->items[c], b->aud, b->roc);
            rich_appends(rt, sb.data ? sb.data : "");
        }
    }
    for (size_t r = nrows; r < nrows + blank; r++)
        for (size_t c = 0; c < ncols; c++)
            rich_init(&src.cells[(r + 1) * ncols + c], PDF_FONT_BODY, st->table_size);
    sb_free(&sb);
    table *t = table_build(b->c, &src, b->width - b->indent);
    free(align);
    double space = b->space >= 0 ? b->space : st->paragraph_space * 1.5;
    flow_add_table(b->f, t, b->indent, space);
    b->marker = NULL;
    b->space = st->paragraph_space * 1.5;
}

void pdf_build_register(pdf_builder *b, const register_def *reg, const ynode *opts,
                        bool revisions)
{
    if (!register_visible(reg, b->aud)) {
        notice(b, HIDDEN_TEXT);
        return;
    }
    register_view view;
    register_view_init(&view);
    if (revisions) {
        /* The seed's 文件制/修訂紀錄表 has no status column. */
        for (size_t i = 0; i < reg->fields.len; i++) {
            const register_field *f = reg->fields.items[i];
            if (strcmp(f->name, "status") != 0)
                vec_push(&view.columns, (void *)f);
        }
    }
    if (opts)
        register_view_parse(&view, reg, opts, (srcpos){reg->path, 0, 0}, NULL);
    vec cols, rows;
    vec_init(&cols, NULL);
    vec_init(&rows, NULL);
    register_view_columns(&view, reg, b->aud, &cols);
    register_view_rows(&view, reg, &rows);
    if (!rows.len)
        notice(b, "（無資料）");
    else if (view.layout == REGISTER_LAYOUT_LIST)
        list_layout(b, &cols, &rows);
    else if (cols.len)
        table_layout(b, &view, &cols, &rows);
    vec_free(&cols);
    vec_free(&rows);
    register_view_free(&view);
}
