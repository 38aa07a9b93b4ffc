#include "yaml/yaml.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "core/srcfile.h"
#include "core/xalloc.h"

yaml_limits yaml_default_limits(void)
{
    return (yaml_limits){
        .max_bytes = 16u << 20,
        .max_depth = 64,
        .max_nodes = 1000000,
    };
}

typedef struct anchor {
    char *name;
    ynode *node;
} anchor;

typedef struct loader {
    yaml_parser_t parser;
    const char *path;
    int line_offset;
    yaml_limits limits;
    size_t nodes;
    vec anchors; /* of anchor*, most recent last */
    diag_sink *diags;
    bool failed;
} loader;

static void free_anchor(void *p)
{
    anchor *a = p;
    free(a->name);
    free(a);
}

static void ynode_free(ynode *n)
{
    if (!n)
        return;
    free(n->text);
    for (size_t i = 0; i < n->len; i++) {
        ynode_free(n->items[i]);
        if (n->keys)
            ynode_free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n);
}

/* Reports the first error only: later ones are consequences of it. */
static void fail_at(loader *ld, int line, int col, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void fail_at(loader *ld, int line, int col, const char *code, const char *fmt, ...)
{
    if (ld->failed)
        return;
    ld->failed = true;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    srcpos at = {ld->path, line, col};
    diag_error(ld->diags, at, code, "%s", msg);
}

static int mark_line(const loader *ld, yaml_mark_t mark)
{
    return (int)mark.line + 1 + ld->line_offset;
}

static int mark_col(yaml_mark_t mark)
{
    return (int)mark.column + 1;
}

static ynode *new_node(loader *ld, ynode_kind kind, yaml_mark_t mark)
{
    if (++ld->nodes > ld->limits.max_nodes) {
        fail_at(ld, mark_line(ld, mark), mark_col(mark), "yaml-limit",
                "document too large: more than %zu nodes (alias expansion counts)",
                ld->limits.max_nodes);
        return NULL;
    }
    ynode *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->path = ld->path;
    n->line = mark_line(ld, mark);
    n->col = mark_col(mark);
    return n;
}

static void push_child(ynode *parent, ynode *key, ynode *item)
{
    if ((parent->len & (parent->len - 1)) == 0) { /* grow at powers of two */
        size_t cap = parent->len ? parent->len * 2 : 1;
        parent->items = xrealloc(parent->items, cap * sizeof *parent->items);
        if (parent->kind == YNODE_MAP)
            parent->keys = xrealloc(parent->keys, cap * sizeof *parent->keys);
    }
    parent->items[parent->len] = item;
    if (parent->kind == YNODE_MAP)
        parent->keys[parent->len] = key;
    parent->len++;
}

static ynode *copy_node(loader *ld, const ynode *src, yaml_mark_t mark)
{
    ynode *n = new_node(ld, src->kind, mark);
    if (!n)
        return NULL;
    n->line = src->line;
    n->col = src->col;
    if (src->text) {
        n->text = xstrndup(src->text, src->text_len);
        n->text_len = src->text_len;
    }
    n->plain = src->plain;
    for (size_t i = 0; i < src->len; i++) {
        ynode *key = NULL;
        if (src->keys && !(key = copy_node(ld, src->keys[i], mark))) {
            ynode_free(n);
            return NULL;
        }
        ynode *item = copy_node(ld, src->items[i], mark);
        if (!item) {
            ynode_free(key);
            ynode_free(n);
            return NULL;
        }
        push_child(n, key, item);
    }
    return n;
}

static void remember_anchor(loader *ld, const yaml_char_t *name, ynode *node)
{
    if (!name)
        return;
    anchor *a = xmalloc(sizeof *a);
    a->name = xstrdup((const char *)name);
    a->node = node;
    vec_push(&ld->anchors, a);
}

static bool next_event(loader *ld, yaml_event_t *ev)
{
    if (yaml_parser_parse(&ld->parser, ev))
        return true;
    const char *problem = ld->parser.problem ? ld->parser.problem : "invalid YAML";
    if (ld->parser.context)
        fail_at(ld, mark_line(ld, ld->parser.problem_mark), mark_col(ld->parser.problem_mark),
                "yaml", "%s %s", problem, ld->parser.context);
    else
        fail_at(ld, mark_line(ld, ld->parser.problem_mark), mark_col(ld->parser.problem_mark),
                "yaml", "%s", problem);
    return false;
}

static ynode *parse_node(loader *ld, yaml_event_t *ev, int depth);
static bool parse_children_into(loader *ld, ynode *parent, yaml_event_type_t end, int depth,
                                map *seen);

/* Parses children until the matching end event. */
static bool parse_children(loader *ld, ynode *parent, yaml_event_type_t end, int depth)
{
    map seen; /* key text -> key node, for duplicate detection; borrows */
    map_init(&seen, NULL);
    bool ok = parse_children_into(ld, parent, end, depth, &seen);
    map_free(&seen);
    return ok;
}

static bool parse_children_into(loader *ld, ynode *parent, yaml_event_type_t end, int depth,
                                map *seen)
{
    for (;;) {
        yaml_event_t ev;
        if (!next_event(ld, &ev))
            return false;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return true;
        }
        ynode *key = NULL;
        if (parent->kind == YNODE_MAP) {
            key = parse_node(ld, &ev, depth + 1);
            yaml_event_delete(&ev);
            if (!key)
                return false;
            if (key->kind != YNODE_SCALAR) {
                fail_at(ld, key->line, key->col, "yaml", "mapping keys must be plain text");
                ynode_free(key);
                return false;
            }
            ynode *first = map_get(seen, key->text);
            if (first) {
                fail_at(ld, key->line, key->col, "yaml-duplicate-key",
                        "duplicate key '%s' (first defined at line %d)", key->text, first->line);
                ynode_free(key);
                return false;
            }
            map_set(seen, key->text, key);
            if (!next_event(ld, &ev)) {
                ynode_free(key);
                return false;
            }
        }
        ynode *item = parse_node(ld, &ev, depth + 1);
        yaml_event_delete(&ev);
        if (!item) {
            ynode_free(key);
            return false;
        }
        push_child(parent, key, item);
    }
}

static ynode *parse_node(loader *ld, yaml_event_t *ev, int depth)
{
    if (depth > ld->limits.max_depth) {
        fail_at(ld, mark_line(ld, ev->start_mark), mark_col(ev->start_mark), "yaml-limit",
                "nesting deeper than %d levels", ld->limits.max_depth);
        return NULL;
    }
    ynode *n = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n = new_node(ld, YNODE_SCALAR, ev->start_mark);
        if (!n)
            return NULL;
        n->text = xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        n->text_len = ev->data.scalar.length;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
        remember_anchor(ld, ev->data.scalar.anchor, n);
        return n;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
        n = new_node(ld, seq ? YNODE_SEQ : YNODE_MAP, ev->start_mark);
        if (!n)
            return NULL;
        const yaml_char_t *anchor_name =
            seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
        if (!parse_children(ld, n, seq ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT, depth)) {
            ynode_free(n);
            return NULL;
        }
        /* An anchor on a collection is usable only after the collection ends
         * (a self-reference would be infinite anyway). */
        remember_anchor(ld, anchor_name, n);
        return n;
    }
    case YAML_ALIAS_EVENT:
        for (size_t i = ld->anchors.len; i-- > 0;) {
            anchor *a = ld->anchors.items[i];
            if (strcmp(a->name, (const char *)ev->data.alias.anchor) == 0)
                return copy_node(ld, a->node, ev->start_mark);
        }
        fail_at(ld, mark_line(ld, ev->start_mark), mark_col(ev->start_mark), "yaml",
                "unknown alias '*%s'", (const char *)ev->data.alias.anchor);
        return NULL;
    default:
        fail_at(ld, mark_line(ld, ev->start_mark), mark_col(ev->start_mark), "yaml",
                "unexpected YAML event");
        return NULL;
    }
}

ydoc *yaml_load_buffer(const char *path, const char *buf, size_t len, int first_line,
                       const yaml_limits *limits, diag_sink *diags)
{
    loader ld = {0};
    ld.path = path;
    ld.diags = diags;
    ld.limits = limits ? *limits : yaml_default_limits();
    ld.line_offset = first_line > 1 ? first_line - 1 : 0;
    vec_init(&ld.anchors, free_anchor);

    ydoc *doc = xcalloc(1, sizeof *doc);
    doc->path = xstrdup(path);
    ld.path = doc->path;

    if (len > ld.limits.max_bytes) {
        char limit[32];
        srcfile_limit_text(ld.limits.max_bytes, limit, sizeof limit);
        diag_error(diags, srcpos_file(path), "yaml-limit", "file too large: %zu bytes (limit %s)",
                   len, limit);
        ydoc_free(doc);
        vec_free(&ld.anchors);
        return NULL;
    }
    /* The same check as for Markdown, with the same words: libyaml's own
     * reader errors have no line and column. */
    if (!srcfile_check_text(path, buf, len, first_line > 1 ? first_line : 1, diags)) {
        ydoc_free(doc);
        vec_free(&ld.anchors);
        return NULL;
    }

    yaml_parser_initialize(&ld.parser);
    yaml_parser_set_input_string(&ld.parser, (const unsigned char *)buf, len);
    yaml_parser_set_encoding(&ld.parser, YAML_UTF8_ENCODING);

    bool done = false;
    while (!done && !ld.failed) {
        yaml_event_t ev;
        if (!next_event(&ld, &ev))
            break;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_END_EVENT: break;
        case YAML_DOCUMENT_START_EVENT:
            if (doc->root)
                fail_at(&ld, mark_line(&ld, ev.start_mark), mark_col(ev.start_mark), "yaml",
                        "only one YAML document is allowed here");
            break;
        default: doc->root = parse_node(&ld, &ev, 1); break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&ld.parser);
    vec_free(&ld.anchors);
    if (ld.failed) {
        ydoc_free(doc);
        return NULL;
    }
    return doc;
}

ydoc *yaml_load_file(const char *path, const yaml_limits *limits, diag_sink *diags)
{
    yaml_limits lim = limits ? *limits : yaml_default_limits();
    size_t len;
    char *text = srcfile_read(path, lim.max_bytes, &len, "yaml-limit", diags);
    if (!text)
        return NULL;
    ydoc *doc = yaml_load_buffer(path, text, len, 1, &lim, diags);
    free(text);
    return doc;
}

void ydoc_free(ydoc *doc)
{
    if (!doc)
        return;
    ynode_free(doc->root);
    free(doc->path);
    free(doc);
}

srcpos ynode_pos(const ynode *n)
{
    return (srcpos){n ? n->path : NULL, n ? n->line : 0, n ? n->col : 0};
}

const ynode *ynode_get(const ynode *map, const char *key)
{
    if (!map || map->kind != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->len; i++)
        if (strcmp(map->keys[i]->text, key) == 0)
            return map->items[i];
    return NULL;
}

const char *ynode_str(const ynode *n)
{
    return n && n->kind == YNODE_SCALAR ? n->text : NULL;
}

bool ynode_is_null(const ynode *n)
{
    if (!n)
        return true;
    if (n->kind != YNODE_SCALAR || !n->plain)
        return false;
    return n->text_len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
           strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

bool ynode_as_bool(const ynode *n, bool *out)
{
    const char *s = ynode_str(n);
    if (!s || !n->plain)
        return false;
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool ynode_as_long(const ynode *n, long *out)
{
    const char *s = ynode_str(n);
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool ynode_as_double(const ynode *n, double *out)
{
    const char *s = ynode_str(n);
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return false;
    /* strtod accepts hex and "inf"; YAML numbers are decimal. */
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789+-.eE", *p))
            return false;
    *out = v;
    return true;
}

value *ynode_to_value(const ynode *n)
{
    if (!n)
        return value_null();
    switch (n->kind) {
    case YNODE_SCALAR: {
        if (n->plain) {
            bool b;
            double d;
            if (ynode_is_null(n))
                return value_null();
            if (ynode_as_bool(n, &b))
                return value_bool(b);
            if (ynode_as_double(n, &d))
                return value_number(d);
        }
        return value_stringn(n->text, n->text_len);
    }
    case YNODE_SEQ: {
        value *list = value_list();
        for (size_t i = 0; i < n->len; i++)
            value_list_push(list, ynode_to_value(n->items[i]));
        return list;
    }
    case YNODE_MAP: {
        value *m = value_map();
        for (size_t i = 0; i < n->len; i++)
            value_map_set(m, n->keys[i]->text, ynode_to_value(n->items[i]));
        return m;
    }
    }
    return value_null();
}
