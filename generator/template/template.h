/* Mustache templates: compiled once, rendered many times.
 *
 * Follows the Mustache spec (interpolation, sections, inverted sections,
 * comments, set delimiters, partials, dynamic names {{>*name}} and
 * inheritance {{<parent}}/{{$block}}); lambdas are not supported.
 *
 * The engine does no I/O. Partials and parents are fetched by name through
 * a caller-supplied resolver, compiled on first use and cached in a tpl_set.
 * A missing partial renders as the empty string, as the spec requires.
 * {{x}} escapes & < > " ' for HTML; {{{x}}} and {{&x}} do not.
 *
 * Threads: a tpl_set (and its cache) must be used by one thread at a time;
 * give each rendering thread its own set. A compiled tpl is immutable and
 * may be rendered from several threads at once. There is no global state. */
#ifndef POLICYGEN_TEMPLATE_H
#define POLICYGEN_TEMPLATE_H

#include <stdbool.h>

#include "core/strbuf.h"
#include "core/value.h"

/* Partials and parents may nest (and recurse) this deep; deeper is an error,
 * which stops a partial that includes itself without end. */
#define TPL_MAX_INCLUDE_DEPTH 64
/* Sections, blocks and parents may nest this deep inside one template. */
#define TPL_MAX_NESTING 256
/* Sections that repeat inside each other multiply: one render may write at
 * most this much and visit at most this many tags and texts, and fails
 * past either (a 1 KB template could otherwise ask for gigabytes). These are
 * a set's limits unless tpl_set_limits changes them. */
#define TPL_MAX_OUTPUT ((size_t)256 << 20)
#define TPL_MAX_STEPS 10000000L

/* Where and why compiling or rendering failed. line and col are 1-based
 * (col counts bytes); 0 when the error has no position. name is the
 * template's name as given to tpl_compile or the resolver (truncated to
 * fit). */
typedef struct tpl_error {
    char message[256];
    char name[128];
    int line, col;
} tpl_error;

/* A compiled template: immutable once compiled. */
typedef struct tpl tpl;

/* Returns the source text of the named partial or parent, or NULL when there
 * is none. The text is borrowed: it must stay valid until the call that
 * triggered the lookup (a render or tpl_set_get) returns; the set compiles
 * it at once and keeps only the compiled form. Names of dynamic partials
 * ({{>*field}}) come from the data, so the resolver must treat a name as
 * untrusted (no path walking). It must not render through the same set. */
typedef const char *(*tpl_resolve_fn)(void *ctx, const char *name);

/* Compiles and caches templates by name through a resolver. */
typedef struct tpl_set tpl_set;

/* resolve may be NULL (then every partial is missing); ctx is passed to it
 * untouched and is not owned. */
tpl_set *tpl_set_new(tpl_resolve_fn resolve, void *ctx);
/* The output and step limits of renders through set (for tests). */
void tpl_set_limits(tpl_set *set, size_t max_output, long max_steps);
/* Frees the set and every template it compiled. NULL is a no-op. */
void tpl_set_free(tpl_set *set);
/* The named template, compiled on first use and owned by the set (valid
 * until tpl_set_free). NULL when the resolver has no such name (err then
 * says so) or it does not compile (err says where). */
const tpl *tpl_set_get(tpl_set *set, const char *name, tpl_error *err);

/* Compiles source (borrowed; the template keeps its own copy of what it
 * needs). name is only used in error reports. Returns NULL and fills err
 * (which may be NULL) on a syntax error. The caller frees with tpl_free. */
tpl *tpl_compile(const char *name, const char *source, tpl_error *err);
void tpl_free(tpl *t);
const char *tpl_name(const tpl *t);

/* Renders t with data (borrowed; NULL renders as an empty context),
 * appending to out. Partials and parents come from set. On failure returns
 * false, fills err (which may be NULL) and leaves out as it was before the
 * call. */
bool tpl_render(tpl_set *set, const tpl *t, const value *data, strbuf *out, tpl_error *err);

/* tpl_set_get then tpl_render. A name the resolver does not know is an
 * error here (unlike a missing partial). */
bool tpl_render_named(tpl_set *set, const char *name, const value *data, strbuf *out,
                      tpl_error *err);
/* Compiles source under name, renders it once and frees it: for one-off
 * templates. Prefer tpl_compile + tpl_render for anything rendered twice. */
bool tpl_render_string(tpl_set *set, const char *name, const char *source, const value *data,
                       strbuf *out, tpl_error *err);

#endif
