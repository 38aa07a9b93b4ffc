/* YAML through libyaml into a tree whose every node keeps its line and
 * column. Loading is bounded: file size, nesting depth and the number of
 * nodes (aliases are expanded by copying, and count) have limits, so a
 * billion-laughs document fails fast with a diagnostic. Duplicate mapping
 * keys are errors. */
#ifndef POLICYGEN_YAML_H
#define POLICYGEN_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/value.h"
#include "diag/diag.h"

typedef enum ynode_kind {
    YNODE_SCALAR,
    YNODE_SEQ,
    YNODE_MAP,
} ynode_kind;

typedef struct ynode {
    ynode_kind kind;
    const char *path; /* the file it came from (owned by the ydoc) */
    int line;         /* 1-based */
    int col;          /* 1-based */
    /* scalar */
    char *text;
    size_t text_len;
    bool plain;       /* an unquoted plain scalar: may be null, bool or a number */
    /* sequence items, or mapping values with their keys */
    struct ynode **items;
    struct ynode **keys; /* MAP only: keys[i] is a scalar node */
    size_t len;
} ynode;

typedef struct yaml_limits {
    size_t max_bytes;   /* default 16 MiB */
    int max_depth;      /* default 64 */
    size_t max_nodes;   /* default 1,000,000, aliases counted as copies */
} yaml_limits;

/* A loaded document: owns its tree and the path string. */
typedef struct ydoc {
    char *path;
    ynode *root; /* NULL for an empty document */
} ydoc;

yaml_limits yaml_default_limits(void);

/* Load from a file or a buffer. On error emits a diagnostic (path:line:col)
 * and returns NULL. first_line shifts reported lines (front matter starts at
 * line 2 of its file). */
ydoc *yaml_load_file(const char *path, const yaml_limits *limits, diag_sink *diags);
ydoc *yaml_load_buffer(const char *path, const char *buf, size_t len, int first_line,
                       const yaml_limits *limits, diag_sink *diags);
void ydoc_free(ydoc *doc);

srcpos ynode_pos(const ynode *n);
/* Mapping lookup by key; NULL when absent or n is not a mapping. */
const ynode *ynode_get(const ynode *map, const char *key);
/* Scalar conveniences: these do not emit diagnostics. */
bool ynode_is_null(const ynode *n);              /* ~, null, empty plain */
bool ynode_as_bool(const ynode *n, bool *out);   /* true/false/yes/no */
bool ynode_as_long(const ynode *n, long *out);
bool ynode_as_double(const ynode *n, double *out);
const char *ynode_str(const ynode *n);           /* scalar text or NULL */

/* Convert to a template value: plain scalars become null, booleans and
 * numbers where they read as such; everything else is a string. */
value *ynode_to_value(const ynode *n);

#endif
