/* Renders a compiled template against a value.
 *
 * Indentation (of standalone partials, parents and blocks) is applied as the
 * output is written: the renderer knows whether it stands at the start of an
 * output line and, if so, writes the current indentation before the next
 * piece of template text or interpolation. Newlines inside interpolated
 * values do not start indented lines, as the spec requires. */
#include <stdlib.h>
#include <string.h>

#include "core/srcfile.h"
#include "core/xalloc.h"
#include "template/compiled.h"

/* The blocks of a parent being rendered, available to override blocks of
 * the same name anywhere below it. */
typedef struct override_frame {
    const tpl *owner; /* whose arena the blocks' text lives in */
    const node *parent;
} override_frame;

typedef struct renderer {
    tpl_set *set;
    strbuf *out;
    tpl_error *err;
    const value **ctx; /* the context stack, innermost last */
    size_t nctx, capctx;
    override_frame *overrides; /* outermost first: the outermost override wins */
    size_t noverrides, capoverrides;
    strbuf indent;
    bool at_line_start;
    int includes; /* partials and parents being rendered */
    int nesting;  /* sections, blocks and includes being rendered */
    size_t start; /* out's length before this render */
    long steps;   /* tags and texts visited */
} renderer;

static bool render_list(renderer *r, const tpl *t, const node_list *list);

static void push_context(renderer *r, const value *v)
{
    if (r->nctx == r->capctx) {
        r->capctx = r->capctx ? r->capctx * 2 : 16;
        r->ctx = xrealloc(r->ctx, r->capctx * sizeof *r->ctx);
    }
    r->ctx[r->nctx++] = v;
}

static void push_override(renderer *r, const tpl *owner, const node *parent)
{
    if (r->noverrides == r->capoverrides) {
        r->capoverrides = r->capoverrides ? r->capoverrides * 2 : 8;
        r->overrides = xrealloc(r->overrides, r->capoverrides * sizeof *r->overrides);
    }
    r->overrides[r->noverrides++] = (override_frame){owner, parent};
}

static void start_line(renderer *r)
{
    if (r->at_line_start) {
        sb_appendn(r->out, r->indent.data, r->indent.len);
        r->at_line_start = false;
    }
}

static void write_text(renderer *r, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (r->indent.len == 0) {
        sb_appendn(r->out, s, n);
        r->at_line_start = s[n - 1] == '\n';
        return;
    }
    while (n) {
        start_line(r);
        const char *nl = memchr(s, '\n', n);
        size_t k = nl ? (size_t)(nl - s) + 1 : n;
        sb_appendn(r->out, s, k);
        r->at_line_start = nl != NULL;
        s += k;
        n -= k;
    }
}

static void write_value(renderer *r, const value *v, bool escape)
{
    start_line(r);
    if (!v)
        return;
    if (!escape || v->kind == VALUE_NULL || v->kind == VALUE_BOOL || v->kind == VALUE_NUMBER) {
        value_append_text(r->out, v);
    } else if (v->kind == VALUE_STRING) {
        sb_append_html(r->out, v->as.string.data, v->as.string.len);
    } else {
        strbuf json;
        sb_init(&json);
        value_append_text(&json, v);
        sb_append_html(r->out, json.data, json.len);
        sb_free(&json);
    }
}

/* Context-stack lookup: the first segment in the innermost frame that has
 * it, the rest strictly inside that value. NULL when anything is missing. */
static const value *lookup(const renderer *r, const tpl *t, const data_path *path)
{
    if (path->nsegs == 0)
        return r->nctx ? r->ctx[r->nctx - 1] : NULL;
    const char *seg = t->arena.data + path->off;
    const value *v = NULL;
    for (size_t i = r->nctx; i-- > 0 && !v;) {
        const value *frame = r->ctx[i];
        if (frame && frame->kind == VALUE_MAP)
            v = map_get(&frame->as.map, seg);
    }
    for (size_t s = 1; v && s < path->nsegs; s++) {
        seg += strlen(seg) + 1;
        v = value_map_get(v, seg);
    }
    return v;
}

static bool enter(renderer *r, const tpl *t, const node *n)
{
    if (r->nesting >= TPL_MAX_NESTING) {
        tpl_set_error(r->err, t->name, n->line, n->col,
                      "sections and partials nested more than %d deep", TPL_MAX_NESTING);
        return false;
    }
    r->nesting++;
    return true;
}

static bool render_section(renderer *r, const tpl *t, const node *n)
{
    const value *v = lookup(r, t, &n->path);
    bool truthy = value_truthy(v);
    if (n->kind == NODE_INVERTED)
        return truthy || render_list(r, t, &n->body);
    if (!truthy)
        return true;
    if (v->kind != VALUE_LIST) {
        push_context(r, v);
        bool ok = render_list(r, t, &n->body);
        r->nctx--;
        return ok;
    }
    for (size_t i = 0; i < v->as.list.len; i++) {
        push_context(r, v->as.list.items[i]);
        bool ok = render_list(r, t, &n->body);
        r->nctx--;
        if (!ok)
            return false;
    }
    return true;
}

/* The template a partial or parent tag names; NULL when missing (renders as
 * nothing) or on a compile error (then *failed). */
static const tpl *included(renderer *r, const tpl *t, const node *n, bool *failed)
{
    *failed = false;
    const char *name;
    if (n->dynamic) {
        name = value_as_string(lookup(r, t, &n->path));
        if (!name)
            return NULL;
    } else {
        name = tpl_str(t, n->text);
    }
    bool missing = false;
    const tpl *inc = tpl_set_find(r->set, name, &missing, r->err);
    *failed = !inc && !missing;
    return inc;
}

static bool render_include(renderer *r, const tpl *t, const node *n)
{
    bool failed;
    const tpl *inc = included(r, t, n, &failed);
    if (!inc)
        return !failed;
    if (r->includes >= TPL_MAX_INCLUDE_DEPTH) {
        tpl_set_error(r->err, t->name, n->line, n->col,
                      "partials nested more than %d deep (does '%s' include itself?)",
                      TPL_MAX_INCLUDE_DEPTH, inc->name);
        return false;
    }
    size_t indent_len = r->indent.len;
    if (n->indent.len) {
        /* Mid-line (this template was itself included inline), the
         * whitespace is still text on the current line. */
        if (!r->at_line_start)
            sb_appendn(r->out, tpl_str(t, n->indent), n->indent.len);
        sb_appendn(&r->indent, tpl_str(t, n->indent), n->indent.len);
    }
    if (n->kind == NODE_PARENT)
        push_override(r, t, n);
    r->includes++;
    bool ok = render_list(r, inc, &inc->root);
    r->includes--;
    if (n->kind == NODE_PARENT)
        r->noverrides--;
    r->indent.len = indent_len;
    r->indent.data[indent_len] = '\0';
    return ok;
}

static bool render_block(renderer *r, const tpl *t, const node *n)
{
    const tpl *owner = t;
    const node_list *body = &n->body;
    const char *name = tpl_str(t, n->text);
    for (size_t i = 0; i < r->noverrides && body == &n->body; i++) {
        const override_frame *o = &r->overrides[i];
        for (size_t j = 0; j < o->parent->body.len; j++) {
            const node *b = &o->parent->body.items[j];
            if (strcmp(tpl_str(o->owner, b->text), name) == 0) {
                owner = o->owner;
                body = &b->body;
                break;
            }
        }
    }
    size_t indent_len = r->indent.len;
    sb_appendn(&r->indent, tpl_str(t, n->indent), n->indent.len);
    bool ok = render_list(r, owner, body);
    r->indent.len = indent_len;
    r->indent.data[indent_len] = '\0';
    return ok;
}

/* Whether the render stays within the set's output and step limits. */
static bool within_limits(renderer *r, const tpl *t, const node *n)
{
    long max_steps = tpl_set_max_steps(r->set);
    size_t max_output = tpl_set_max_output(r->set);
    if (++r->steps > max_steps) {
        tpl_set_error(r->err, t->name, n->line, n->col,
                      "more than %ld tags rendered: sections repeat inside each other too often",
                      max_steps);
        return false;
    }
    if (r->out->len - r->start > max_output) {
        char limit[32];
        srcfile_limit_text(max_output, limit, sizeof limit);
        tpl_set_error(r->err, t->name, n->line, n->col,
                      "the output would be larger than %s: sections repeat inside each other "
                      "too often", limit);
        return false;
    }
    return true;
}

static bool render_list(renderer *r, const tpl *t, const node_list *list)
{
    for (size_t i = 0; i < list->len; i++) {
        const node *n = &list->items[i];
        if (!within_limits(r, t, n))
            return false;
        bool ok = true;
        switch (n->kind) {
        case NODE_TEXT: write_text(r, tpl_str(t, n->text), n->text.len); continue;
        case NODE_VAR: write_value(r, lookup(r, t, &n->path), n->escape); continue;
        case NODE_SECTION:
        case NODE_INVERTED:
        case NODE_PARTIAL:
        case NODE_PARENT:
        case NODE_BLOCK:
            if (!enter(r, t, n))
                return false;
            if (n->kind == NODE_BLOCK)
                ok = render_block(r, t, n);
            else if (n->kind == NODE_PARTIAL || n->kind == NODE_PARENT)
                ok = render_include(r, t, n);
            else
                ok = render_section(r, t, n);
            r->nesting--;
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

bool tpl_render(tpl_set *set, const tpl *t, const value *data, strbuf *out, tpl_error *err)
{
    renderer r = {.set = set, .out = out, .err = err, .at_line_start = true};
    sb_init(&r.indent);
    if (data)
        push_context(&r, data);
    size_t out_len = out->len;
    r.start = out_len;
    bool ok = render_list(&r, t, &t->root);
    if (!ok) {
        out->len = out_len;
        out->data[out_len] = '\0';
    }
    free(r.ctx);
    free(r.overrides);
    sb_free(&r.indent);
    return ok;
}
