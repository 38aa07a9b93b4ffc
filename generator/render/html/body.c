#include "render/html/body.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "content/docstore.h"
#include "core/xalloc.h"
#include "markdown/markdown.h"
#include "markdown/directive.h"
#include "markdown/tree.h"
#include "registers/registers.h"
#include "render/html/colwidth.h"
#include "render/html/register_html.h"
#include "xref/xref.h"

static const char *const XREF_CLASS[] = {"annex", "section", "register", "row"};

/* ---- a body rendered once, at load ----
 *
 * The build renders each body while the load has its tree (html_prerender_body),
 * so the trees need not be parsed again. What the load cannot know yet is a
 * hole in the text, filled for each page (html_render_body): a
 * cross-reference's target (xref runs after the load), the footnotes' numbers
 * across the plan, a directive's output, which depends on the edition, and
 * where a heading's id starts (for all.html). Every hole is filled by the
 * code that renders a tree, so both give the same bytes. */

typedef enum hole_kind {
    HOLE_MARK,        /* a heading's id starts here */
    HOLE_LINK_OPEN,   /* a link with a scheme (annex:, sec:, reg:): arg, its number */
    HOLE_LINK_CLOSE,
    HOLE_FILL,        /* the text xref writes for an empty one */
    HOLE_FNREF,       /* a footnote mark: arg, the footnote's number in the document */
    HOLE_FNDEF,       /* a footnote's <li> */
    HOLE_FNBACK,      /* its back-links */
    HOLE_DIRECTIVE,   /* arg: in document.directives */
} hole_kind;

typedef struct hole {
    uint32_t at; /* in html_body.text */
    uint32_t kind, arg;
} hole;

typedef struct html_body {
    char *text;
    size_t len;
    hole *holes;
    size_t nholes, cap;
    double widest; /* the width in em its widest table needs (html_body_options.widest_table) */
    value *values[HTML_BODY_SLOTS]; /* html_body_value's, set once (atomically) */
} html_body;

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
    const char **widths; /* per column of the table being rendered: colwidth's class */
    int ncolumns;
    cmark_node *root;       /* the document's tree (an annex's top block quotes are its guidance) */
    html_body *pre;         /* rendering at load: holes go here */
    uint32_t links;         /* links of the document met so far */
    uint32_t directives;    /* directives met so far */
    bool unfit;             /* something the holes cannot express: render the tree */
} body_renderer;

static void add_hole(body_renderer *r, hole_kind kind, uint32_t arg)
{
    html_body *b = r->pre;
    if (b->nholes == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->holes = xrealloc(b->holes, b->cap * sizeof *b->holes);
    }
    b->holes[b->nholes++] = (hole){(uint32_t)r->out->len, kind, arg};
}

/* sb_append, inline: the length of a literal is known when compiling. */
static inline void put(strbuf *out, const char *s)
{
    sb_appendn(out, s, strlen(s));
}

/* Text, HTML-escaped: one pass over runs of plain bytes. */
static void text(body_renderer *r, const char *s)
{
    for (;;) {
        size_t n = strcspn(s, "&<>\"'");
        sb_appendn(r->out, s, n);
        switch (s[n]) {
        case '\0': return;
        case '&': put(r->out, "&amp;"); break;
        case '<': put(r->out, "&lt;"); break;
        case '>': put(r->out, "&gt;"); break;
        case '"': put(r->out, "&quot;"); break;
        default: put(r->out, "&#39;"); break;
        }
        s += n + 1;
    }
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
    text(r, url);
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
    put(r->out, "<h");
    sb_appendc(r->out, (char)('0' + level));
    if (s) {
        put(r->out, " id=\"");
        html_id_marks *marks = r->opts->id_marks;
        if (r->pre)
            add_hole(r, HOLE_MARK, 0);
        else if (marks) {
            if (marks->len == marks->cap) {
                marks->cap = marks->cap ? marks->cap * 2 : 16;
                marks->at = xrealloc(marks->at, marks->cap * sizeof *marks->at);
            }
            marks->at[marks->len++] = r->out->len;
        }
        if (r->opts->id_prefix)
            text(r, r->opts->id_prefix);
        text(r, s->id);
        put(r->out, "\">");
        if (*s->label) {
            put(r->out, "<span class=\"secno\">");
            text(r, s->label);
            put(r->out, "</span>");
        }
    } else {
        put(r->out, ">");
    }
}

static void table_cell_open(body_renderer *r)
{
    uint8_t align = r->alignments ? r->alignments[r->table_column] : 0;
    const char *width = r->in_table_header && r->widths && r->table_column < r->ncolumns
                            ? r->widths[r->table_column]
                            : NULL;
    const char *align_class = align == 'l' ? "left" : align == 'c' ? "center" : align == 'r' ? "right" : NULL;
    put(r->out, r->in_table_header ? "<th" : "<td");
    if (r->in_table_header)
        put(r->out, " scope=\"col\"");
    if (align_class || width)
        sb_printf(r->out, " class=\"%s%s%s\"", align_class ? align_class : "",
                  align_class && width ? " " : "", width ? width : "");
    put(r->out, ">");
}

static bool has_empty_link(cmark_node *node)
{
    for (cmark_node *c = cmark_node_first_child(node); c; c = cmark_node_next(c))
        if ((cmark_node_get_type(c) == CMARK_NODE_LINK && !cmark_node_first_child(c)) ||
            has_empty_link(c))
            return true;
    return false;
}

/* The width class of each column of a table node, from its cells' text. */
static void table_widths(body_renderer *r, cmark_node *table)
{
    /* At load, an empty link has no text yet (xref writes it later). */
    if (r->pre && has_empty_link(table))
        r->unfit = true;
    free(r->widths);
    r->widths = NULL;
    r->ncolumns = 0;
    cmark_node *head = cmark_node_first_child(table);
    int n = 0;
    for (cmark_node *c = head ? cmark_node_first_child(head) : NULL; c; c = cmark_node_next(c))
        n++;
    if (!n)
        return;
    colwidth *w = xcalloc((size_t)n, sizeof *w);
    for (cmark_node *row = head; row; row = cmark_node_next(row)) {
        int i = 0;
        for (cmark_node *c = cmark_node_first_child(row); c && i < n; c = cmark_node_next(c), i++) {
            char *t = md_plain_text(c);
            colwidth_add_text(&w[i], t, strlen(t), row == head);
            free(t);
        }
    }
    r->widths = xcalloc((size_t)n, sizeof *r->widths);
    double total = 0;
    for (int i = 0; i < n; i++) {
        r->widths[i] = colwidth_class(&w[i]);
        total += colwidth_em(&w[i]) + COLWIDTH_PADDING_EM;
    }
    double *widest = r->pre ? &r->pre->widest : r->opts->widest_table;
    if (widest && total > *widest)
        *widest = total;
    r->ncolumns = n;
    free(w);
}

static void render_tree(body_renderer *r, cmark_node *root);

static bool image_has_link(cmark_node *image)
{
    for (cmark_node *c = cmark_node_first_child(image); c; c = cmark_node_next(c))
        if (cmark_node_get_type(c) == CMARK_NODE_LINK || image_has_link(c))
            return true;
    return false;
}

static void render_annex_list(body_renderer *r)
{
    const site *s = r->opts->site;
    if (!s || !s->annexes.len)
        return;
    put(r->out, "<ol class=\"ol1 annex-directive\">\n");
    for (size_t i = 0; i < s->annexes.len; i++) {
        const document *a = s->annexes.items[i];
        sb_printf(r->out, "<li value=\"%d\"><a href=\"%sannexes/", a->number,
                  r->opts->root ? r->opts->root : "");
        text(r, a->id);
        put(r->out, ".html\" class=\"xref xref-annex\">");
        text(r, a->title);
        put(r->out, "</a></li>\n");
    }
    put(r->out, "</ol>\n");
}

static void render_directive(body_renderer *r, const directive *d)
{
    switch (d->kind) {
    case DIRECTIVE_ANNEXES:
        render_annex_list(r);
        break;
    case DIRECTIVE_ONLY:
        if (audience_sees(r->opts->audience, d->audience))
            render_tree(r, d->content);
        break;
    case DIRECTIVE_REGISTER:
    case DIRECTIVE_REVISIONS:
        render_register_directive(r->out, r->opts, d);
        break;
    case DIRECTIVE_SIGNATURES: {
        const char *labels[16];
        size_t n = directive_signatures(d, labels, 16);
        put(r->out, "<div class=\"signature-block\">\n");
        for (size_t i = 0; i < n; i++) {
            put(r->out, "<div class=\"signature\"><span class=\"signature-label\">");
            text(r, labels[i]);
            put(r->out, "</span><span class=\"signature-space\"></span></div>\n");
        }
        put(r->out, "</div>\n");
        break;
    }
    }
}

/* A cross-reference to a chapter, annex or register this edition does not
 * show keeps its text but loses its link. */
static bool link_hidden(const body_renderer *r, const xref_link *x)
{
    if (!x)
        return false;
    if (x->target_doc)
        return !audience_sees(r->opts->audience, x->target_doc->audience);
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

static void link_open(body_renderer *r, const xref_link *xref, const char *url, const char *title)
{
    strbuf *out = r->out;
    if (link_hidden(r, xref)) {
        put(out, "<span class=\"xref-hidden\">");
        return;
    }
    put(out, "<a href=\"");
    if (xref) {
        put(out, r->opts->root ? r->opts->root : "");
        text(r, xref->href);
        put(out, "\" class=\"xref xref-");
        put(out, XREF_CLASS[xref->kind]);
    } else {
        attr_url(r, url);
    }
    put(out, "\"");
    if (title && *title) {
        put(out, " title=\"");
        text(r, title);
        put(out, "\"");
    }
    put(out, ">");
}

static void link_close(body_renderer *r, const xref_link *xref)
{
    put(r->out, link_hidden(r, xref) ? "</span>" : "</a>");
}

static bool has_scheme(const char *url)
{
    return strncmp(url, "annex:", 6) == 0 || strncmp(url, "sec:", 4) == 0 ||
           strncmp(url, "reg:", 4) == 0;
}

static void footnote_ref(body_renderer *r, int local)
{
    strbuf *out = r->out;
    int n = footnote_number(r, local);
    int seen = ++r->footnote_refs[local - 1];
    put(out, "<sup class=\"fnref\"><a href=\"#fn-");
    sb_append_int(out, n);
    put(out, "\" id=\"fnref-");
    sb_append_int(out, n);
    if (seen > 1) {
        sb_appendc(out, '-');
        sb_append_int(out, seen);
    }
    put(out, "\" role=\"doc-noteref\">");
    sb_append_int(out, n);
    put(out, "</a></sup>");
}

static void footnote_def_open(body_renderer *r, int local)
{
    int n = footnote_number(r, local);
    put(r->out, "<li id=\"fn-");
    sb_append_int(r->out, n);
    put(r->out, "\" value=\"");
    sb_append_int(r->out, n);
    put(r->out, "\">");
}

static void footnote_backlinks(body_renderer *r, int local)
{
    strbuf *out = r->out;
    int n = footnote_number(r, local);
    int refs = r->footnote_refs[local - 1];
    for (int k = 1; k <= refs; k++) {
        put(out, " <a href=\"#fnref-");
        sb_append_int(out, n);
        if (k > 1) {
            sb_appendc(out, '-');
            sb_append_int(out, k);
        }
        put(out, "\" class=\"backref\" role=\"doc-backlink\" aria-label=\"回到內文\">↩</a>");
    }
}

static void render_node(body_renderer *r, cmark_node *node, cmark_event_type ev)
{
    bool entering = ev == CMARK_EVENT_ENTER;
    strbuf *out = r->out;
    switch (cmark_node_get_type(node)) {
    case CMARK_NODE_DOCUMENT:
        break;
    case CMARK_NODE_BLOCK_QUOTE:
        /* In an annex, a block quote at the top is the form's guidance: the
         * page shows it apart, and print leaves it off the sheet. */
        if (r->doc->kind == DOCUMENT_ANNEX && cmark_node_parent(node) == r->root)
            put(out, entering ? "<aside class=\"form-guidance\" aria-label=\"填寫說明\">\n"
                                "<p class=\"form-guidance-title\">填寫說明</p>\n"
                              : "</aside>\n");
        else
            put(out, entering ? "<blockquote>\n" : "</blockquote>\n");
        break;
    case CMARK_NODE_LIST: {
        bool ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
        if (!ordered) {
            put(out, entering ? "<ul>\n" : "</ul>\n");
            break;
        }
        if (entering) {
            r->ordered_depth++;
            int style = (r->ordered_depth - 1) % 3 + 1;
            put(out, "<ol class=\"ol");
            sb_appendc(out, (char)('0' + style));
            sb_appendc(out, '"');
            int start = cmark_node_get_list_start(node);
            if (start != 1)
                sb_printf(out, " start=\"%d\"", start);
            put(out, ">\n");
        } else {
            r->ordered_depth--;
            put(out, "</ol>\n");
        }
        break;
    }
    case CMARK_NODE_ITEM:
        put(out, entering ? "<li>" : "</li>\n");
        break;
    case CMARK_NODE_HEADING:
        if (entering) {
            heading_open(r, node);
        } else {
            const section *s = cmark_node_get_user_data(node);
            int level = s ? s->level : cmark_node_get_heading_level(node);
            put(out, "</h");
            sb_appendc(out, (char)('0' + (level > 6 ? 6 : level)));
            put(out, ">\n");
        }
        break;
    case CMARK_NODE_CODE_BLOCK:
        if (cmark_node_get_user_data(node)) {
            if (r->pre)
                add_hole(r, HOLE_DIRECTIVE, r->directives++);
            else
                render_directive(r, cmark_node_get_user_data(node));
            break;
        }
        put(out, "<pre><code>");
        text(r, cmark_node_get_literal(node));
        put(out, "</code></pre>\n");
        break;
    case CMARK_NODE_HTML_BLOCK:
        /* Raw HTML is not passed through: it is shown as the text it is. */
        put(out, "<pre class=\"raw-html\">");
        text(r, cmark_node_get_literal(node));
        put(out, "</pre>\n");
        break;
    case CMARK_NODE_PARAGRAPH: {
        cmark_node *parent = cmark_node_parent(node);
        bool tight = parent && cmark_node_get_type(parent) == CMARK_NODE_ITEM &&
                     cmark_node_get_list_tight(cmark_node_parent(parent));
        if (!tight)
            put(out, entering ? "<p>" : "</p>\n");
        break;
    }
    case CMARK_NODE_THEMATIC_BREAK:
        put(out, "<hr>\n");
        break;
    case CMARK_NODE_TEXT:
        text(r, cmark_node_get_literal(node));
        break;
    case CMARK_NODE_SOFTBREAK:
        put(out, "\n");
        break;
    case CMARK_NODE_LINEBREAK:
        put(out, "<br>\n");
        break;
    case CMARK_NODE_CODE:
        put(out, "<code>");
        text(r, cmark_node_get_literal(node));
        put(out, "</code>");
        break;
    case CMARK_NODE_HTML_INLINE:
        text(r, cmark_node_get_literal(node));
        break;
    case CMARK_NODE_EMPH:
        put(out, entering ? "<em>" : "</em>");
        break;
    case CMARK_NODE_STRONG:
        put(out, entering ? "<strong>" : "</strong>");
        break;
    case CMARK_NODE_LINK: {
        const char *url = cmark_node_get_url(node);
        if (r->pre && entering)
            r->links++;
        if (r->pre && has_scheme(url)) {
            uint32_t k = r->links - 1;
            /* On the way out the number is that of the last link met inside,
             * so it is kept with the opening. */
            if (entering) {
                add_hole(r, HOLE_LINK_OPEN, k);
                if (!cmark_node_first_child(node))
                    add_hole(r, HOLE_FILL, k);
                cmark_node_set_user_data(node, (void *)(uintptr_t)(k + 1));
            } else {
                add_hole(r, HOLE_LINK_CLOSE, (uint32_t)(uintptr_t)cmark_node_get_user_data(node) - 1);
            }
            break;
        }
        const xref_link *xref = r->pre ? NULL : cmark_node_get_user_data(node);
        if (entering)
            link_open(r, xref, url, cmark_node_get_title(node));
        else
            link_close(r, xref);
        break;
    }
    case CMARK_NODE_IMAGE:
        if (entering) {
            if (r->pre && image_has_link(node))
                r->unfit = true; /* its alt text would want xref's */
            put(out, "<img src=\"");
            attr_url(r, cmark_node_get_url(node));
            put(out, "\" alt=\"");
            char *alt = md_plain_text(node);
            text(r, alt);
            free(alt);
            put(out, "\">");
        }
        break;
    case CMARK_NODE_FOOTNOTE_REFERENCE: {
        if (!entering) /* cmark-gfm's iterator does not treat it as a leaf */
            break;
        int local = atoi(cmark_node_get_literal(node));
        if (local < 1 || local > r->doc->footnote_count)
            break;
        if (r->pre)
            add_hole(r, HOLE_FNREF, (uint32_t)local);
        else
            footnote_ref(r, local);
        break;
    }
    case CMARK_NODE_FOOTNOTE_DEFINITION:
        if (entering) {
            int local = ++r->footnote_index;
            if (local == 1)
                put(out, "<section class=\"footnotes\" role=\"doc-endnotes\" "
                               "aria-label=\"註腳\">\n<ol>\n");
            if (r->pre)
                add_hole(r, HOLE_FNDEF, (uint32_t)local);
            else
                footnote_def_open(r, local);
        } else {
            int local = r->footnote_index;
            if (r->pre)
                add_hole(r, HOLE_FNBACK, (uint32_t)local);
            else
                footnote_backlinks(r, local);
            put(out, "</li>\n");
            if (local == r->doc->footnote_count)
                put(out, "</ol>\n</section>\n");
        }
        break;
    default: {
        const char *type = cmark_node_get_type_string(node);
        if (strcmp(type, "table") == 0) {
            if (entering) {
                r->alignments = cmark_gfm_extensions_get_table_alignments(node);
                table_widths(r, node);
                put(out, "<div class=\"table-wrap\" tabindex=\"0\"><table>\n");
            } else {
                put(out, "</tbody>\n</table></div>\n");
            }
        } else if (strcmp(type, "table_header") == 0) {
            r->in_table_header = entering;
            r->table_column = 0;
            put(out, entering ? "<thead>\n<tr>" : "</tr>\n</thead>\n<tbody>\n");
        } else if (strcmp(type, "table_row") == 0) {
            r->table_column = 0;
            put(out, entering ? "<tr>" : "</tr>\n");
        } else if (strcmp(type, "table_cell") == 0) {
            if (entering) {
                table_cell_open(r);
            } else {
                put(out, r->in_table_header ? "</th>" : "</td>");
                r->table_column++;
            }
        } else if (strcmp(type, "strikethrough") == 0) {
            put(out, entering ? "<del>" : "</del>");
        }
        break;
    }
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

static void html_body_free(void *p)
{
    html_body *b = p;
    if (!b)
        return;
    free(b->text);
    free(b->holes);
    for (int i = 0; i < HTML_BODY_SLOTS; i++)
        value_unref(b->values[i]);
    free(b);
}

void html_prerender_body(void *ctx, document *d, cmark_node *root)
{
    (void)ctx;
    strbuf out;
    sb_init(&out);
    sb_grow(&out, d->body_len * 3 / 2); /* about what Markdown becomes */
    html_body *b = xcalloc(1, sizeof *b);
    static const html_body_options none = {0};
    body_renderer r = {.out = &out, .doc = d, .opts = &none, .root = root, .pre = b};
    render_tree(&r, root);
    free(r.widths);
    if (r.unfit) {
        sb_free(&out);
        html_body_free(b);
        return;
    }
    b->len = out.len;
    b->text = xrealloc(sb_take(&out), b->len + 1); /* kept till the end: no slack */
    if (b->nholes)
        b->holes = xrealloc(b->holes, b->nholes * sizeof *b->holes);
    d->made = b;
    d->made_free = html_body_free;
}

/* A new layout of what save writes, or another body made, gets a new name. */
#define BODY_LAYOUT "html-body 1"

static void html_body_save(void *ctx, const document *d, strbuf *out)
{
    (void)ctx;
    const html_body *b = d->made;
    docstore_put_bytes(out, b->text, b->len);
    docstore_put_u32(out, (uint32_t)b->nholes);
    for (size_t i = 0; i < b->nholes; i++) {
        docstore_put_u32(out, b->holes[i].at);
        docstore_put_u32(out, b->holes[i].kind);
        docstore_put_u32(out, b->holes[i].arg);
    }
    uint64_t widest;
    memcpy(&widest, &b->widest, sizeof widest);
    docstore_put_u64(out, widest);
}

/* Whether a hole of a stored body is one fill_holes can fill for d: its
 * place in order within the text, its argument one of d's. */
static bool hole_valid(const document *d, const hole *h, uint32_t from, size_t len)
{
    if (h->at < from || h->at > len)
        return false;
    switch ((hole_kind)h->kind) {
    case HOLE_MARK: return h->arg == 0;
    case HOLE_LINK_OPEN:
    case HOLE_LINK_CLOSE:
    case HOLE_FILL: return h->arg < d->links.len;
    case HOLE_FNREF:
    case HOLE_FNDEF:
    case HOLE_FNBACK: return h->arg >= 1 && h->arg <= (uint32_t)d->footnote_count;
    case HOLE_DIRECTIVE: return h->arg < d->directives.len;
    }
    return false;
}

static bool html_body_load(void *ctx, document *d, docstore_in *in)
{
    (void)ctx;
    html_body *b = xcalloc(1, sizeof *b);
    b->text = docstore_get_str(in, &b->len);
    uint32_t n = docstore_get_u32(in);
    bool ok = b->text && !in->bad && n <= (size_t)(in->end - in->p) / 12;
    if (ok && n)
        b->holes = xcalloc(n, sizeof *b->holes);
    uint32_t from = 0;
    for (uint32_t i = 0; ok && i < n; i++) {
        hole *h = &b->holes[i];
        h->at = docstore_get_u32(in);
        h->kind = docstore_get_u32(in);
        h->arg = docstore_get_u32(in);
        ok = !in->bad && hole_valid(d, h, from, b->len);
        from = h->at;
        b->nholes = b->cap = i + 1;
    }
    uint64_t widest = docstore_get_u64(in);
    memcpy(&b->widest, &widest, sizeof widest);
    if (!ok || in->bad) {
        html_body_free(b);
        return false;
    }
    d->made = b;
    d->made_free = html_body_free;
    return true;
}

site_visitor html_prerender_visitor(void)
{
    return (site_visitor){.visit = html_prerender_body,
                          .name = BODY_LAYOUT,
                          .save = html_body_save,
                          .load = html_body_load};
}

/* The body rendered at load, its holes filled for these options. */
static void fill_holes(body_renderer *r, const html_body *b)
{
    const document *d = r->doc;
    strbuf *out = r->out;
    double *widest = r->opts->widest_table;
    if (widest && b->widest > *widest)
        *widest = b->widest;
    sb_grow(out, b->len + b->nholes * 64);
    size_t from = 0;
    for (size_t i = 0; i < b->nholes; i++) {
        const hole *h = &b->holes[i];
        sb_appendn(out, b->text + from, h->at - from);
        from = h->at;
        const doc_link *l;
        switch ((hole_kind)h->kind) {
        case HOLE_MARK: {
            html_id_marks *marks = r->opts->id_marks;
            if (marks) {
                if (marks->len == marks->cap) {
                    marks->cap = marks->cap ? marks->cap * 2 : 16;
                    marks->at = xrealloc(marks->at, marks->cap * sizeof *marks->at);
                }
                marks->at[marks->len++] = out->len;
            }
            if (r->opts->id_prefix)
                text(r, r->opts->id_prefix);
            break;
        }
        case HOLE_LINK_OPEN:
            l = d->links.items[h->arg];
            link_open(r, l->xref, l->url, l->title);
            break;
        case HOLE_LINK_CLOSE:
            l = d->links.items[h->arg];
            link_close(r, l->xref);
            break;
        case HOLE_FILL:
            /* As the text node xref's text is in a tree (markdown/tree.h). */
            l = d->links.items[h->arg];
            if (l->xref && l->fill)
                text(r, l->fill);
            break;
        case HOLE_FNREF: footnote_ref(r, (int)h->arg); break;
        case HOLE_FNDEF: footnote_def_open(r, (int)h->arg); break;
        case HOLE_FNBACK: footnote_backlinks(r, (int)h->arg); break;
        case HOLE_DIRECTIVE: render_directive(r, d->directives.items[h->arg]); break;
        }
    }
    sb_appendn(out, b->text + from, b->len - from);
}

void html_render_body(strbuf *out, const document *d, const html_body_options *opts)
{
    body_renderer r = {.out = out, .doc = d, .opts = opts};
    r.footnote_refs = xcalloc((size_t)d->footnote_count + 1, sizeof *r.footnote_refs);
    if (d->made && d->made_free == html_body_free) {
        fill_holes(&r, d->made);
    } else {
        md_tree *tree = md_tree_open(d);
        r.root = tree->root;
        render_tree(&r, tree->root);
        md_tree_close(tree);
    }
    free(r.footnote_refs);
    free(r.widths);
}

void html_render_tree(strbuf *out, const document *d, cmark_node *root,
                      const html_body_options *opts)
{
    body_renderer r = {.out = out, .doc = d, .opts = opts, .root = root};
    r.footnote_refs = xcalloc((size_t)d->footnote_count + 1, sizeof *r.footnote_refs);
    render_tree(&r, root);
    free(r.footnote_refs);
    free(r.widths);
}

value *html_body_value(const document *d, int slot, bool keep,
                       value *(*make)(const document *d, int slot))
{
    html_body *b = d->made && d->made_free == html_body_free ? d->made : NULL;
    if (!b)
        return make(d, slot);
    if (!keep) {
        value *kept = __atomic_exchange_n(&b->values[slot], NULL, __ATOMIC_ACQ_REL);
        return kept ? kept : make(d, slot);
    }
    value *v = __atomic_load_n(&b->values[slot], __ATOMIC_ACQUIRE);
    if (!v) {
        value *made = make(d, slot), *none = NULL;
        if (__atomic_compare_exchange_n(&b->values[slot], &none, made, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            v = made;
        } else { /* another thread's came first */
            value_unref(made);
            v = none;
        }
    }
    return value_ref(v);
}

size_t html_body_size(const document *d)
{
    const html_body *b = d->made && d->made_free == html_body_free ? d->made : NULL;
    return b ? b->len + b->nholes * 64 : d->body_len * 3 / 2; /* about what Markdown becomes */
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
    md_tree *tree = md_tree_open(d);
    r.root = tree->root;
    for (cmark_node *n = md_section_first(tree, sec); n; n = md_section_next(tree, sec, n))
        render_tree(&r, n);
    md_tree_close(tree);
    free(r.footnote_refs);
    free(r.widths);
}
