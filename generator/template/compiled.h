/* The compiled form of a template, shared by the compiler (compile.c) and
 * the renderer (render.c); not part of the public API.
 *
 * A template is a tree of nodes. All strings (text, names, indentation) live
 * in one arena owned by the tpl and are referred to by offset, so a compiled
 * template is two allocations per node list plus the arena. */
#ifndef POLICYGEN_TEMPLATE_COMPILED_H
#define POLICYGEN_TEMPLATE_COMPILED_H

#include <stdbool.h>
#include <stddef.h>

#include "core/strbuf.h"
#include "template/template.h"

typedef enum node_kind {
    NODE_TEXT,     /* literal text */
    NODE_VAR,      /* {{name}} (escaped), {{{name}}} or {{&name}} */
    NODE_SECTION,  /* {{#name}}body{{/name}} */
    NODE_INVERTED, /* {{^name}}body{{/name}} */
    NODE_PARTIAL,  /* {{>name}} or {{>*name}} */
    NODE_PARENT,   /* {{<name}}...{{/name}}: body holds only the overriding NODE_BLOCKs */
    NODE_BLOCK,    /* {{$name}}default{{/name}} */
} node_kind;

/* Bytes [off, off + len) of the template's arena. */
typedef struct span {
    size_t off;
    size_t len;
} span;

/* A data name: nsegs NUL-terminated segments stored back to back in the
 * arena from off ("a.b" is "a\0b\0"); nsegs == 0 is the implicit iterator ".". */
typedef struct data_path {
    size_t off;
    size_t nsegs;
} data_path;

typedef struct node node;

typedef struct node_list {
    node *items;
    size_t len;
    size_t cap;
} node_list;

struct node {
    node_kind kind;
    bool escape;    /* VAR: HTML-escape the value */
    bool dynamic;   /* PARTIAL, PARENT: the template name is looked up in the data */
    int line, col;  /* of the tag, for render-time errors */
    span text;      /* TEXT: the text. PARTIAL, PARENT (static), BLOCK: the name, NUL-terminated */
    data_path path; /* VAR, SECTION, INVERTED, and dynamic PARTIAL/PARENT */
    /* PARTIAL, PARENT: the indentation of a standalone tag, prepended to
     * every line of the included template. BLOCK: the indentation its body
     * was stripped of when compiled and gets back when rendered. */
    span indent;
    node_list body; /* SECTION, INVERTED, BLOCK: content; PARENT: overriding blocks */
};

struct tpl {
    char *name;
    strbuf arena;
    node_list root;
};

void node_list_free(node_list *list);

static inline const char *tpl_str(const tpl *t, span s)
{
    return t->arena.data + s.off;
}

/* The cached template for name, compiling it through the set's resolver on
 * first use. NULL with *missing set when the resolver has no such name;
 * NULL with err filled when it does not compile. */
const tpl *tpl_set_find(tpl_set *set, const char *name, bool *missing, tpl_error *err);
/* The set's render limits (tpl_set_limits). */
size_t tpl_set_max_output(const tpl_set *set);
long tpl_set_max_steps(const tpl_set *set);

/* Fills err (if any) with a formatted message and position. */
void tpl_set_error(tpl_error *err, const char *name, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
