#include "render/html/register_html.h"

#include <cmark-gfm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "markdown/markdown.h"
#include "markdown/tree.h"
#include "render/html/body.h"
#include "render/html/colwidth.h"
#include "xref/xref.h"

static void esc(strbuf *out, const char *s)
{
    sb_append_html(out, s, strlen(s));
}

/* A URL path or fragment: unreserved ASCII and '/' stay, UTF-8 bytes stay
 * (browsers accept them), everything else is %-encoded; the result needs no
 * further HTML escaping. */
static void url_part(strbuf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p) || *p >= 0x80)
            sb_appendc(out, (char)*p);
        else
            sb_printf(out, "%%%02X", *p);
    }
}

static void number_text(strbuf *out, double d)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.15g", d);
    sb_append(out, buf);
}

void register_date_html(strbuf *out, const site *s, date d, register_date_form form)
{
    bool roc = !s || s->config.calendar == CALENDAR_ROC;
    char buf[64];
    if (form == REGISTER_DATE_LONG)
        date_format_long(d, roc, buf, sizeof buf);
    else
        date_format_short(d, roc, buf, sizeof buf);
    sb_append(out, buf);
}

/* Text with its line breaks kept; the final newline of a `|` block is not a line. */
static void lines_html(strbuf *out, const char *s)
{
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '\n')
            continue;
        size_t end = i;
        if (end > start && s[end - 1] == '\r')
            end--;
        if (start)
            sb_append(out, "<br>\n");
        sb_append_html(out, s + start, end - start);
        start = i + 1;
    }
}

static void markdown_html(strbuf *out, const char *s)
{
    cmark_node *doc = md_parse(s, strlen(s));
    bool first = true;
    for (cmark_node *b = cmark_node_first_child(doc); b; b = cmark_node_next(b)) {
        if (!first)
            sb_append(out, "<br>\n");
        first = false;
        cmark_node_type t = cmark_node_get_type(b);
        if (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING) {
            html_render_inline(out, b);
        } else {
            char *plain = md_plain_text(b);
            esc(out, plain);
            free(plain);
        }
    }
    cmark_node_free(doc);
}

static void ref_html(strbuf *out, const register_cell *c, const char *root, audience aud)
{
    const register_row *target = register_cell_ref(c);
    if (!target) {
        esc(out, c->node->text); /* an unknown row: reported when loading */
        return;
    }
    if (!register_visible(target->reg, aud)) {
        sb_append(out, REGISTER_HIDDEN_TEXT);
        return;
    }
    sb_append(out, "<a href=\"");
    esc(out, root ? root : "");
    sb_append(out, "registers/");
    url_part(out, target->reg->name);
    sb_append(out, ".html#");
    url_part(out, target->key);
    sb_append(out, "\">");
    esc(out, register_row_label(target, aud));
    sb_append(out, "</a>");
}

void register_cell_html(strbuf *out, const site *s, const register_row *row,
                        const register_field *f, const char *root, audience aud,
                        register_date_form form)
{
    if (!register_field_visible(row->reg, f, aud)) {
        sb_append(out, REGISTER_HIDDEN_TEXT);
        return;
    }
    const register_cell *c = register_row_cell_at(row, f);
    if (!c || !c->node) {
        /* A released revision that says nothing of its changes: what the
         * comparison with the release before found. */
        const char *note = strcmp(row->reg->name, "revisions") == 0 && strcmp(f->name, "changes") == 0
                               ? site_revision_note(s, row->key)
                               : NULL;
        if (note) {
            sb_append(out, "<span class=\"generated\" title=\"依與前一版次之比對產生\">");
            esc(out, note);
            sb_append(out, "</span>");
        }
        return;
    }
    if (!c->valid && f->type != FIELD_REF) {
        /* A value that failed its check (already reported): shown as written. */
        if (c->node->kind == YNODE_SCALAR)
            lines_html(out, c->node->text);
        return;
    }
    switch (f->type) {
    case FIELD_TEXT:
        lines_html(out, c->node->text);
        break;
    case FIELD_MARKDOWN:
        markdown_html(out, c->node->text);
        break;
    case FIELD_INT:
        sb_printf(out, "%ld", c->as.integer);
        break;
    case FIELD_NUMBER:
        number_text(out, c->as.number);
        break;
    case FIELD_HOURS:
        number_text(out, c->as.number);
        sb_append(out, " 小時");
        break;
    case FIELD_DATE:
        register_date_html(out, s, c->as.date, form);
        break;
    case FIELD_ENUM:
        esc(out, c->node->text);
        break;
    case FIELD_BOOL:
        sb_append(out, c->as.boolean ? "是" : "否");
        break;
    case FIELD_CHECKS:
        for (size_t i = 0; i < f->values.len; i++) {
            const char *opt = f->values.items[i];
            if (i)
                sb_append(out, "<br>\n");
            sb_append(out, register_cell_checked(c, opt) ? "☑ " : "☐ ");
            esc(out, opt);
        }
        break;
    case FIELD_LIST:
        for (size_t i = 0; i < c->items.len; i++) {
            if (i)
                sb_append(out, "<br>\n");
            esc(out, c->items.items[i]);
        }
        break;
    case FIELD_REF:
        ref_html(out, c, root, aud);
        break;
    case FIELD_FILE: {
        /* Markdown evidence is a page of its own (register_evidence_page),
         * named by its title; other files are linked as they are. */
        const char *path = c->node->text;
        char *page = register_evidence_href(path);
        const char *title = site_evidence_title(s, path);
        sb_append(out, "<a class=\"evidence\" href=\"");
        esc(out, root ? root : "");
        sb_append(out, "evidence/");
        url_part(out, page ? page : path);
        sb_append(out, "\">");
        esc(out, title ? title : path);
        sb_append(out, "</a>");
        free(page);
        break;
    }
    }
}

char *register_evidence_href(const char *path)
{
    size_t len = strlen(path);
    if (len < 4 || strcmp(path + len - 3, ".md") != 0)
        return NULL;
    return xasprintf("%.*s.html", (int)(len - 3), path);
}

static bool numeric(const register_field *f)
{
    return f->type == FIELD_INT || f->type == FIELD_NUMBER || f->type == FIELD_HOURS;
}

static void row_id(strbuf *out, const register_view *view, const register_row *row)
{
    if (!view->anchors || !row->key)
        return;
    sb_append(out, " id=\"");
    esc(out, row->key);
    sb_append(out, "\"");
}

/* The name of the column that shows the flags on a row (the internal edition). */
#define FLAGS_COLUMN "檢核"

/* The longest merged "label：value" line kept whole, and the longest
 * value kept whole on a line that wraps, in em. */
#define KEEP_LINE_EM 10.0
#define KEEP_EM 6.0

static void table_layout(strbuf *out, const site *s, const register_def *reg,
                         const register_view *view, const vec *cols, const vec *rows,
                         const char *root, audience aud, const map *marks, double *width_em)
{
    /* The rows first: the header's width classes come from their cells. */
    colwidth *widths = xcalloc(cols->len + 1, sizeof *widths);
    colwidth mark_width = {0};
    strbuf body;
    sb_init(&body);
    for (size_t r = 0; r < rows->len; r++) {
        const register_row *row = rows->items[r];
        const register_row_mark *mark = marks && row->key ? map_get(marks, row->key) : NULL;
        sb_append(&body, "<tr");
        row_id(&body, view, row);
        if (mark)
            sb_printf(&body, " class=\"flagged %s\"", mark->status);
        sb_append(&body, ">");
        for (size_t i = 0; i < cols->len; i++) {
            const register_field *f = cols->items[i];
            /* Its column's name: a phone shows each row as a card of
             * "name：value" lines (the theme's table.cards). */
            sb_append(&body, numeric(f)               ? "<td class=\"num\" data-label=\""
                             : f->type == FIELD_DATE ? "<td class=\"date\" data-label=\""
                                                     : "<td data-label=\"");
            esc(&body, f->label);
            sb_append(&body, "\">");
            size_t start = body.len;
            register_cell_html(&body, s, row, f, root, aud, REGISTER_DATE_SHORT);
            const vec *merged = register_view_merged(view, f);
            for (size_t m = 0; merged && m < merged->len; m++) {
                const register_field *mf = merged->items[m];
                sb_append(&body, "<br>\n");
                /* A short line ("系統管理人員：陳素梅") stays whole, else its
                 * short value (a name, a unit) does. */
                strbuf v, line;
                sb_init(&v);
                sb_init(&line);
                register_cell_html(&v, s, row, mf, root, aud, REGISTER_DATE_SHORT);
                esc(&line, mf->label);
                sb_append(&line, "：");
                size_t label_len = line.len;
                sb_appendn(&line, v.data, v.len);
                bool one_line = v.len && !strstr(v.data, "<br>");
                if (one_line && colwidth_natural_html(line.data, line.len) <= KEEP_LINE_EM) {
                    sb_printf(&body, "<span class=\"keep\">%s</span>", line.data);
                } else {
                    sb_appendn(&body, line.data, label_len);
                    bool keep = one_line && colwidth_natural_html(v.data, v.len) <= KEEP_EM;
                    sb_printf(&body, keep ? "<span class=\"keep\">%s</span>" : "%s", v.data);
                }
                sb_free(&v);
                sb_free(&line);
            }
            colwidth_add_html(&widths[i], body.data + start, body.len - start, false);
            sb_append(&body, "</td>");
        }
        if (marks) {
            sb_append(&body, "<td class=\"row-flags\" data-label=\"" FLAGS_COLUMN "\">");
            size_t start = body.len;
            if (mark)
                sb_append(&body, mark->html);
            colwidth_add_html(&mark_width, body.data + start, body.len - start, false);
            sb_append(&body, "</td>");
        }
        sb_append(&body, "</tr>\n");
    }
    sb_append(out, "<div class=\"table-wrap\" tabindex=\"0\"><table class=\"register cards\" data-register=\"");
    esc(out, reg->name);
    sb_append(out, "\">\n<thead>\n<tr>");
    for (size_t i = 0; i < cols->len; i++) {
        const register_field *f = cols->items[i];
        colwidth_add_text(&widths[i], f->label, strlen(f->label), true);
        sb_printf(out, "<th scope=\"col\" class=\"%s\">", colwidth_class(&widths[i]));
        esc(out, f->label);
        sb_append(out, "</th>");
    }
    if (marks) {
        colwidth_add_text(&mark_width, FLAGS_COLUMN, strlen(FLAGS_COLUMN), true);
        sb_printf(out, "<th scope=\"col\" class=\"%s\">" FLAGS_COLUMN "</th>",
                  colwidth_class(&mark_width));
    }
    if (width_em) {
        *width_em = marks ? colwidth_em(&mark_width) + COLWIDTH_PADDING_EM : 0;
        for (size_t i = 0; i < cols->len; i++)
            *width_em += colwidth_em(&widths[i]) + COLWIDTH_PADDING_EM;
    }
    sb_append(out, "</tr>\n</thead>\n<tbody>\n");
    sb_appendn(out, body.data, body.len);
    sb_free(&body);
    free(widths);
    if (!rows->len)
        sb_printf(out, "<tr><td class=\"empty\" colspan=\"%zu\">（無資料）</td></tr>\n",
                  (cols->len ? cols->len : 1) + (marks ? 1 : 0));
    sb_append(out, "</tbody>\n</table></div>\n");
}

static void list_layout(strbuf *out, const site *s, const register_def *reg,
                        const register_view *view, const vec *cols, const vec *rows,
                        const char *root, audience aud)
{
    if (!rows->len) {
        sb_append(out, "<p class=\"register-empty\">（無資料）</p>\n");
        return;
    }
    sb_append(out, "<div class=\"register-list\" data-register=\"");
    esc(out, reg->name);
    sb_append(out, "\">\n");
    for (size_t r = 0; r < rows->len; r++) {
        const register_row *row = rows->items[r];
        sb_append(out, "<dl class=\"register-row\"");
        row_id(out, view, row);
        sb_append(out, ">\n");
        for (size_t i = 0; i < cols->len; i++) {
            const register_field *f = cols->items[i];
            sb_append(out, "<dt>");
            esc(out, f->label);
            sb_append(out, "</dt><dd>");
            register_cell_html(out, s, row, f, root, aud, REGISTER_DATE_LONG);
            sb_append(out, "</dd>\n");
        }
        sb_append(out, "</dl>\n");
    }
    sb_append(out, "</div>\n");
}

void register_row_mark_free(void *p)
{
    register_row_mark *m = p;
    if (!m)
        return;
    free(m->html);
    free(m);
}

void register_table_html(strbuf *out, const site *s, const register_def *reg,
                         const register_view *view, const char *root, audience aud)
{
    register_table_html_marked(out, s, reg, view, root, aud, NULL, NULL);
}

void register_table_html_marked(strbuf *out, const site *s, const register_def *reg,
                                const register_view *view, const char *root, audience aud,
                                const map *marks, double *width_em)
{
    if (!register_visible(reg, aud)) {
        sb_append(out, "<p class=\"register-hidden\">" REGISTER_HIDDEN_TEXT "</p>\n");
        return;
    }
    vec cols, rows;
    vec_init(&cols, NULL);
    vec_init(&rows, NULL);
    register_view_columns(view, reg, aud, &cols);
    register_view_rows(view, reg, &rows);
    if (view->layout == REGISTER_LAYOUT_LIST)
        list_layout(out, s, reg, view, &cols, &rows, root, aud);
    else
        table_layout(out, s, reg, view, &cols, &rows, root, aud, marks, width_em);
    vec_free(&cols);
    vec_free(&rows);
}

void register_revisions_view(register_view *view, const register_def *revisions)
{
    register_view_init(view);
    /* The seed's 文件制/修訂紀錄表 has no status column: a draft is marked elsewhere. */
    for (size_t i = 0; i < revisions->fields.len; i++) {
        const register_field *f = revisions->fields.items[i];
        if (strcmp(f->name, "status") != 0)
            vec_push(&view->columns, (void *)f);
    }
}

void render_register_directive(strbuf *out, const html_body_options *opts, const directive *d)
{
    const site *s = opts->site;
    if (!s || !s->registers)
        return;
    const char *name = d->kind == DIRECTIVE_REVISIONS ? "revisions" : d->arg;
    const register_def *reg = registers_get(s->registers, name);
    if (!reg)
        return;
    register_view view;
    if (d->kind == DIRECTIVE_REVISIONS)
        register_revisions_view(&view, reg);
    else
        register_view_init(&view);
    if (d->kind == DIRECTIVE_REGISTER && d->options)
        register_view_parse(&view, reg, d->options->root, d->pos, NULL);
    register_table_html(out, s, reg, &view, opts->root, opts->audience);
    register_view_free(&view);
}

/* ---- page models ---- */

static const document *find_annex(const site *s, const char *id)
{
    for (size_t i = 0; id && i < s->annexes.len; i++) {
        const document *d = s->annexes.items[i];
        if (strcmp(d->id, id) == 0)
            return d;
    }
    return NULL;
}

static value *annex_value(const site *s, const register_def *reg, audience aud, const char *root)
{
    const document *d = find_annex(s, reg->annex);
    if (!d || d->audience > aud)
        return NULL;
    value *v = value_map();
    value_map_set_string(v, "id", d->id);
    value_map_set_number(v, "number", d->number);
    value_map_set_string(v, "title", d->title);
    value_map_set(v, "href", value_string_take(xasprintf("%sannexes/%s.html", root, d->id)));
    return v;
}

static size_t visible_rows(const register_def *reg)
{
    return reg->rows.len;
}

value *register_page_value(const site *s, const register_def *reg, audience aud,
                           const map *marks)
{
    if (!register_visible(reg, aud))
        return NULL;
    const char *root = "../";
    value *page = value_map();
    value_map_set_string(page, "name", reg->name);
    value_map_set_string(page, "title", reg->title);
    if (reg->key)
        value_map_set_string(page, "key", reg->key->name);
    value_map_set_number(page, "row_count", (double)visible_rows(reg));
    value_map_set(page, "csv_href", value_string_take(xasprintf("%s.csv", reg->name)));
    value *annex = annex_value(s, reg, aud, root);
    if (annex)
        value_map_set(page, "annex", annex);

    register_view view;
    register_view_init(&view);
    view.anchors = true;
    vec cols;
    vec_init(&cols, NULL);
    register_view_columns(&view, reg, aud, &cols);
    value *columns = value_list();
    for (size_t i = 0; i < cols.len; i++) {
        const register_field *f = cols.items[i];
        value *c = value_map();
        value_map_set_string(c, "name", f->name);
        value_map_set_string(c, "label", f->label);
        value_map_set_string(c, "type", field_type_name(f->type));
        value_list_push(columns, c);
    }
    value_map_set(page, "columns", columns);

    value *rows = value_list();
    strbuf sb;
    sb_init(&sb);
    for (size_t r = 0; r < reg->rows.len; r++) {
        const register_row *row = reg->rows.items[r];
        value *rv = value_map();
        value_map_set_string(rv, "key", row->key ? row->key : "");
        value *cells = value_list();
        for (size_t i = 0; i < cols.len; i++) {
            const register_field *f = cols.items[i];
            sb_clear(&sb);
            register_cell_html(&sb, s, row, f, root, aud, REGISTER_DATE_SHORT);
            value *cv = value_map();
            value_map_set_string(cv, "name", f->name);
            value_map_set_string(cv, "label", f->label);
            value_map_set_string(cv, "html", sb.data);
            value_map_set_bool(cv, "numeric", numeric(f));
            value_list_push(cells, cv);
        }
        value_map_set(rv, "cells", cells);
        value_list_push(rows, rv);
    }
    value_map_set(page, "rows", rows);

    sb_clear(&sb);
    double width = 0;
    register_table_html_marked(&sb, s, reg, &view, root, aud, marks, &width);
    value_map_set(page, "table", value_string_take(sb_take(&sb)));
    value_map_set_number(page, "width_em", width);
    if (marks && marks->len)
        value_map_set_number(page, "flagged", (double)marks->len);
    sb_free(&sb);
    vec_free(&cols);
    register_view_free(&view);
    return page;
}

/* Where the plan first shows or cites a register: the chapter of its first
 * `register` directive or reg: link, in reading order. */
typedef struct mention {
    const register_def *reg;
    const document *chapter; /* NULL: the plan never mentions it */
    size_t order;            /* reading order of the first mention */
} mention;

static void mention_note(mention *m, size_t n, const char *name, const document *d,
                         size_t *order)
{
    for (size_t i = 0; i < n; i++)
        if (!m[i].chapter && strcmp(m[i].reg->name, name) == 0) {
            m[i].chapter = d;
            m[i].order = (*order)++;
        }
}

/* Whether a link of d goes to a register or a row of one (as xref found). */
static bool links_a_register(const document *d)
{
    for (size_t i = 0; i < d->links.len; i++) {
        const doc_link *l = d->links.items[i];
        const xref_link *x = l->xref;
        if (x && (x->kind == XREF_REGISTER || x->kind == XREF_ROW))
            return true;
    }
    return false;
}

static void find_mentions(const site *s, audience aud, mention *m, size_t n)
{
    size_t order = 0;
    for (size_t c = 0; n && c < s->chapters.len; c++) {
        const document *d = s->chapters.items[c];
        if (d->audience > aud)
            continue;
        /* Most chapters name no register: their trees are not walked. */
        bool directives = false;
        for (size_t k = 0; k < d->directives.len; k++) {
            const directive *dir = d->directives.items[k];
            directives = directives || dir->kind == DIRECTIVE_REGISTER ||
                         dir->kind == DIRECTIVE_REVISIONS;
        }
        if (!directives && !links_a_register(d))
            continue;
        md_tree *tree = md_tree_open(d);
        cmark_iter *it = cmark_iter_new(tree->root);
        cmark_event_type ev;
        while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
            cmark_node *node = cmark_iter_get_node(it);
            if (ev != CMARK_EVENT_ENTER)
                continue;
            cmark_node_type t = cmark_node_get_type(node);
            const void *data = cmark_node_get_user_data(node);
            if (t == CMARK_NODE_CODE_BLOCK && data) {
                const directive *dir = data;
                if (dir->kind == DIRECTIVE_REGISTER && dir->arg)
                    mention_note(m, n, dir->arg, d, &order);
                else if (dir->kind == DIRECTIVE_REVISIONS)
                    mention_note(m, n, "revisions", d, &order);
            } else if (t == CMARK_NODE_LINK && data) {
                const xref_link *x = data;
                if (x->kind == XREF_REGISTER || x->kind == XREF_ROW) {
                    const char *name = x->href + strlen("registers/");
                    size_t len = strcspn(name, ".");
                    char *reg = xstrndup(name, len);
                    mention_note(m, n, reg, d, &order);
                    free(reg);
                }
            }
        }
        cmark_iter_free(it);
        md_tree_close(tree);
    }
}

static int by_mention(const void *a, const void *b)
{
    const mention *x = a, *y = b;
    if (!x->chapter != !y->chapter)
        return x->chapter ? -1 : 1;
    if (x->chapter)
        return x->order < y->order ? -1 : x->order > y->order;
    return strcmp(x->reg->title, y->reg->title);
}

value *register_index_value(const site *s, audience aud)
{
    value *page = value_map();
    value_map_set_string(page, "title", "紀錄及清冊");
    value *list = value_list();
    const register_set *set = s->registers;
    size_t n = 0;
    mention *m = xcalloc(set ? set->registers.len + 1 : 1, sizeof *m);
    for (size_t i = 0; set && i < set->registers.len; i++) {
        const register_def *reg = set->registers.items[i];
        if (register_visible(reg, aud))
            m[n++].reg = reg;
    }
    find_mentions(s, aud, m, n);
    qsort(m, n, sizeof *m, by_mention);
    for (size_t i = 0; i < n; i++) {
        const register_def *reg = m[i].reg;
        value *v = value_map();
        value_map_set_string(v, "name", reg->name);
        value_map_set_string(v, "title", reg->title);
        value_map_set_number(v, "row_count", (double)visible_rows(reg));
        value_map_set(v, "href", value_string_take(xasprintf("%s.html", reg->name)));
        value_map_set(v, "csv_href", value_string_take(xasprintf("%s.csv", reg->name)));
        if (m[i].chapter) {
            const document *d = m[i].chapter;
            const section *top = d->sections.items[0];
            value *c = value_map();
            value_map_set_string(c, "label", top->label);
            value_map_set_string(c, "title", d->title);
            value_map_set(c, "href", value_string_take(xasprintf("../plan/%s.html", d->id)));
            value_map_set(v, "chapter", c);
        }
        value *annex = annex_value(s, reg, aud, "../");
        if (annex)
            value_map_set(v, "annex", annex);
        value_list_push(list, v);
    }
    free(m);
    value_map_set(page, "registers", list);
    value_map_set_number(page, "count", (double)n);
    value_map_set_bool(page, "any", n > 0);
    return page;
}

/* ---- CSV ---- */

static void csv_field(strbuf *out, const char *s, bool guard_formula)
{
    bool formula = guard_formula && s[0] && strchr("=+-@", s[0]) && s[1];
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        sb_append(out, s);
        return;
    }
    sb_appendc(out, '"');
    if (formula)
        sb_appendc(out, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sb_appendc(out, '"');
        sb_appendc(out, *p);
    }
    sb_appendc(out, '"');
}

static void csv_cell(strbuf *out, const register_field *f, const register_cell *c, audience aud,
                     bool roc)
{
    if (!c->node)
        return;
    if (c->node->kind != YNODE_SCALAR && !register_cell_items(c))
        return;
    strbuf sb;
    sb_init(&sb);
    bool text_like = false;
    if (!c->valid) {
        if (c->node->kind == YNODE_SCALAR)
            sb_append(&sb, c->node->text);
        text_like = true;
    } else {
        switch (f->type) {
        case FIELD_INT: sb_printf(&sb, "%ld", c->as.integer); break;
        case FIELD_NUMBER:
        case FIELD_HOURS: number_text(&sb, c->as.number); break;
        case FIELD_BOOL: sb_append(&sb, c->as.boolean ? "是" : "否"); break;
        case FIELD_DATE: {
            char buf[32];
            date_format_short(c->as.date, roc, buf, sizeof buf);
            sb_append(&sb, buf);
            break;
        }
        case FIELD_REF:
            /* The key of a row of a register the audience may not see is not shown. */
            sb_append(&sb, c->target && !register_visible(c->target->reg, aud) ? REGISTER_HIDDEN_TEXT
                                                                               : c->node->text);
            text_like = true;
            break;
        case FIELD_CHECKS:
        case FIELD_LIST:
            for (size_t i = 0; i < c->items.len; i++) {
                if (i)
                    sb_append(&sb, "、");
                sb_append(&sb, c->items.items[i]);
            }
            text_like = true;
            break;
        default: {
            const char *t = c->node->text;
            size_t len = strlen(t);
            while (len && (t[len - 1] == '\n' || t[len - 1] == '\r'))
                len--;
            sb_appendn(&sb, t, len);
            text_like = true;
            break;
        }
        }
    }
    csv_field(out, sb.data, text_like);
    sb_free(&sb);
}

char *register_csv(const register_def *reg, audience aud, bool roc)
{
    if (!register_visible(reg, aud))
        return NULL;
    strbuf out;
    sb_init(&out);
    sb_append(&out, "\xEF\xBB\xBF");
    bool first = true;
    for (size_t i = 0; i < reg->fields.len; i++) {
        const register_field *f = reg->fields.items[i];
        if (!register_field_visible(reg, f, aud))
            continue;
        if (!first)
            sb_appendc(&out, ',');
        first = false;
        csv_field(&out, f->label, true);
    }
    sb_append(&out, "\r\n");
    for (size_t r = 0; r < reg->rows.len; r++) {
        const register_row *row = reg->rows.items[r];
        first = true;
        for (size_t i = 0; i < reg->fields.len; i++) {
            const register_field *f = reg->fields.items[i];
            if (!register_field_visible(reg, f, aud))
                continue;
            if (!first)
                sb_appendc(&out, ',');
            first = false;
            csv_cell(&out, f, &row->cells[i], aud, roc);
        }
        sb_append(&out, "\r\n");
    }
    return sb_take(&out);
}
