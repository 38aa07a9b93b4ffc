/* Mustache source -> node tree, in one pass with an explicit stack of open
 * sections (so deeply nested input cannot overflow the C stack).
 *
 * Whitespace rules (the subtle part of the spec):
 *  - A "standalone" tag (section, inverted, close, comment, set-delimiter,
 *    partial, parent, block) alone on its line with only whitespace around it
 *    takes that whitespace and the line end with it.
 *  - A standalone partial keeps its whitespace as indentation for every line
 *    of the partial. A parent tag pair is standalone when the opening tag
 *    starts its line and the closing tag ends one (text between them is
 *    ignored anyway), and then indents the parent the same way.
 *  - Inside a parent, before a block, everything is ignored, so tags there
 *    count as having a clean left side.
 *  - A block's body is stored with its own indentation removed from each
 *    line and records that indentation, so whatever body ends up rendered
 *    at the block (its default or an override from another template) is
 *    re-indented to fit there. The indentation is that of the first
 *    non-blank body line when the opening tag is standalone, else the
 *    whitespace before the opening tag when that starts its line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "template/compiled.h"

typedef struct frame {
    node node; /* the section, block or parent being built; its body collects children */
    bool dead; /* ignored content (inside a parent, outside its blocks): parsed, then dropped */
    const char *name; /* as written in the opening tag, to match the closing tag */
    size_t name_len;
    size_t strip; /* leading whitespace removed from each source line in this frame */
    /* PARENT only: the opening tag had a clean left side; whitespace before it,
     * at the end of text node ws_node of the enclosing frame, may become the
     * indentation if the pair turns out standalone. */
    bool pair_left_clean;
    size_t ws_node;
    size_t ws_len;
} frame;

typedef struct parser {
    const char *name;
    const char *src;
    size_t len;
    size_t pos;
    int line;          /* 1-based line of pos */
    size_t line_start; /* source offset where that line starts */
    const char *otag, *ctag;
    size_t olen, clen;
    tpl *t;
    frame *frames;
    size_t nframes, capframes;
    bool line_clean;    /* only whitespace and no tag so far on this source line */
    bool at_line_start; /* the next text starts a source line (and may be stripped) */
    size_t line_ws;     /* whitespace bytes of this line emitted as text to the top frame */
    tpl_error *err;
} parser;

void node_list_free(node_list *list)
{
    for (size_t i = 0; i < list->len; i++)
        node_list_free(&list->items[i].body);
    free(list->items);
    list->items = NULL;
    list->len = list->cap = 0;
}

void tpl_set_error(tpl_error *err, const char *name, int line, int col, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    snprintf(err->name, sizeof err->name, "%s", name ? name : "");
    err->line = line;
    err->col = col;
}

static void fail_at(parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail_at(parser *p, int line, int col, const char *fmt, ...)
{
    if (!p->err)
        return;
    char msg[sizeof p->err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tpl_set_error(p->err, p->name, line, col, "%s", msg);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static frame *top(parser *p)
{
    return &p->frames[p->nframes - 1];
}

/* Text dropped here: a parent keeps only its blocks. */
static bool frame_keeps_text(const frame *f)
{
    return !f->dead && f->node.kind != NODE_PARENT;
}

static void list_push(node_list *list, node n)
{
    if (list->len == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 4;
        list->items = xrealloc(list->items, list->cap * sizeof *list->items);
    }
    list->items[list->len++] = n;
}

static void frame_push_node(frame *f, node n)
{
    bool keep = !f->dead && (f->node.kind != NODE_PARENT || n.kind == NODE_BLOCK);
    if (keep)
        list_push(&f->node.body, n);
    else
        node_list_free(&n.body);
}

/* Moves pos forward, keeping line and line_start in step. */
static void advance(parser *p, size_t to)
{
    for (size_t i = p->pos; i < to; i++) {
        if (p->src[i] == '\n') {
            p->line++;
            p->line_start = i + 1;
        }
    }
    p->pos = to;
}

static span arena_add(parser *p, const char *s, size_t n)
{
    span sp = {p->t->arena.len, n};
    sb_appendn(&p->t->arena, s, n);
    return sp;
}

/* Adds a NUL-terminated copy: names are passed to map lookups as C strings. */
static span arena_add_cstr(parser *p, const char *s, size_t n)
{
    span sp = arena_add(p, s, n);
    sb_appendc(&p->t->arena, '\0');
    return sp;
}

static void frame_add_text(parser *p, frame *f, const char *s, size_t n)
{
    node_list *body = &f->node.body;
    node *last = body->len ? &body->items[body->len - 1] : NULL;
    if (last && last->kind == NODE_TEXT && last->text.off + last->text.len == p->t->arena.len) {
        sb_appendn(&p->t->arena, s, n); /* contiguous: grow the previous text node */
        last->text.len += n;
        return;
    }
    node text = {.kind = NODE_TEXT};
    text.text = arena_add(p, s, n);
    list_push(body, text);
}

/* Literal text from pos up to `to`, line by line: strips the frame's block
 * indentation from line starts and tracks whether the line is still clean. */
static void emit_text(parser *p, size_t to)
{
    frame *f = top(p);
    bool keep = frame_keeps_text(f);
    size_t i = p->pos;
    while (i < to) {
        if (p->at_line_start) {
            for (size_t k = 0; k < f->strip && i < to && is_blank(p->src[i]); k++)
                i++;
            p->at_line_start = false;
            if (i >= to)
                break;
        }
        const char *nl = memchr(p->src + i, '\n', to - i);
        size_t end = nl ? (size_t)(nl - p->src) + 1 : to;
        if (keep)
            frame_add_text(p, f, p->src + i, end - i);
        if (nl) {
            p->line++;
            p->line_start = end;
            p->line_clean = true;
            p->at_line_start = true;
            p->line_ws = 0;
        } else if (p->line_clean) {
            bool blank = true;
            for (size_t k = i; k < end && blank; k++)
                blank = is_blank(p->src[k]);
            if (blank && keep)
                p->line_ws += end - i;
            else if (!blank)
                p->line_clean = false;
        }
        i = end;
    }
    p->pos = to;
}

/* Where the line ends if only blanks follow `from` on it: just past the line
 * break, or the end of input. 0 when something else follows. */
static size_t clean_line_end(const parser *p, size_t from)
{
    size_t i = from;
    while (i < p->len && is_blank(p->src[i]))
        i++;
    if (i == p->len)
        return i;
    if (p->src[i] == '\n')
        return i + 1;
    if (p->src[i] == '\r' && i + 1 < p->len && p->src[i + 1] == '\n')
        return i + 2;
    return 0;
}

/* Takes the whitespace before a standalone tag off the end of the top
 * frame's text. Returns it as a span (still in the arena) when keep_bytes,
 * for use as indentation; else gives the bytes back to the arena. */
static span take_line_ws(parser *p, bool keep_bytes)
{
    frame *f = top(p);
    span ws = {p->t->arena.len, 0};
    if (!p->line_ws || !frame_keeps_text(f))
        return ws;
    node_list *body = &f->node.body;
    node *last = &body->items[body->len - 1];
    last->text.len -= p->line_ws;
    ws = (span){last->text.off + last->text.len, p->line_ws};
    if (last->text.len == 0)
        body->len--;
    if (!keep_bytes && ws.off + ws.len == p->t->arena.len) {
        p->t->arena.len -= p->line_ws;
        p->t->arena.data[p->t->arena.len] = '\0';
        ws = (span){p->t->arena.len, 0};
    }
    p->line_ws = 0;
    return ws;
}

/* After a tag: either it took its line end (standalone) or the line goes on. */
static void finish_tag(parser *p, size_t tag_end, size_t line_end)
{
    p->line_ws = 0;
    if (line_end) {
        advance(p, line_end);
        p->line_clean = true;
        p->at_line_start = true;
        p->line_ws = 0;
    } else {
        advance(p, tag_end);
        p->line_clean = false;
        p->at_line_start = false;
    }
}

static const char *find(const char *hay, size_t hay_len, const char *needle, size_t n)
{
    if (n == 0 || hay_len < n)
        return NULL;
    const char *end = hay + hay_len - n;
    for (const char *s = hay; s <= end; s++) {
        s = memchr(s, needle[0], (size_t)(end - s) + 1);
        if (!s)
            return NULL;
        if (memcmp(s, needle, n) == 0)
            return s;
    }
    return NULL;
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* Parses a dotted data name into the arena. */
static bool parse_path(parser *p, const char *s, size_t n, int line, int col, data_path *out)
{
    out->off = p->t->arena.len;
    out->nsegs = 0;
    if (n == 1 && s[0] == '.')
        return true;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.')
            continue;
        if (i == start) {
            fail_at(p, line, col, "invalid name '%.*s'", (int)n, s);
            return false;
        }
        arena_add_cstr(p, s + start, i - start);
        out->nsegs++;
        start = i + 1;
    }
    return true;
}

static bool push_frame(parser *p, node n, const char *name, size_t name_len)
{
    if (p->nframes > TPL_MAX_NESTING) {
        fail_at(p, n.line, n.col, "sections nested more than %d deep", TPL_MAX_NESTING);
        node_list_free(&n.body);
        return false;
    }
    if (p->nframes == p->capframes) {
        p->capframes *= 2;
        p->frames = xrealloc(p->frames, p->capframes * sizeof *p->frames);
    }
    frame *outer = top(p);
    frame f = {
        .node = n,
        .dead = outer->dead || (outer->node.kind == NODE_PARENT && n.kind != NODE_BLOCK),
        .name = name,
        .name_len = name_len,
        .strip = outer->strip,
    };
    p->frames[p->nframes++] = f;
    return true;
}

static const char *kind_word(node_kind k)
{
    switch (k) {
    case NODE_BLOCK: return "block";
    case NODE_PARENT: return "parent";
    default: return "section";
    }
}

/* The indentation of the first non-blank line from pos, less what the
 * enclosing blocks already strip: a standalone block's own indentation. */
static span intrinsic_indent(parser *p, size_t strip)
{
    size_t i = p->pos;
    while (i < p->len) {
        size_t j = i;
        while (j < p->len && is_blank(p->src[j]))
            j++;
        if (j < p->len && p->src[j] == '\n')
            i = j + 1;
        else if (j + 1 < p->len && p->src[j] == '\r' && p->src[j + 1] == '\n')
            i = j + 2;
        else {
            size_t ws = j - i;
            if (j == p->len || ws <= strip)
                break;
            return arena_add(p, p->src + i + strip, ws - strip);
        }
    }
    return (span){p->t->arena.len, 0};
}

/* {{=<% %>=}}: content is what lies between the '=' signs. */
static bool set_delimiters(parser *p, const char *s, size_t n, int line, int col)
{
    trim(&s, &n);
    size_t olen = 0;
    while (olen < n && !is_space(s[olen]))
        olen++;
    const char *c = s + olen;
    size_t clen = n - olen;
    trim(&c, &clen);
    bool ok = olen > 0 && clen > 0 && !memchr(s, '=', olen) && !memchr(c, '=', clen);
    for (size_t i = 0; ok && i < clen; i++)
        ok = !is_space(c[i]);
    if (!ok) {
        fail_at(p, line, col,
                "invalid set-delimiter tag: expected two delimiters such as {{=<%% %%>=}}");
        return false;
    }
    p->otag = s;
    p->olen = olen;
    p->ctag = c;
    p->clen = clen;
    return true;
}

static bool same_name(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* raw is the closing tag's trimmed content; name the same without a
 * leading '*' (dynamic), which only dynamic parents compare against. */
static bool close_section(parser *p, const char *raw, size_t raw_len, const char *name,
                          size_t name_len, bool dynamic, size_t tag_end, int line, int col)
{
    if (p->nframes == 1) {
        fail_at(p, line, col, "closing tag '%.*s' without an open section", (int)raw_len, raw);
        return false;
    }
    frame *f = top(p);
    bool match = f->node.dynamic ? dynamic && same_name(f->name, f->name_len, name, name_len)
                                 : same_name(f->name, f->name_len, raw, raw_len);
    if (!match) {
        fail_at(p, line, col, "closing tag '%.*s' does not match %s '%s%.*s' opened at %d:%d",
                (int)raw_len, raw, kind_word(f->node.kind), f->node.dynamic ? "*" : "",
                (int)f->name_len, f->name, f->node.line, f->node.col);
        return false;
    }
    size_t line_end = clean_line_end(p, tag_end);
    bool left_clean = p->line_clean || !frame_keeps_text(f);
    if (f->node.kind == NODE_PARENT)
        left_clean = f->pair_left_clean; /* the pair is standalone, or not at all */
    if (!left_clean)
        line_end = 0;
    if (line_end && f->node.kind != NODE_PARENT)
        take_line_ws(p, false);

    frame done = *f;
    p->nframes--;
    frame *outer = top(p);
    if (done.node.kind == NODE_PARENT && line_end && done.ws_len) {
        /* The whitespace before the opening tag becomes the parent's indentation. */
        node_list *body = &outer->node.body;
        node *text = &body->items[done.ws_node];
        text->text.len -= done.ws_len;
        done.node.indent = (span){text->text.off + text->text.len, done.ws_len};
        if (text->text.len == 0 && done.ws_node == body->len - 1)
            body->len--;
    }
    frame_push_node(outer, done.node);
    finish_tag(p, tag_end, line_end);
    return true;
}

/* A tag as written: sigil, content and extent. */
typedef struct tag {
    char sigil; /* '#', '^', '/', '>', '<', '$', '!', '=', '{', '&', or '\0' for {{name}} */
    const char *content; /* between the sigil and the closing delimiter */
    size_t content_len;
    size_t end; /* just past the closing delimiter */
    int line, col;
} tag;

/* Reads the tag whose opening delimiter is at p->pos. */
static bool scan_tag(parser *p, tag *tg)
{
    size_t start = p->pos;
    tg->line = p->line;
    tg->col = (int)(start - p->line_start) + 1;
    size_t q = start + p->olen;
    char c = q < p->len ? p->src[q] : '\0';
    tg->sigil = c && strchr("#^/><$!={&", c) ? c : '\0';
    size_t content_start = tg->sigil ? q + 1 : q;

    /* {{{name}}} ends with '}' + the closing delimiter, {{=a b=}} with '='. */
    char closer = c == '{' ? '}' : c == '=' ? '=' : '\0';
    const char *close = NULL;
    for (size_t from = content_start; from < p->len;) {
        close = find(p->src + from, p->len - from, p->ctag, p->clen);
        if (!close || !closer || (close > p->src + content_start && close[-1] == closer))
            break;
        from = (size_t)(close - p->src) + 1;
        close = NULL;
    }
    if (!close) {
        char want[2] = {closer, '\0'};
        fail_at(p, tg->line, tg->col, "unclosed tag: no '%s%.*s' after '%.*s'", want, (int)p->clen,
                p->ctag, (int)p->olen, p->otag);
        return false;
    }
    tg->content = p->src + content_start;
    tg->content_len = (size_t)(close - p->src) - (closer ? 1 : 0) - content_start;
    tg->end = (size_t)(close - p->src) + p->clen;
    return true;
}

/* One tag at p->pos (the opening delimiter), text before it already emitted. */
static bool parse_tag(parser *p)
{
    tag tg;
    if (!scan_tag(p, &tg))
        return false;
    int line = tg.line, col = tg.col;
    size_t tag_end = tg.end;
    frame *f = top(p);
    /* Only whitespace before the tag on its line (or nothing that is output). */
    bool left_clean = p->line_clean || !frame_keeps_text(f);

    if (tg.sigil == '!' || tg.sigil == '=') {
        size_t line_end = left_clean ? clean_line_end(p, tag_end) : 0;
        /* New delimiters point into the source, which outlives the parse. */
        if (tg.sigil == '=' && !set_delimiters(p, tg.content, tg.content_len, line, col))
            return false;
        if (line_end)
            take_line_ws(p, false);
        finish_tag(p, tag_end, line_end);
        return true;
    }

    char sigil = tg.sigil;
    node n = {.line = line, .col = col};
    const char *raw = tg.content;
    size_t raw_len = tg.content_len;
    trim(&raw, &raw_len);
    const char *name = raw;
    size_t name_len = raw_len;
    bool dynamic = false;
    if ((sigil == '>' || sigil == '<' || sigil == '/') && name_len && name[0] == '*') {
        dynamic = true;
        name++;
        name_len--;
        trim(&name, &name_len);
    }
    if (name_len == 0) {
        fail_at(p, line, col, "empty tag name");
        return false;
    }

    if (sigil == '\0' || sigil == '{' || sigil == '&') {
        n.kind = NODE_VAR;
        n.escape = sigil == '\0';
        if (!parse_path(p, name, name_len, line, col, &n.path))
            return false;
        frame_push_node(f, n);
        finish_tag(p, tag_end, 0);
        return true;
    }
    if (sigil == '/')
        return close_section(p, raw, raw_len, name, name_len, dynamic, tag_end, line, col);

    size_t line_end = clean_line_end(p, tag_end);
    bool standalone = left_clean && line_end;
    n.dynamic = dynamic;

    switch (sigil) {
    case '#':
    case '^':
        n.kind = sigil == '#' ? NODE_SECTION : NODE_INVERTED;
        if (!parse_path(p, name, name_len, line, col, &n.path))
            return false;
        if (standalone)
            take_line_ws(p, false);
        finish_tag(p, tag_end, standalone ? line_end : 0);
        return push_frame(p, n, name, name_len);

    case '>':
        n.kind = NODE_PARTIAL;
        if (dynamic) {
            if (!parse_path(p, name, name_len, line, col, &n.path))
                return false;
        } else {
            n.text = arena_add_cstr(p, name, name_len);
        }
        if (standalone)
            n.indent = take_line_ws(p, true);
        frame_push_node(f, n);
        finish_tag(p, tag_end, standalone ? line_end : 0);
        return true;

    case '<': {
        n.kind = NODE_PARENT;
        bool pair_left_clean = left_clean && !f->dead;
        size_t ws_len = frame_keeps_text(f) && p->line_clean ? p->line_ws : 0;
        size_t ws_node = f->node.body.len ? f->node.body.len - 1 : 0;
        if (dynamic) {
            if (!parse_path(p, name, name_len, line, col, &n.path))
                return false;
        } else {
            n.text = arena_add_cstr(p, name, name_len);
        }
        /* Whatever follows on the line is ignored content: the line end is
         * left for the closing tag to decide about. */
        finish_tag(p, tag_end, 0);
        if (!push_frame(p, n, name, name_len))
            return false;
        frame *pf = top(p);
        pf->pair_left_clean = pair_left_clean;
        pf->ws_len = ws_len;
        pf->ws_node = ws_node;
        return true;
    }

    case '$': {
        n.kind = NODE_BLOCK;
        n.text = arena_add_cstr(p, name, name_len);
        size_t strip = f->strip;
        if (standalone) {
            take_line_ws(p, false);
            finish_tag(p, tag_end, line_end);
            n.indent = intrinsic_indent(p, strip);
        } else {
            if (left_clean && frame_keeps_text(f) && p->line_ws) {
                /* The whitespace stays as text; later lines get it too. */
                node *last = &f->node.body.items[f->node.body.len - 1];
                n.indent = (span){last->text.off + last->text.len - p->line_ws, p->line_ws};
            }
            finish_tag(p, tag_end, 0);
        }
        if (!push_frame(p, n, name, name_len))
            return false;
        top(p)->strip = strip + n.indent.len;
        return true;
    }
    }
    return true;
}

tpl *tpl_compile(const char *name, const char *source, tpl_error *err)
{
    tpl *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name ? name : "");
    sb_init(&t->arena);

    parser p = {
        .name = t->name,
        .src = source,
        .len = strlen(source),
        .line = 1,
        .otag = "{{",
        .ctag = "}}",
        .olen = 2,
        .clen = 2,
        .t = t,
        .capframes = 16,
        .line_clean = true,
        .at_line_start = true,
        .err = err,
    };
    p.frames = xmalloc(p.capframes * sizeof *p.frames);
    p.frames[0] = (frame){.node = {.kind = NODE_SECTION}}; /* the root: never closed */
    p.nframes = 1;

    bool ok = true;
    while (ok) {
        const char *open = find(p.src + p.pos, p.len - p.pos, p.otag, p.olen);
        emit_text(&p, open ? (size_t)(open - p.src) : p.len);
        if (!open)
            break;
        ok = parse_tag(&p);
    }
    if (ok && p.nframes > 1) {
        frame *f = top(&p);
        fail_at(&p, f->node.line, f->node.col, "unclosed %s '%s%.*s': no closing tag",
                kind_word(f->node.kind), f->node.dynamic ? "*" : "", (int)f->name_len, f->name);
        ok = false;
    }
    if (ok) {
        t->root = p.frames[0].node.body;
        p.frames[0].node.body = (node_list){0};
    }
    for (size_t i = 0; i < p.nframes; i++)
        node_list_free(&p.frames[i].node.body);
    free(p.frames);
    if (!ok) {
        tpl_free(t);
        return NULL;
    }
    return t;
}
