#include "diff/sitediff.h"

#include <cmark-gfm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/map.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "markdown/directive.h"
#include "markdown/tree.h"
#include "registers/registers.h"
#include "registers/view.h"

/* ---- sections and their text ---- */

/* A section of one version while the two are matched. */
typedef struct unit {
    section_kind kind;
    size_t doc; /* position of its document among the units' documents */
    char *key;  /* "c:DOC" "c:DOC/ID" "a:DOC" */
    section_side side;
    strbuf text;
    long parent; /* index of the enclosing section, -1 */
    long match;  /* index in the other version's list, -1 */
} unit;

static void unit_free(void *p)
{
    unit *u = p;
    free(u->key);
    free(u->side.doc_id);
    free(u->side.id);
    free(u->side.number);
    free(u->side.title);
    free(u->side.display);
    free(u->side.href);
    free(u->side.text);
    sb_free(&u->text);
    free(u);
}

typedef struct extract {
    const site *site;
    audience aud;
    vec *units; /* of unit* */
    const document *doc;
    size_t base;       /* the document's first unit */
    size_t cur;        /* the unit text goes to */
    size_t sec_cursor; /* position in doc->sections of the current heading */
    bool whole;        /* annexes: headings are text, one unit for the document */
    int ordered_depth;
    int depth;          /* nesting of the blocks and inlines being read */
    const char *marker; /* list item marker for the next line, or NULL */
    char marker_buf[32];
} extract;

static unit *cur_unit(extract *ex)
{
    return ex->units->items[ex->cur];
}

/* "壹、依據" but "(一) 網路安全控管" (as xref_section_text). */
static char *display_text(const char *number, const char *title)
{
    size_t n = strlen(number);
    bool glue = n == 0 || (n >= 3 && strcmp(number + n - 3, "、") == 0);
    return xasprintf("%s%s%s", number, glue ? "" : " ", title);
}

/* Starts a line of the current unit's text: a new line unless at the start,
 * then a pending list marker. */
static strbuf *line_begin(extract *ex)
{
    strbuf *sb = &cur_unit(ex)->text;
    if (sb->len && sb->data[sb->len - 1] != '\n')
        sb_appendc(sb, '\n');
    if (ex->marker) {
        sb_append(sb, ex->marker);
        ex->marker = NULL;
    }
    return sb;
}

static void line_end(extract *ex)
{
    strbuf *sb = &cur_unit(ex)->text;
    if (sb->len && sb->data[sb->len - 1] != '\n')
        sb_appendc(sb, '\n');
}

static void append_trimmed(strbuf *sb, const char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    sb_appendn(sb, s, n);
}

static const document *find_doc(const vec *docs, const char *id, size_t idlen)
{
    for (size_t i = 0; i < docs->len; i++) {
        const document *d = docs->items[i];
        if (strlen(d->id) == idlen && strncmp(d->id, id, idlen) == 0)
            return d;
    }
    return NULL;
}

/* What a cross-reference reads as, without numbers that other changes shift. */
static void xref_target_text(extract *ex, const char *url, strbuf *out)
{
    const site *s = ex->site;
    if (strncmp(url, "sec:", 4) == 0) {
        const char *target = url + 4, *slash = strchr(target, '/');
        const char *id = slash ? slash + 1 : target;
        for (size_t i = 0; i < s->chapters.len; i++) {
            const document *d = s->chapters.items[i];
            if (slash && (strlen(d->id) != (size_t)(slash - target) ||
                          strncmp(d->id, target, (size_t)(slash - target)) != 0))
                continue;
            for (size_t k = 0; k < d->sections.len; k++) {
                const section *sec = d->sections.items[k];
                if (strcmp(sec->id, id) == 0) {
                    sb_append(out, sec->title);
                    return;
                }
            }
        }
    } else if (strncmp(url, "annex:", 6) == 0) {
        const document *a = find_doc(&s->annexes, url + 6, strlen(url + 6));
        if (a) {
            sb_printf(out, "附件 %d「%s」", a->number, a->title);
            return;
        }
    } else if (strncmp(url, "reg:", 4) == 0 && s->registers) {
        const char *target = url + 4, *slash = strchr(target, '/');
        char *name = slash ? xstrndup(target, (size_t)(slash - target)) : xstrdup(target);
        const register_def *reg = registers_get(s->registers, name);
        free(name);
        if (reg && !slash) {
            sb_append(out, reg->title ? reg->title : reg->name);
            return;
        }
        const register_row *row = reg ? register_row_get(reg, slash + 1) : NULL;
        if (row) {
            const char *label = register_row_label(row, ex->aud);
            sb_append(out, label ? label : slash + 1);
            return;
        }
    }
    sb_append(out, url);
}

static bool is_xref_url(const char *url)
{
    return url && (strncmp(url, "sec:", 4) == 0 || strncmp(url, "annex:", 6) == 0 ||
                   strncmp(url, "reg:", 4) == 0);
}

/* Blocks and inlines nested deeper than this (a thousand '>' in a row)
 * are read flat, without recursion: their text, a line per paragraph. */
#define MAX_DEPTH 100

static void flat_text(cmark_node *node, strbuf *out)
{
    cmark_iter *it = cmark_iter_new(node);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        if (ev == CMARK_EVENT_ENTER &&
            (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE || t == CMARK_NODE_HTML_INLINE ||
             t == CMARK_NODE_CODE_BLOCK || t == CMARK_NODE_HTML_BLOCK))
            sb_append(out, cmark_node_get_literal(n));
        else if (ev == CMARK_EVENT_EXIT && (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING) &&
                 out->len && out->data[out->len - 1] != '\n')
            sb_appendc(out, '\n');
    }
    cmark_iter_free(it);
    while (out->len && out->data[out->len - 1] == '\n')
        out->data[--out->len] = '\0';
}

static void inline_text(extract *ex, cmark_node *node, strbuf *out)
{
    if (ex->depth > MAX_DEPTH) {
        flat_text(node, out);
        return;
    }
    ex->depth++;
    for (cmark_node *c = cmark_node_first_child(node); c; c = cmark_node_next(c)) {
        switch (cmark_node_get_type(c)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
        case CMARK_NODE_HTML_INLINE: sb_append(out, cmark_node_get_literal(c)); break;
        case CMARK_NODE_SOFTBREAK:
            /* A line break in the source: nothing between Chinese characters. */
            if (out->len && (unsigned char)out->data[out->len - 1] < 0x80)
                sb_appendc(out, ' ');
            break;
        case CMARK_NODE_LINEBREAK: sb_appendc(out, '\n'); break;
        case CMARK_NODE_FOOTNOTE_REFERENCE: break;
        case CMARK_NODE_LINK: {
            const char *url = cmark_node_get_url(c);
            cmark_node *first = cmark_node_first_child(c);
            /* Text that xref_resolve_site put into an empty link has no
             * place in the source (line 0): read the target instead. */
            if (is_xref_url(url) && (!first || cmark_node_get_start_line(first) == 0))
                xref_target_text(ex, url, out);
            else
                inline_text(ex, c, out);
            break;
        }
        default: inline_text(ex, c, out);
        }
    }
    ex->depth--;
}

static void walk_blocks(extract *ex, cmark_node *parent);

static void cell_text(extract *ex, const register_def *reg, const register_row *row,
                      const register_field *f, strbuf *out)
{
    const register_cell *c = register_row_cell_at(row, f);
    if (!c || !c->node)
        return;
    if (!register_field_visible(reg, f, ex->aud)) {
        sb_append(out, "（不公開）");
        return;
    }
    if (!c->valid) {
        if (c->node->kind == YNODE_SCALAR)
            append_trimmed(out, c->node->text);
        return;
    }
    switch (f->type) {
    case FIELD_INT: sb_printf(out, "%ld", c->as.integer); break;
    case FIELD_NUMBER:
    case FIELD_HOURS: sb_printf(out, "%g", c->as.number); break;
    case FIELD_BOOL: sb_append(out, c->as.boolean ? "是" : "否"); break;
    case FIELD_DATE: {
        char buf[32];
        date_format_short(c->as.date, ex->site->config.calendar == CALENDAR_ROC, buf, sizeof buf);
        sb_append(out, buf);
        break;
    }
    case FIELD_REF:
        if (c->target && !register_visible(c->target->reg, ex->aud))
            sb_append(out, "（不公開）");
        else if (c->target)
            sb_append(out, register_row_label(c->target, ex->aud));
        else
            append_trimmed(out, c->node->text);
        break;
    case FIELD_CHECKS:
    case FIELD_LIST:
        for (size_t i = 0; i < c->items.len; i++) {
            if (i)
                sb_append(out, "、");
            sb_append(out, c->items.items[i]);
        }
        break;
    default: {
        size_t start = out->len;
        append_trimmed(out, c->node->text);
        for (size_t i = start; i < out->len; i++)
            if (out->data[i] == '\n' || out->data[i] == '\r')
                out->data[i] = ' ';
        break;
    }
    }
}

/* A `register` directive: a header line, then a line a row, as the view
 * shows it to the audience. */
static void register_lines(extract *ex, const directive *d)
{
    const register_def *reg =
        ex->site->registers ? registers_get(ex->site->registers, d->arg) : NULL;
    if (!reg) {
        strbuf *sb = line_begin(ex);
        sb_printf(sb, "〔%s〕", d->arg ? d->arg : "register");
        line_end(ex);
        return;
    }
    if (!register_visible(reg, ex->aud)) {
        sb_append(line_begin(ex), "（不公開）");
        line_end(ex);
        return;
    }
    register_view view;
    register_view_init(&view);
    if (d->options)
        register_view_parse(&view, reg, d->options->root, d->pos, NULL);
    vec cols, rows;
    vec_init(&cols, NULL);
    vec_init(&rows, NULL);
    register_view_columns(&view, reg, ex->aud, &cols);
    register_view_rows(&view, reg, &rows);
    strbuf *sb = line_begin(ex);
    for (size_t i = 0; i < cols.len; i++) {
        const register_field *f = cols.items[i];
        if (i)
            sb_append(sb, "｜");
        sb_append(sb, f->label);
    }
    line_end(ex);
    for (size_t r = 0; r < rows.len; r++) {
        const register_row *row = rows.items[r];
        sb = line_begin(ex);
        for (size_t i = 0; i < cols.len; i++) {
            const register_field *f = cols.items[i];
            if (i)
                sb_append(sb, "｜");
            cell_text(ex, reg, row, f, sb);
            const vec *merged = register_view_merged(&view, f);
            for (size_t k = 0; merged && k < merged->len; k++) {
                const register_field *m = merged->items[k];
                if (!register_field_visible(reg, m, ex->aud))
                    continue;
                const register_cell *mc = register_row_cell_at(row, m);
                if (!mc || !mc->node)
                    continue;
                sb_printf(sb, "；%s：", m->label);
                cell_text(ex, reg, row, m, sb);
            }
        }
        line_end(ex);
    }
    vec_free(&cols);
    vec_free(&rows);
    register_view_free(&view);
}

static void directive_text(extract *ex, const directive *d)
{
    switch (d->kind) {
    case DIRECTIVE_SIGNATURES: {
        const char *labels[16];
        size_t n = directive_signatures(d, labels, 16);
        strbuf *sb = line_begin(ex);
        for (size_t i = 0; i < n; i++)
            sb_printf(sb, "%s%s：（簽章）", i ? "　" : "", labels[i]);
        line_end(ex);
        break;
    }
    case DIRECTIVE_ONLY:
        if (ex->aud >= d->audience && d->content)
            walk_blocks(ex, d->content);
        break;
    case DIRECTIVE_ANNEXES:
        for (size_t i = 0; i < ex->site->annexes.len; i++) {
            const document *a = ex->site->annexes.items[i];
            if (a->audience > ex->aud)
                continue;
            sb_printf(line_begin(ex), "附件 %d「%s」", a->number, a->title);
            line_end(ex);
        }
        break;
    case DIRECTIVE_REVISIONS: {
        const register_def *reg =
            ex->site->registers ? registers_get(ex->site->registers, "revisions") : NULL;
        sb_printf(line_begin(ex), "〔%s〕", reg && reg->title ? reg->title : "修訂紀錄表");
        line_end(ex);
        break;
    }
    case DIRECTIVE_REGISTER: register_lines(ex, d); break;
    }
}

/* The unit of a numbered heading of the document being read, or -1. */
static long heading_unit(extract *ex, const section *s)
{
    if (!s || ex->whole)
        return -1;
    for (size_t k = ex->sec_cursor; k < ex->doc->sections.len; k++)
        if (ex->doc->sections.items[k] == s) {
            ex->sec_cursor = k;
            return (long)(ex->base + k);
        }
    return -1;
}

static void list_marker(extract *ex, bool ordered, int n)
{
    if (!ordered) {
        snprintf(ex->marker_buf, sizeof ex->marker_buf, "・");
    } else {
        switch ((ex->ordered_depth - 1) % 3) {
        case 0: snprintf(ex->marker_buf, sizeof ex->marker_buf, "%d. ", n); break;
        case 1: snprintf(ex->marker_buf, sizeof ex->marker_buf, "(%d) ", n); break;
        default:
            if (n >= 1 && n <= 26)
                snprintf(ex->marker_buf, sizeof ex->marker_buf, "%c. ", 'A' + n - 1);
            else
                snprintf(ex->marker_buf, sizeof ex->marker_buf, "%d. ", n);
        }
    }
    ex->marker = ex->marker_buf;
}

static void walk_block(extract *ex, cmark_node *n)
{
    const char *type = cmark_node_get_type_string(n);
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_HEADING: {
        long u = heading_unit(ex, cmark_node_get_user_data(n));
        if (u >= 0) {
            ex->cur = (size_t)u;
            ex->marker = NULL;
            break;
        }
        inline_text(ex, n, line_begin(ex));
        line_end(ex);
        break;
    }
    case CMARK_NODE_PARAGRAPH:
        inline_text(ex, n, line_begin(ex));
        line_end(ex);
        break;
    case CMARK_NODE_LIST: {
        bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
        if (ordered)
            ex->ordered_depth++;
        int k = ordered ? cmark_node_get_list_start(n) : 0;
        for (cmark_node *item = cmark_node_first_child(n); item; item = cmark_node_next(item)) {
            list_marker(ex, ordered, k++);
            walk_blocks(ex, item);
            if (ex->marker) { /* an empty item */
                line_begin(ex);
                line_end(ex);
            }
        }
        if (ordered)
            ex->ordered_depth--;
        break;
    }
    case CMARK_NODE_CODE_BLOCK: {
        const directive *d = cmark_node_get_user_data(n);
        if (d) {
            directive_text(ex, d);
            break;
        }
        append_trimmed(line_begin(ex), cmark_node_get_literal(n));
        line_end(ex);
        break;
    }
    case CMARK_NODE_HTML_BLOCK:
        append_trimmed(line_begin(ex), cmark_node_get_literal(n));
        line_end(ex);
        break;
    case CMARK_NODE_THEMATIC_BREAK: break;
    case CMARK_NODE_FOOTNOTE_DEFINITION:
        break; /* read with the section that refers to it (read_document) */
    default:
        if (strcmp(type, "table") == 0) {
            for (cmark_node *row = cmark_node_first_child(n); row; row = cmark_node_next(row)) {
                strbuf *sb = line_begin(ex);
                bool first = true;
                for (cmark_node *cell = cmark_node_first_child(row); cell;
                     cell = cmark_node_next(cell)) {
                    if (!first)
                        sb_append(sb, "｜");
                    first = false;
                    inline_text(ex, cell, sb);
                }
                line_end(ex);
            }
            break;
        }
        walk_blocks(ex, n);
    }
}

static void walk_blocks(extract *ex, cmark_node *parent)
{
    if (ex->depth > MAX_DEPTH) {
        flat_text(parent, line_begin(ex));
        line_end(ex);
        return;
    }
    ex->depth++;
    for (cmark_node *c = cmark_node_first_child(parent); c; c = cmark_node_next(c))
        walk_block(ex, c);
    ex->depth--;
}

/* The unit each footnote (by its number within the document) is first
 * referred to from, as xref does for back-links. */
static void footnote_units(extract *ex, cmark_node *root, long *units, int count)
{
    size_t cursor = ex->sec_cursor, cur = ex->cur;
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        cmark_node_type t = cmark_node_get_type(n);
        if (t == CMARK_NODE_FOOTNOTE_DEFINITION)
            break; /* the definitions come last */
        if (t == CMARK_NODE_HEADING) {
            long u = heading_unit(ex, cmark_node_get_user_data(n));
            if (u >= 0)
                ex->cur = (size_t)u;
        } else if (t == CMARK_NODE_FOOTNOTE_REFERENCE) {
            int ix = atoi(cmark_node_get_literal(n));
            if (ix >= 1 && ix <= count && units[ix - 1] < 0)
                units[ix - 1] = (long)ex->cur;
        }
    }
    cmark_iter_free(it);
    ex->sec_cursor = cursor;
    ex->cur = cur;
}

static void read_document(extract *ex)
{
    const document *d = ex->doc;
    md_tree *tree = md_tree_open(d);
    cmark_node *root = tree->root;
    int count = 0;
    for (cmark_node *c = cmark_node_first_child(root); c; c = cmark_node_next(c))
        if (cmark_node_get_type(c) == CMARK_NODE_FOOTNOTE_DEFINITION)
            count++;
    long *notes = xmalloc(((size_t)count + 1) * sizeof *notes);
    for (int i = 0; i < count; i++)
        notes[i] = -1;
    if (count)
        footnote_units(ex, root, notes, count);
    int k = 0;
    for (cmark_node *c = cmark_node_first_child(root); c; c = cmark_node_next(c)) {
        if (cmark_node_get_type(c) != CMARK_NODE_FOOTNOTE_DEFINITION) {
            walk_block(ex, c);
            continue;
        }
        size_t keep = ex->cur;
        if (notes[k] >= 0)
            ex->cur = (size_t)notes[k];
        k++;
        line_begin(ex);
        ex->marker = "［註］";
        walk_blocks(ex, c);
        if (ex->marker) {
            line_begin(ex);
            line_end(ex);
        }
        ex->cur = keep;
    }
    free(notes);
    md_tree_close(tree);
}

static unit *new_unit(section_kind kind, size_t doc, const char *doc_id, const char *id,
                      const char *number, const char *title, int level)
{
    unit *u = xcalloc(1, sizeof *u);
    u->kind = kind;
    u->doc = doc;
    u->parent = -1;
    u->match = -1;
    sb_init(&u->text);
    u->side.doc_id = xstrdup(doc_id);
    u->side.id = xstrdup(id);
    u->side.number = xstrdup(number ? number : "");
    u->side.title = xstrdup(title ? title : "");
    u->side.level = level;
    if (kind == SECTION_KIND_ANNEX) {
        u->key = xasprintf("a:%s", doc_id);
        u->side.display = xasprintf("%s「%s」", u->side.number, u->side.title);
        u->side.href = xasprintf("annexes/%s.html", doc_id);
    } else {
        u->key = kind == SECTION_KIND_CHAPTER ? xasprintf("c:%s", doc_id)
                                              : xasprintf("c:%s/%s", doc_id, id);
        u->side.display = display_text(u->side.number, u->side.title);
        u->side.href = kind == SECTION_KIND_CHAPTER ? xasprintf("plan/%s.html", doc_id)
                                                    : xasprintf("plan/%s.html#%s", doc_id, id);
    }
    return u;
}

/* Every section of s that aud may see, in document order: the chapters'
 * sections, then the annexes. */
static void site_units(const site *s, audience aud, vec *units)
{
    extract ex = {.site = s, .aud = aud, .units = units};
    size_t docno = 0;
    for (size_t i = 0; i < s->chapters.len; i++) {
        const document *d = s->chapters.items[i];
        if (d->audience > aud || !d->sections.len)
            continue;
        ex.doc = d;
        ex.base = units->len;
        ex.cur = ex.base;
        ex.sec_cursor = 0;
        ex.whole = false;
        ex.ordered_depth = 0;
        ex.marker = NULL;
        long chain[8];
        for (int l = 0; l < 8; l++)
            chain[l] = -1;
        for (size_t k = 0; k < d->sections.len; k++) {
            const section *sec = d->sections.items[k];
            int level = sec->level < 1 ? 1 : sec->level > 6 ? 6 : sec->level;
            unit *u = new_unit(k == 0 ? SECTION_KIND_CHAPTER : SECTION_KIND_HEADING, docno, d->id,
                               k == 0 ? d->id : sec->id, sec->full_label,
                               k == 0 ? d->title : sec->title, k == 0 ? 1 : level);
            int lv = u->side.level;
            for (int l = lv - 1; l >= 1; l--)
                if (chain[l] >= 0) {
                    u->parent = chain[l];
                    break;
                }
            chain[lv] = (long)units->len;
            for (int l = lv + 1; l < 8; l++)
                chain[l] = -1;
            vec_push(units, u);
        }
        read_document(&ex);
        docno++;
    }
    for (size_t i = 0; i < s->annexes.len; i++) {
        const document *d = s->annexes.items[i];
        if (d->audience > aud)
            continue;
        char number[32];
        snprintf(number, sizeof number, "附件 %d", d->number);
        ex.doc = d;
        ex.base = units->len;
        ex.cur = ex.base;
        ex.sec_cursor = 0;
        ex.whole = true;
        ex.ordered_depth = 0;
        ex.marker = NULL;
        vec_push(units, new_unit(SECTION_KIND_ANNEX, docno, d->id, d->id, number, d->title, 1));
        read_document(&ex);
        docno++;
    }
    for (size_t i = 0; i < units->len; i++) {
        unit *u = units->items[i];
        while (u->text.len && u->text.data[u->text.len - 1] == '\n')
            u->text.data[--u->text.len] = '\0';
        u->side.text = xstrdup(u->text.len ? u->text.data : "");
    }
}

/* ---- matching ---- */

/* Pairs two sections that are both still unpaired. */
static void pair(vec *olds, vec *news, size_t o, size_t n)
{
    if (((unit *)olds->items[o])->match >= 0 || ((unit *)news->items[n])->match >= 0)
        return;
    ((unit *)olds->items[o])->match = (long)n;
    ((unit *)news->items[n])->match = (long)o;
}

static bool doc_level(const unit *u)
{
    return u->kind != SECTION_KIND_HEADING;
}

/* The old document paired with each new one (by their own units). */
static long *doc_pairs(const vec *olds, const vec *news, size_t ndocs)
{
    long *pairs = xmalloc((ndocs + 1) * sizeof *pairs);
    for (size_t i = 0; i <= ndocs; i++)
        pairs[i] = -1;
    for (size_t i = 0; i < news->len; i++) {
        const unit *u = news->items[i];
        if (doc_level(u) && u->match >= 0)
            pairs[u->doc] = (long)((const unit *)olds->items[u->match])->doc;
    }
    return pairs;
}

#define SIMILAR_MIN 0.5
#define SIMILAR_MAX_CANDIDATES 64 /* per section */
#define SIMILAR_MAX_DIFFS 4000    /* per site diff */
#define POSITION_MAX_SCAN 64

static void free_vec(void *p)
{
    vec_free(p);
    free(p);
}

static void match_units(vec *olds, vec *news)
{
    map by_key;
    map_init(&by_key, NULL);
    for (size_t i = 0; i < olds->len; i++) {
        unit *u = olds->items[i];
        if (!map_has(&by_key, u->key))
            map_set(&by_key, u->key, (void *)(uintptr_t)(i + 1));
    }
    /* Documents first: by id, then by kind and title. */
    for (size_t j = 0; j < news->len; j++) {
        unit *u = news->items[j];
        if (!doc_level(u))
            continue;
        uintptr_t o = (uintptr_t)map_get(&by_key, u->key);
        if (o && ((unit *)olds->items[o - 1])->match < 0)
            pair(olds, news, o - 1, j);
    }
    for (size_t j = 0; j < news->len; j++) {
        unit *u = news->items[j];
        if (!doc_level(u) || u->match >= 0)
            continue;
        for (size_t i = 0; i < olds->len; i++) {
            unit *v = olds->items[i];
            if (v->match < 0 && v->kind == u->kind && strcmp(v->side.title, u->side.title) == 0) {
                pair(olds, news, i, j);
                break;
            }
        }
    }
    size_t ndocs = 0;
    for (size_t j = 0; j < news->len; j++)
        ndocs = ((unit *)news->items[j])->doc + 1;
    long *docs = doc_pairs(olds, news, ndocs);

    /* Headings with the same title and text in the paired document: so
     * that removing the first of two same-titled headings (ids 政策 and
     * 政策-2, the second then derived as 政策) pairs the one that stayed. */
    map exact;
    map_init(&exact, NULL);
    for (size_t i = 0; i < olds->len; i++) {
        unit *v = olds->items[i];
        if (doc_level(v) || v->match >= 0)
            continue;
        char *k = xasprintf("%zu\x1f%s\x1f%s", v->doc, v->side.title, v->side.text);
        if (!map_has(&exact, k))
            map_set(&exact, k, (void *)(uintptr_t)(i + 1));
        free(k);
    }
    for (size_t j = 0; j < news->len; j++) {
        unit *u = news->items[j];
        if (doc_level(u) || u->match >= 0 || docs[u->doc] < 0)
            continue;
        char *k = xasprintf("%ld\x1f%s\x1f%s", docs[u->doc], u->side.title, u->side.text);
        uintptr_t o = (uintptr_t)map_get(&exact, k);
        free(k);
        if (o && ((unit *)olds->items[o - 1])->match < 0)
            pair(olds, news, o - 1, j);
    }
    map_free(&exact);

    /* Headings by id within the paired document. */
    size_t old_ndocs = 0;
    for (size_t i = 0; i < olds->len; i++)
        old_ndocs = ((unit *)olds->items[i])->doc + 1;
    const char **old_doc_ids = xcalloc(old_ndocs + 1, sizeof *old_doc_ids);
    for (size_t i = 0; i < olds->len; i++) {
        const unit *v = olds->items[i];
        if (doc_level(v))
            old_doc_ids[v->doc] = v->side.doc_id;
    }
    for (size_t j = 0; j < news->len; j++) {
        unit *u = news->items[j];
        if (doc_level(u) || u->match >= 0 || docs[u->doc] < 0)
            continue;
        const char *old_doc = old_doc_ids[docs[u->doc]];
        if (!old_doc)
            continue;
        char *key = xasprintf("c:%s/%s", old_doc, u->side.id);
        uintptr_t o = (uintptr_t)map_get(&by_key, key);
        free(key);
        if (o && ((unit *)olds->items[o - 1])->match < 0 && !doc_level((unit *)olds->items[o - 1]))
            pair(olds, news, o - 1, j);
    }
    free(old_doc_ids);
    map_free(&by_key);

    /* By title: in the paired document, else the only such title anywhere. */
    map by_title; /* title -> vec of old heading indices + 1 */
    map_init(&by_title, free_vec);
    for (size_t i = 0; i < olds->len; i++) {
        unit *v = olds->items[i];
        if (v->match >= 0 || doc_level(v))
            continue;
        vec *list = map_get(&by_title, v->side.title);
        if (!list) {
            list = xmalloc(sizeof *list);
            vec_init(list, NULL);
            map_set(&by_title, v->side.title, list);
        }
        vec_push(list, (void *)(uintptr_t)(i + 1));
    }
    for (size_t j = 0; j < news->len; j++) {
        unit *u = news->items[j];
        if (doc_level(u) || u->match >= 0)
            continue;
        const vec *list = map_get(&by_title, u->side.title);
        long same_doc = -1, elsewhere = -1;
        int others = 0;
        for (size_t k = 0; list && k < list->len; k++) {
            size_t i = (uintptr_t)list->items[k] - 1;
            unit *v = olds->items[i];
            if (v->match >= 0)
                continue;
            if ((long)v->doc == docs[u->doc]) {
                if (same_doc < 0)
                    same_doc = (long)i;
            } else {
                elsewhere = (long)i;
                others++;
            }
        }
        if (same_doc >= 0)
            pair(olds, news, (size_t)same_doc, j);
        else if (others == 1)
            pair(olds, news, (size_t)elsewhere, j);
    }
    map_free(&by_title);

    /* By text: a retitled heading (its derived id changed with the title). */
    size_t *doc_start = xcalloc(old_ndocs + 1, sizeof *doc_start);
    size_t *doc_end = xcalloc(old_ndocs + 1, sizeof *doc_end);
    for (size_t i = olds->len; i-- > 0;)
        doc_start[((unit *)olds->items[i])->doc] = i;
    for (size_t i = 0; i < olds->len; i++)
        doc_end[((unit *)olds->items[i])->doc] = i + 1;
    size_t diffs = 0;
    for (size_t j = 0; j < news->len && diffs < SIMILAR_MAX_DIFFS; j++) {
        unit *u = news->items[j];
        if (doc_level(u) || u->match >= 0 || docs[u->doc] < 0 || !u->side.text[0])
            continue;
        long best = -1;
        double best_sim = SIMILAR_MIN;
        int tried = 0;
        size_t from = doc_start[docs[u->doc]], to = doc_end[docs[u->doc]];
        for (size_t i = from; i < to && tried < SIMILAR_MAX_CANDIDATES; i++) {
            unit *v = olds->items[i];
            if (v->match >= 0 || doc_level(v) || (long)v->doc != docs[u->doc] ||
                v->side.level != u->side.level || !v->side.text[0])
                continue;
            tried++;
            diffs++;
            double sim = text_similarity(v->side.text, u->side.text, best_sim);
            if (sim >= best_sim && (best < 0 || sim > best_sim)) {
                best_sim = sim;
                best = (long)i;
            }
        }
        if (best >= 0)
            pair(olds, news, (size_t)best, j);
    }
    free(doc_start);
    free(doc_end);

    /* By position: retitled headings without text of their own, between
     * the same two paired neighbours (as they were before this pass). */
    long *before = xmalloc((news->len + 1) * sizeof *before);
    long *after = xmalloc((news->len + 1) * sizeof *after);
    long last = -1;
    for (size_t j = 0; j < news->len; j++) {
        before[j] = last;
        if (((unit *)news->items[j])->match >= 0)
            last = ((unit *)news->items[j])->match;
    }
    last = (long)olds->len;
    for (size_t j = news->len; j-- > 0;) {
        after[j] = last;
        if (((unit *)news->items[j])->match >= 0)
            last = ((unit *)news->items[j])->match;
    }
    for (size_t j = 0; j < news->len; j++) {
        unit *u = news->items[j];
        if (doc_level(u) || u->match >= 0 || u->side.text[0] || docs[u->doc] < 0)
            continue;
        for (long i = before[j] + 1; i < after[j] && i <= before[j] + POSITION_MAX_SCAN; i++) {
            unit *v = olds->items[i];
            if (v->match < 0 && !doc_level(v) && v->side.level == u->side.level &&
                !v->side.text[0] && (long)v->doc == docs[u->doc]) {
                pair(olds, news, (size_t)i, j);
                break;
            }
        }
    }
    free(before);
    free(after);
    free(docs);
}

/* ---- the diff ---- */

static void side_take(section_side *to, unit *u)
{
    *to = u->side;
    memset(&u->side, 0, sizeof u->side);
}

static void side_free(section_side *s)
{
    free(s->doc_id);
    free(s->id);
    free(s->number);
    free(s->title);
    free(s->display);
    free(s->href);
    free(s->text);
}

static void entry_free(void *p)
{
    section_diff *e = p;
    if (e->has_old)
        side_free(&e->old_side);
    if (e->has_new)
        side_free(&e->new_side);
    text_diff_free(e->diff);
    free(e);
}

static section_diff *entry_removed(unit *o, const vec *olds)
{
    section_diff *e = xcalloc(1, sizeof *e);
    e->change = SECTION_REMOVED;
    e->kind = o->kind;
    e->has_old = true;
    e->parent_same = o->parent >= 0 && ((unit *)olds->items[o->parent])->match < 0;
    side_take(&e->old_side, o);
    return e;
}

static section_diff *entry_new(unit *n, const vec *olds, const vec *news)
{
    section_diff *e = xcalloc(1, sizeof *e);
    e->kind = n->kind;
    e->has_new = true;
    if (n->match < 0) {
        e->change = SECTION_ADDED;
        e->parent_same = n->parent >= 0 && ((unit *)news->items[n->parent])->match < 0;
        side_take(&e->new_side, n);
        return e;
    }
    unit *o = olds->items[n->match];
    e->has_old = true;
    e->text_changed = strcmp(o->side.text, n->side.text) != 0;
    e->title_changed = strcmp(o->side.title, n->side.title) != 0;
    e->number_changed = strcmp(o->side.number, n->side.number) != 0;
    e->change = e->text_changed     ? SECTION_CHANGED
                : e->title_changed  ? SECTION_RENAMED
                : e->number_changed ? SECTION_RENUMBERED
                                    : SECTION_UNCHANGED;
    if (e->text_changed)
        e->diff = text_diff_compute(o->side.text, n->side.text);
    side_take(&e->old_side, o);
    side_take(&e->new_side, n);
    return e;
}

site_diff *site_diff_compute(const site *old, const site *new, audience aud)
{
    site_diff *d = xcalloc(1, sizeof *d);
    d->audience = aud;
    vec_init(&d->entries, entry_free);
    vec olds, news;
    vec_init(&olds, unit_free);
    vec_init(&news, unit_free);
    if (old)
        site_units(old, aud, &olds);
    if (new)
        site_units(new, aud, &news);
    match_units(&olds, &news);

    /* Removed sections go before the next old section that is still there. */
    long *anchor = xmalloc((olds.len + 1) * sizeof *anchor);
    long next = (long)news.len;
    for (size_t i = olds.len; i-- > 0;) {
        unit *u = olds.items[i];
        if (u->match >= 0)
            next = u->match;
        anchor[i] = next;
    }
    /* Parents are read before the sides move into entries. */
    section_diff **removed = xcalloc(olds.len + 1, sizeof *removed);
    for (size_t i = 0; i < olds.len; i++)
        if (((unit *)olds.items[i])->match < 0)
            removed[i] = entry_removed(olds.items[i], &olds);
    section_diff **added = xcalloc(news.len + 1, sizeof *added);
    for (size_t j = 0; j < news.len; j++)
        added[j] = entry_new(news.items[j], &olds, &news);
    /* The removed sections before each new one, in old order: lists
     * threaded through chain (first[j], then chain[i]; -1 ends). */
    long *first = xmalloc((news.len + 1) * sizeof *first);
    long *last = xmalloc((news.len + 1) * sizeof *last);
    long *chain = xmalloc((olds.len + 1) * sizeof *chain);
    for (size_t j = 0; j <= news.len; j++)
        first[j] = last[j] = -1;
    for (size_t i = 0; i < olds.len; i++) {
        chain[i] = -1;
        if (!removed[i])
            continue;
        size_t j = (size_t)anchor[i];
        if (last[j] < 0)
            first[j] = (long)i;
        else
            chain[last[j]] = (long)i;
        last[j] = (long)i;
    }
    for (size_t j = 0; j <= news.len; j++) {
        for (long i = first[j]; i >= 0; i = chain[i])
            vec_push(&d->entries, removed[i]);
        if (j < news.len)
            vec_push(&d->entries, added[j]);
    }
    free(first);
    free(last);
    free(chain);
    free(removed);
    free(added);
    free(anchor);
    for (size_t i = 0; i < d->entries.len; i++) {
        const section_diff *e = d->entries.items[i];
        switch (e->change) {
        case SECTION_UNCHANGED: d->unchanged++; break;
        case SECTION_CHANGED: d->changed++; break;
        case SECTION_RENAMED: d->renamed++; break;
        case SECTION_RENUMBERED: d->renumbered++; break;
        case SECTION_ADDED: d->added++; break;
        case SECTION_REMOVED: d->removed++; break;
        }
    }
    vec_free(&olds);
    vec_free(&news);
    return d;
}

void site_diff_free(site_diff *d)
{
    if (!d)
        return;
    vec_free(&d->entries);
    free(d);
}

bool site_diff_has_changes(const site_diff *d)
{
    return d && d->changed + d->renamed + d->renumbered + d->added + d->removed > 0;
}

char *site_diff_summary(const site_diff *d)
{
    static const char *const VERBS[] = {"修正", "新增", "刪除"};
    strbuf out;
    sb_init(&out);
    sb_append(&out, "");
    for (int g = 0; d && g < 3; g++) {
        bool any = false;
        for (size_t i = 0; i < d->entries.len; i++) {
            const section_diff *e = d->entries.items[i];
            bool in = g == 0   ? e->change == SECTION_CHANGED || e->change == SECTION_RENAMED
                      : g == 1 ? e->change == SECTION_ADDED && !e->parent_same
                               : e->change == SECTION_REMOVED && !e->parent_same;
            if (!in)
                continue;
            if (!any) {
                if (out.len)
                    sb_append(&out, "；");
                sb_printf(&out, "%s ", VERBS[g]);
                any = true;
            } else {
                sb_append(&out, "，");
            }
            const section_side *s = e->change == SECTION_REMOVED ? &e->old_side : &e->new_side;
            sb_append(&out, s->display);
            if (g == 0 && e->title_changed)
                sb_printf(&out, "（原「%s」）", e->old_side.title);
        }
    }
    return sb_take(&out);
}
