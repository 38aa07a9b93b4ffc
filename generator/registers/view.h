/* Views of a register: which rows and columns a `register` directive shows,
 * in which order and layout. A view is independent of the output format,
 * so the HTML and PDF renderers share it.
 *
 *   ```register assets
 *   columns: [id, name, custodian]
 *   where: { class: 硬體資產 }
 *   sort: -inventoried
 *   layout: table
 *   ```
 *
 * `merge: { impact: [ip, admin] }` shows the named fields inside the impact
 * column, one `label：value` line each after its own value, as the seed's
 * 核心業務 table does, instead of as columns of their own.
 */
#ifndef POLICYGEN_REGISTERS_VIEW_H
#define POLICYGEN_REGISTERS_VIEW_H

#include <stdbool.h>

#include "content/site.h"
#include "core/vec.h"
#include "diag/diag.h"
#include "registers/registers.h"
#include "yaml/yaml.h"

typedef enum register_layout {
    REGISTER_LAYOUT_TABLE, /* one row a row: for tables */
    REGISTER_LAYOUT_LIST,  /* one block of label: value lines a row */
} register_layout;

/* `where: { field: value }`: a row matches when its cell equals value (text,
 * enum, ref key, date, number or bool by the field's type), contains it
 * (checks and list), or is empty when value is null (`closed: ~`). */
typedef struct register_filter {
    const register_field *field;
    char *text;  /* NULL: match an empty cell */
} register_filter;

/* Fields shown inside another field's column. */
typedef struct register_merge {
    const register_field *into;
    vec fields; /* of const register_field*, borrowed */
} register_merge;

typedef struct register_view {
    vec columns;   /* of const register_field*, borrowed; empty: every field aud may see */
    vec merges;    /* of register_merge*, owned */
    vec where;     /* of register_filter*, owned; every filter must match */
    const register_field *sort; /* NULL: file order */
    bool sort_desc;             /* `sort: -field` */
    register_layout layout;
    bool anchors;  /* rows get id="{key}": only on the register's own page */
} register_view;

void register_view_init(register_view *v);
void register_view_free(register_view *v);

/* Reads directive options (a mapping, or NULL for none) into v. Problems are
 * told to diags at their option's place (at when the option has none); with
 * diags NULL, options checked before are read quietly. Returns false when
 * any option was wrong; v then holds the options that were right. */
bool register_view_parse(register_view *v, const register_def *reg, const ynode *options, srcpos at,
                         diag_sink *diags);

/* The rows v selects, in its order (const register_row*, borrowed). */
void register_view_rows(const register_view *v, const register_def *reg, vec *out);
/* The fields v shows to aud (const register_field*, borrowed): its columns,
 * or every field aud may see. Hidden columns named explicitly stay (their
 * cells read （不公開）). */
void register_view_columns(const register_view *v, const register_def *reg, audience aud, vec *out);
bool register_row_matches(const register_view *v, const register_row *row);
/* The fields merged into column f (borrowed), or NULL. */
const vec *register_view_merged(const register_view *v, const register_field *f);

/* Checks every `register` and `revisions` directive (markdown/directive.h)
 * of the site's chapters and annexes once, after registers_load: a name that
 * is no register, options that name unknown fields, a bad layout. Each is
 * told to diags at its place; the renderers then parse the options quietly
 * (diags NULL), however many pages and editions show them. Returns false
 * when any directive was wrong. */
bool register_directives_check(const site *s, diag_sink *diags);

#endif
