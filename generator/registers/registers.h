/* Registers: the YAML tables of content/registers/ (CONTENT-FORMAT.md,
 * "Registers"). Each file is a schema (title, annex, audience, key, fields)
 * and a list of rows; rows are checked against the schema when they are
 * loaded, and references between registers once every file is loaded.
 *
 * Ownership: a register_set owns its registers; a register owns its YAML
 * document, its fields and its rows. Every string a row or cell hands out
 * is borrowed from the register's YAML tree and lives as long as the set.
 * Nothing here is modified after registers_load returns, so later stages
 * (rules, HTML, PDF) may read a set from several threads at once. */
#ifndef POLICYGEN_REGISTERS_H
#define POLICYGEN_REGISTERS_H

#include <stdbool.h>
#include <stddef.h>

#include "content/site.h"
#include "core/date.h"
#include "core/map.h"
#include "core/value.h"
#include "core/vec.h"
#include "diag/diag.h"
#include "yaml/yaml.h"

/* Registers larger than this are refused before parsing (the YAML loader's
 * own limits on depth and node count apply too). */
#define REGISTER_MAX_BYTES ((size_t)16 << 20)
/* YAML nodes (keys and values; aliases count as copies). The largest example
 * register (training, 57 rows) has about 1,000; 200,000 is room for some
 * 10,000 rows of 9 fields, and keeps an alias bomb to a tenth of a second
 * (a million nodes costs most of a second in the sanitized build). */
#define REGISTER_MAX_NODES ((size_t)200000)

typedef enum field_type {
    FIELD_TEXT,     /* any scalar, as written; may span lines */
    FIELD_MARKDOWN, /* inline Markdown */
    FIELD_INT,      /* a whole number */
    FIELD_NUMBER,   /* a decimal number */
    FIELD_HOURS,    /* a number of hours, 0 or more */
    FIELD_DATE,     /* YYYY-MM-DD */
    FIELD_ENUM,     /* one of `values` */
    FIELD_BOOL,     /* true / false (yes / no) */
    FIELD_CHECKS,   /* a list of ticked options out of `values` */
    FIELD_LIST,     /* a list of text */
    FIELD_REF,      /* the key of a row of the register named by `register` */
    FIELD_FILE,     /* a path relative to content/evidence, which must exist there */
} field_type;

struct register_def;
struct register_row;

typedef struct register_field {
    char *name;
    char *label;           /* the column heading; the name when the schema has none */
    field_type type;
    bool required;
    audience audience;     /* who may see the field (public when not given) */
    vec values;            /* enum, checks: char* options, owned, in schema order */
    char *ref_register;    /* ref: the register's name, or NULL */
    const struct register_def *ref_target; /* ref: resolved after loading, or NULL */
    size_t index;          /* position in register_def.fields */
    const ynode *node;     /* the field's schema entry */
} register_field;

/* One cell: the value a row gives for a field. */
typedef struct register_cell {
    const register_field *field;
    const ynode *node; /* the value as written; NULL when the row leaves it out or gives null */
    bool valid;        /* node is set and has the field's type (and passed its checks) */
    union {
        long integer;  /* int */
        double number; /* number, hours (int as well, as a double) */
        bool boolean;  /* bool */
        date date;     /* date */
    } as;
    vec items;         /* checks, list: const char*, borrowed from the nodes */
    const struct register_row *target; /* ref: the row referred to, NULL when unknown */
} register_cell;

typedef struct register_row {
    const struct register_def *reg;
    size_t index;         /* position in the register, from 0 */
    const ynode *node;    /* the row's mapping */
    const char *key;      /* the key cell's text, or NULL when it has none */
    register_cell *cells; /* one per field, in register_def.fields order */
} register_row;

struct regtype;
struct regtype_field;

/* How a typed register holds one canonical field of its type. */
typedef struct register_canon {
    const struct regtype_field *field; /* the canonical field */
    const register_field *own;         /* the register's field that holds it, or NULL */
    const ynode *values;               /* `map` with `values`: own value -> canonical, or NULL */
    const ynode *mapped;               /* the `map` entry that named own, or NULL */
    char *problem;                     /* why own cannot hold it (kind, ref target), or NULL */
} register_canon;

typedef struct register_def {
    char *name;             /* the file name without .yaml: "assets" */
    char *path;             /* content/registers/assets.yaml */
    ydoc *doc;              /* owned: every node below borrows from it */
    char *title;
    char *annex;            /* the annex id this register fills, or NULL */
    audience audience;      /* who may see the register at all */
    const register_field *key;     /* the key field (schema `key`, default `id`); NULL if broken */
    const register_field *display; /* `name`, else `title`, else NULL: how refs show a row */
    vec fields;             /* of register_field*, owned, in schema order */
    map field_by_name;      /* name -> register_field*, borrowed */
    vec rows;               /* of register_row*, owned, in file order */
    map row_by_key;         /* key text -> register_row*, borrowed (first of duplicates) */
    /* `type:` (registers/regtype.h): the standard type the register keeps, or
     * NULL; canon has one entry per field of the type, in catalogue order,
     * filled by registers_resolve (registers/typed.c). */
    const struct regtype *type;
    const ynode *type_node;
    const ynode *map_node;  /* `map:`, or NULL */
    register_canon *canon;
} register_def;

typedef struct register_set {
    vec registers; /* of register_def*, owned, in file-name order */
    map by_name;   /* name -> register_def*, borrowed */
    map failed;    /* names of files that could not be read or parsed (no values) */
} register_set;

/* Loads every content/registers/NAME.yaml of s->dir, in file-name order, into
 * s->registers (replacing none: s->registers must be NULL; it is always set
 * on return, to an empty set when there is no registers/ folder), then
 * resolves references between registers. Every problem is a diagnostic at
 * its place. Returns false when any error was reported; the set then still
 * holds whatever could be read (bad cells have valid == false). */
bool registers_load(site *s, diag_sink *diags);
/* Loads one register file into set (no reference resolution). evidence_dir
 * is the folder `file` fields are relative to. For tests and tools. */
register_def *registers_load_file(register_set *set, const char *path, const char *name,
                                  const char *evidence_dir, diag_sink *diags);
/* Checks what joins registers to the rest of the site, once, after
 * registers_load (site_load does it): a register's `annex` must name an
 * annex, an annex's `register` must name a register, and every `register`
 * and `revisions` directive must name a register with valid options
 * (register_directives_check in registers/view.h). Returns false when any
 * error was reported. */
bool registers_check_site(const site *s, diag_sink *diags);
/* Resolves `ref` fields and cells across the set; reports unknown registers
 * and rows. */
void registers_resolve(register_set *set, diag_sink *diags);

/* Reads a register's `type` and `map` (registers/typed.c); called while its
 * schema is parsed, after its fields. */
void register_parse_type(register_def *reg, diag_sink *diags);
void register_free_type(register_def *reg);
/* Joins typed registers to the catalogue once every register is loaded and
 * refs are resolved: one register per type, each canonical field's own field
 * and whether it can hold it. */
void registers_resolve_types(register_set *set, diag_sink *diags);
/* The register of a type, or NULL. */
const register_def *registers_of_type(const register_set *set, const char *type);
/* The cell of a row for a canonical field of its register's type; NULL when
 * untyped, when no field holds it or when the field cannot. */
const register_cell *register_row_canon_cell(const register_row *row, const char *canonical);
/* The typed registers as rules read them: { TYPE: { name, title, file, line,
 * key, fields: { CANONICAL: { own?, line?, values? (an enum's or checks'
 * options), problem? } }, rows: [ { CANONICAL: value,
 * "_key", "_file", "_line" } ] } }, every field, every row (rules are
 * internal). Values as in registers_to_value; a list kind holds a single
 * value as a list of one; `map` values are translated. */
value *registers_typed_value(const register_set *set);

register_set *registers_new(void);
void registers_free(register_set *set);

/* ---- lookup ---- */

const register_def *registers_get(const register_set *set, const char *name);
const register_field *register_field_get(const register_def *reg, const char *name);
const register_row *register_row_get(const register_def *reg, const char *key);
/* The cell of a row for a field name; NULL when the register has no such field. */
const register_cell *register_row_cell(const register_row *row, const char *field);
const register_cell *register_row_cell_at(const register_row *row, const register_field *f);
/* How a ref shows this row: its `name` (or `title`) cell when the register has
 * one that the audience may see and the row fills in, else its key. */
const char *register_row_label(const register_row *row, audience aud);
srcpos register_row_pos(const register_row *row);
srcpos register_cell_pos(const register_cell *cell); /* the value's place (path only if empty) */

/* ---- typed access: each returns false (NULL) unless the cell is valid and of that kind ---- */

bool register_cell_ok(const register_cell *cell);
/* The scalar as written (every type but checks and list). */
const char *register_cell_text(const register_cell *cell);
bool register_cell_date(const register_cell *cell, date *out);
/* int, number and hours. */
bool register_cell_number(const register_cell *cell, double *out);
bool register_cell_int(const register_cell *cell, long *out);
bool register_cell_bool(const register_cell *cell, bool *out);
/* checks and list: the items as const char* (borrowed vector). */
const vec *register_cell_items(const register_cell *cell);
/* checks: whether option is ticked. */
bool register_cell_checked(const register_cell *cell, const char *option);
/* ref: the row referred to. */
const register_row *register_cell_ref(const register_cell *cell);

/* ---- audiences ---- */

bool register_visible(const register_def *reg, audience aud);
/* The register and the field are both visible to aud. */
bool register_field_visible(const register_def *reg, const register_field *f, audience aud);

const char *field_type_name(field_type t);

/* ---- whole-set views ---- */

/* All registers visible to aud as a value tree, for Lua rules and JSON:
 * { name: { title, key, annex?, rows: [ { field: typed value, "_file": path,
 * "_line": n } ] } }. A date is { "$date": "YYYY-MM-DD" }; int, number and
 * hours are numbers; bool is a boolean; checks and list are lists of
 * strings; ref is the key string; the others are strings. Fields hidden
 * from aud, empty cells and invalid cells are left out. The caller owns the
 * returned value. */
value *registers_to_value(const register_set *set, audience aud);
/* One valid cell as registers_to_value gives it. */
value *register_cell_value(const register_cell *c);

/* The revisions register (registers/revisions.yaml): its last row is the
 * current version of the plan. */
typedef struct revision_info {
    const register_row *row; /* the last row */
    const char *version;     /* its `version` (or key) cell, NULL when empty */
    bool has_date;
    date date;               /* its `date` cell, when has_date */
    bool approved;           /* its `status` is `approved` */
} revision_info;

/* Fills out from the last row of `revisions`; false when there is no such
 * register or it has no rows. */
bool registers_current_revision(const register_set *set, revision_info *out);
/* The current version ("V1.0"), or NULL. */
const char *registers_current_version(const register_set *set);

/* The evidence files (paths relative to the evidence folder, borrowed)
 * that `file` cells visible to aud name, each once, sorted; for copying
 * them into an edition. */
void registers_evidence_files(const register_set *set, audience aud, vec *out);

#endif
