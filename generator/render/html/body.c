#include "render/html/body.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "markdown/markdown.h"
#include "markdown/directive.h"
#include "registers/registers.h"
#include "render/html/register_html.h"
#include "xref/xref.h"

static const char *const XREF_CLASS[] = {"annex", "section", "register", "row"};

typedef struct body_renderer {
    strbuf *out;
    const document *doc;
    const html_body_options *opts;
    int ordered_depth;      /* ordered lists we are inside: 1. -> (1) -> A. */
    int *footnote_refs;     /* references seen so far, per footnote */
    int footnote_index;     /* footnote definitions rendered so far */
    bool in_table_header;
    int table_column;
    const uint8_t *alignments;
} body_renderer;

static void text(body_renderer *r, const char *s)
{
    sb_append_html(r->out, s, strlen(s));
}

static void attr_url(body_renderer *r, const char *url)
{
    /* javascript: and similar schemes are dropped; relative links stay. */
    const char *colon = strchr(url, ':');
    const char *slash = strchr(url, '/');
    if (colon && (!slash || colon < slash)) {
        size_t n = (size_t)(colon - url);
        if (!((n == 4 && strncmp(url, "http", 4) == 0) || (n == 5 && strncmp(url, "https", 5) == 0) ||
              (n == 6 && strncmp(url, "mailto", 6) == 0) || (n == 3 && strncmp(url, "tel", 3) == 0)))
            return;
    }
    sb_append_html(r->out, url, strlen(url));
}

static int footnote_number(const body_renderer *r, int local)
{
    return r->doc->footnote_base + local;
}

static void heading_open(body_renderer *r, cmark_node *node)
{
    const section *s = cmark_node_get_user_data(node);
    int level = s ? s->level : cmark_node_get_heading_level(node);
    if (level > 6)
        level = 6;
    sb_printf(r->out, "<h%d", level);
    if (s) {
        sb_append(r->out, " id=\"");
        html_id_marks *marks = r->opts->id_marks;
        if (marks) {
            if (marks->len == marks->cap) {
                marks->cap = marks->cap ? marks->cap * 2 : 16;
                marks->at = xrealloc(marks->at, marks->cap * sizeof *marks->at);
            }
            marks->at[marks->len++] = r->out->len;
        }
        if (r->opts->id_prefix)
            sb_append_html(r->out, r->opts->id_prefix, strlen(r->opts->id_prefix));
        sb_append_html(r->out, s->id, strlen(s->id));
        sb_append(r->out, "\">");
        if (*s->label) {
            sb_append(r->out, "<span class=\"secno\">");
            text(r, s->label);
            sb_append(r->out, "</span>");
        }
    } else {
        sb_append(r->out, ">");
    }
}

static void table_cell_open(body_renderer *r)
{
    const char *tag = r->in_table_header ? "th" : "td";
    uint8_t align = r->alignments ? r->alignments[r->table_column] : 0;
    sb_printf(r->out, "<%s", tag);
    if (align == 'l')
        sb_append(r->out, " class=\"left\"");
    else if (align == 'c')
        sb_append(r->out, " class=\"center\"");
    else if (align == 'r')
        sb_append(r->out, " class=\"right\"");
    sb_append(r->out, ">");
}

static void render_tree(body_renderer *r, cmark_node *root);

static void render_annex_list(body_renderer *r)
{
    const site *s = r->opts->site;
    if (!s || !s->annexes.len)
        return;
    sb_append(r->out, "<ol class=\"ol1 annex-directive\">\n");
    for (size_t i = 0; i < s->annexes.len; i++) {
        const document *a = s->annexes.items[i];
        sb_printf(r->out, "<li value=\"%d\"><a href=\"%sannexes/", a->number,
                  r->opts->root ? r->opts->root : "");
        sb_append_html(r->out, a->id, strlen(a->id));
        sb_append(r->out, ".html\" class=\"xref xref-annex\">");
        text(r, a->title);
        sb_append(r->out, "</a></li>\n");
    }
    sb_append(r->out, "</ol>\n");
}

static void render_directive(body_renderer *r, const directive *d)
{
    switch (d->kind) {
    case DIRECTIVE_ANNEXES:
        render_annex_list(r);
        break;
    case DIRECTIVE_ONLY:
        if (r->opts->audience >= d->audience)
            render_tree(r, d->content);
        break;
    case DIRECTIVE_REGISTER:
    case DIRECTIVE_REVISIONS:
        render_register_directive(r->out, r->opts, d);
        break;
    }
}

/* A cross-reference to a chapter, annex or register this edition does not
 * show keeps its text but loses its link. */
static bool link_hidden(const body_renderer *r, cmark_node *link)
{
    const xref_link *x = cmark_node_get_user_data(link);
    if (!x)
        return false;
    if (x->target_doc)
        return x->target_doc->audience > r->opts->audience;
    if ((x->kind == XREF_REGISTER || x->kind == XREF_ROW) && r->opts->site &&
        r->opts->site->registers) {
        /* "registers/NAME.html..." */
        const char *name = x->href + strlen("registers/");
        const char *end = strchr(name, '.');
        char *reg_name = xstrndup(name, end ? (size_t)(end - name) : strlen(name));
        const register_def *reg = registers_get(r->opts->site->registers, reg_name);
        free(reg_name);
        return !register_visible(reg, r->opts->audience);
    }
    return false;
}

static void render_node(body_renderer *r, cmark_node *node, cmark_event_type ev)
{
    bool entering = ev == CMARK_EVENT_ENTER;
    strbuf *out = r->out;
    const char *type = cmark_node_get_type_string(node);
    switch (cmark_node_get_type(node)) {
    case CMARK_NODE_DOCUMENT:
        break;
    case CMARK_NODE_BLOCK_QUOTE:
        sb_append(out, entering ? "<blockquote>\n" : "</blockquote>\n");
        break;
    case CMARK_NODE_LIST: {
        bool ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
        if (!ordered) {
            sb_append(out, entering ? "<ul>\n" : "</ul>\n");
            break;
        }
        if (entering) {
            r->ordered_depth++;
            int style = (r->ordered_depth - 1) % 3 + 1;
            sb_printf(out, "<ol class=\"ol%d\"", style);
            int start = cmark_node_get_list_start(node);
            if (start != 1)
                sb_printf(out, " start=\"%d\"", start);
            sb_append(out, ">\n");
        } else {
            r->ordered_depth--;
            sb_append(out, "</ol>\n");
        }
        break;
    }
    case CMARK_NODE_ITEM:
        sb_append(out, entering ? "<li>" : "</li>\n");
        break;
    case CMARK_NODE_HEADING:
        if (entering) {
            heading_open(r, node);
        } else {
            const section *s = cmark_node_get_user_data(node);
            int level = s ? s->level : cmark_node_get_heading_level(node);
            sb_printf(out, "</h%d>\n", level > 6 ? 6 : level);
        }
        break;
    case CMARK_NODE_CODE_BLOCK:
        if (cmark_node_get_user_data(node)) {
            render_directive(r, cmark_node_get_user_data(node));
            break;
        }
        sb_append(out, "<pre><code>");
        text(r, cmark_node_get_literal(node));
        sb_append(out, "</code></pre>\n");
        break;
    case CMARK_NODE_HTML_BLOCK:
        /* Raw HTML is not passed through: it is shown as the text it is. */
        sb_append(out, "<pre class=\"raw-html\">");
        text(r, cmark_node_get_literal(node));
        sb_append(out, "</pre>\n");
        break;
    case CMARK_NODE_PARAGRAPH: {
        cmark_node *parent = cmark_node_parent(node);
        bool tight = parent && cmark_node_get_type(parent) == CMARK_NODE_ITEM &&
                     cmark_node_get_list_tight(cmark_node_parent(parent));
        if (!tight)
            sb_append(out, entering ? "<p>" : "</p>\n");
        break;
    }
    case CMARK_NODE_THEMATIC_BREAK:
        sb_append(out, "<hr>\n");
        break;
    case CMARK_NODE_TEXT:
        text(r, cmark_node_get_literal(node));
        break;
    case CMARK_NODE_SOFTBREAK:
        sb_append(out, "\n");
        break;
    case CMARK_NODE_LINEBREAK:
        sb_append(out, "<br>\n");
        break;
    case CMARK_NODE_CODE:
        sb_append(out, "<code>");
        text(r, cmark_node_get_literal(node));
        sb_append(out, "</code>");
        break;
    case CMARK_NODE_HTML_INLINE:
        text(r, cmark_node_get_literal(node));
        break;
    case CMARK_NODE_EMPH:
        sb_append(out, entering ? "<em>" : "</em>");
        break;
    case CMARK_NODE_STRONG:
        sb_append(out, entering ? "<strong>" : "</strong>");
        break;
    case CMARK_NODE_LINK:
        if (link_hidden(r, node)) {
            if (entering)
                sb_append(out, "<span class=\"xref-hidden\">");
            else
                sb_append(out, "</span>");
            break;
        }
        if (entering) {
            const xref_link *xref = cmark_node_get_user_data(node);
            sb_append(out, "<a href=\"");
            if (xref) {
                sb_append(out, r->opts->root ? r->opts->root : "");
                sb_append_html(out, xref->href, strlen(xref->href));
                sb_printf(out, "\" class=\"xref xref-%s", XREF_CLASS[xref->kind]);
            } else {
                attr_url(r, cmark_node_get_url(node));
            }
            sb_append(out, "\"");
            const char *title = cmark_node_get_title(node);
            if (title && *title) {
                sb_append(out, " title=\"");
                text(r, title);
                sb_append(out, "\"");
            }
            sb_append(out, ">");
        } else {
            sb_append(out, "</a>");
        }
        break;
    case CMARK_NODE_IMAGE:
        if (entering) {
            sb_append(out, "<img src=\"");
            attr_url(r, cmark_node_get_url(node));
            sb_append(out, "\" alt=\"");
            char *alt = md_plain_text(node);
            text(r, alt);
            free(alt);
            sb_append(out, "\">");
        }
        break;
    case CMARK_NODE_FOOTNOTE_REFERENCE: {
        if (!entering) /* cmark-gfm's iterator does not treat it as a leaf */
            break;
        int local = atoi(cmark_node_get_literal(node));
        if (local < 1 || local > r->doc->footnote_count)
            break;
        int n = footnote_number(r, local);
        int seen = ++r->footnote_refs[local - 1];
        sb_printf(out, "<sup class=\"fnref\"><a href=\"#fn-%d\" id=\"fnref-%d", n, n);
        if (seen > 1)
            sb_printf(out, "-%d", seen);
        sb_printf(out, "\" role=\"doc-noteref\">%d</a></sup>", n);
        break;
    }
    case CMARK_NODE_FOOTNOTE_DEFINITION:
        if (entering) {
            int local = ++r->footnote_index;
            if (local == 1)
                sb_append(out, "<section class=\"footnotes\" role=\"doc-endnotes\" "
                               "aria-label=\"註腳\">\n<ol>\n");
            sb_printf(out, "<li id=\"fn-%d\" value=\"%d\">", footnote_number(r, local),
                      footnote_number(r, local));
        } else {
            int local = r->footnote_index;
            int n = footnote_number(r, local);
            int refs = r->footnote_refs[local - 1];
            for (int k = 1; k <= refs; k++) {
                sb_printf(out, " <a href=\"#fnref-%d", n);
                if (k > 1)
                    sb_printf(out, "-%d", k);
                sb_append(out, "\" class=\"backref\" role=\"doc-backlink\" aria-label=\"回到內文\">↩</a>");
            }
            sb_append(out, "</li>\n");
            if (local == r->doc->footnote_count)
                sb_append(out, "</ol>\n</section>\n");
        }
        break;
    default:
        if (strcmp(type, "table") == 0) {
            if (entering) {
                r->alignments = cmark_gfm_extensions_get_table_alignments(node);
                sb_append(out, "<div class=\"table-wrap\"><table>\n");
            } else {
                sb_append(out, "</tbody>\n</table></div>\n");
            }
        } else if (strcmp(type, "table_header") == 0) {
            r->in_table_header = entering;
            r->table_column = 0;
            sb_append(out, entering ? "<thead>\n<tr>" : "</tr>\n</thead>\n<tbody>\n");
        } else if (strcmp(type, "table_row") == 0) {
            r->table_column = 0;
            sb_append(out, entering ? "<tr>" : "</tr>\n");
        } else if (strcmp(type, "table_cell") == 0) {
            if (entering) {
                table_cell_open(r);
            } else {
                sb_append(out, r->in_table_header ? "</th>" : "</td>");
                r->table_column++;
            }
        } else if (strcmp(type, "strikethrough") == 0) {
            sb_append(out, entering ? "<del>" : "</del>");
        }
        break;
    }
}

static void render_tree(body_renderer *r, cmark_node *root)
{
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        render_node(r, node, ev);
        /* Images render their alt text themselves. */
        if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_IMAGE)
            cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
    }
    cmark_iter_free(it);
}

void html_render_body(strbuf *out, const document *d, const html_body_options *opts)
{
    body_renderer r = {.out = out, .doc = d, .opts = opts};
    r.footnote_refs = xcalloc((size_t)d->footnote_count + 1, sizeof *r.footnote_refs);
    render_tree(&r, d->root);
    free(r.footnote_refs);
}

char *html_prefix_ids(const char *body, size_t len, const html_id_marks *marks,
                      const char *prefix)
{
    strbuf esc;
    sb_init(&esc);
    sb_append_html(&esc, prefix, strlen(prefix));
    strbuf out;
    sb_init(&out);
    sb_grow(&out, len + marks->len * esc.len);
    size_t from = 0;
    for (size_t i = 0; i < marks->len; i++) {
        sb_appendn(&out, body + from, marks->at[i] - from);
        sb_appendn(&out, esc.data, esc.len);
        from = marks->at[i];
    }
    sb_appendn(&out, body + from, len - from);
    sb_free(&esc);
    return sb_take(&out);
}

void html_render_inline(strbuf *out, cmark_node *node)
{
    static const html_body_options none = {0};
    document dummy = {0};
    body_renderer r = {.out = out, .doc = &dummy, .opts = &none};
    int refs[1] = {0};
    r.footnote_refs = refs;
    for (cmark_node *c = cmark_node_first_child(node); c; c = cmark_node_next(c)) {
        cmark_iter *it = cmark_iter_new(c);
        cmark_event_type ev;
        while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
            cmark_node *n = cmark_iter_get_node(it);
            if (cmark_node_get_type(n) == CMARK_NODE_FOOTNOTE_REFERENCE)
                continue;
            render_node(&r, n, ev);
        }
        cmark_iter_free(it);
    }
}

void html_render_section(strbuf *out, const document *d, const section *sec,
                         const html_body_options *opts)
{
    body_renderer r = {.out = out, .doc = d, .opts = opts};
    r.footnote_refs = xcalloc((size_t)d->footnote_count + 1, sizeof *r.footnote_refs);
    for (cmark_node *n = sec->node ? cmark_node_next(sec->node) : cmark_node_first_child(d->root);
         n; n = cmark_node_next(n)) {
        cmark_node_type t = cmark_node_get_type(n);
        if (t == CMARK_NODE_FOOTNOTE_DEFINITION)
            break;
        if (t == CMARK_NODE_HEADING) {
            const section *next = cmark_node_get_user_data(n);
            if (!sec->node || !next || next->level <= sec->level)
                break;
        }
        render_tree(&r, n);
    }
    free(r.footnote_refs);
}
