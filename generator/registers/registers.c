#include "registers/registers.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fs.h"
#include "core/srcfile.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "registers/view.h"

static const char *const TYPE_NAMES[] = {
    "text", "markdown", "int", "number", "hours", "date",
    "enum", "bool",     "checks", "list", "ref",  "file",
};
#define TYPE_COUNT (sizeof TYPE_NAMES / sizeof *TYPE_NAMES)
#define TYPE_LIST "text, markdown, int, number, hours, date, enum, bool, checks, list, ref, file"

const char *field_type_name(field_type t)
{
    return (size_t)t < TYPE_COUNT ? TYPE_NAMES[t] : "?";
}

/* ---- freeing ---- */

static void field_free(void *p)
{
    register_field *f = p;
    free(f->name);
    free(f->label);
    vec_free(&f->values);
    free(f->ref_register);
    free(f);
}

static void row_free_cells(register_row *row, size_t nfields)
{
    for (size_t i = 0; row->cells && i < nfields; i++)
        vec_free(&row->cells[i].items);
    free(row->cells);
}

static void register_free(void *p)
{
    register_def *reg = p;
    if (!reg)
        return;
    for (size_t i = 0; i < reg->rows.len; i++) {
        register_row *row = reg->rows.items[i];
        row_free_cells(row, reg->fields.len);
        free(row);
    }
    vec_free(&reg->rows);
    map_free(&reg->row_by_key);
    map_free(&reg->field_by_name);
    vec_free(&reg->fields);
    free(reg->name);
    free(reg->path);
    free(reg->title);
    free(reg->annex);
    register_free_type(reg);
    ydoc_free(reg->doc);
    free(reg);
}

register_set *registers_new(void)
{
    register_set *set = xcalloc(1, sizeof *set);
    vec_init(&set->registers, register_free);
    map_init(&set->by_name, NULL);
    map_init(&set->failed, NULL);
    return set;
}

void registers_free(register_set *set)
{
    if (!set)
        return;
    vec_free(&set->registers);
    map_free(&set->by_name);
    map_free(&set->failed);
    free(set);
}

/* ---- schema ---- */

static const char *const SCHEMA_KEYS[] = {"title", "type", "map", "annex", "audience", "key",
                                          "fields", "items", NULL};
static const char *const FIELD_KEYS[] = {"label", "type", "required", "values", "register",
                                         "audience", NULL};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* A scalar schema setting; NULL (after a diagnostic) when it is not text. */
static const char *schema_text(const ynode *n, const char *what, diag_sink *diags)
{
    if (!n || ynode_is_null(n))
        return NULL;
    if (n->kind != YNODE_SCALAR) {
        diag_error(diags, ynode_pos(n), "register-schema", "'%s' must be text", what);
        return NULL;
    }
    return n->text;
}

static bool schema_audience(const ynode *n, const char *what, audience *out, diag_sink *diags)
{
    const char *s = schema_text(n, what, diags);
    if (!s)
        return false;
    if (!audience_parse(s, out)) {
        diag_error(diags, ynode_pos(n), "register-schema",
                   "%s must be public, staff or internal, not '%s'", what, s);
        return false;
    }
    return true;
}

static void parse_values(register_field *f, const ynode *n, diag_sink *diags)
{
    if (n->kind != YNODE_SEQ || n->len == 0) {
        diag_error(diags, ynode_pos(n), "register-schema",
                   "'values' of field '%s' must be a list of options", f->name);
        return;
    }
    for (size_t i = 0; i < n->len; i++) {
        const ynode *v = n->items[i];
        if (v->kind != YNODE_SCALAR || ynode_is_null(v)) {
            diag_error(diags, ynode_pos(v), "register-schema", "options of field '%s' must be text",
                       f->name);
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < f->values.len && !dup; j++)
            dup = strcmp(f->values.items[j], v->text) == 0;
        if (dup)
            diag_error(diags, ynode_pos(v), "register-schema",
                       "option '%s' of field '%s' is listed twice", v->text, f->name);
        else
            vec_push(&f->values, xstrdup(v->text));
    }
}

static register_field *parse_field(const ynode *key, const ynode *def, size_t index,
                                   diag_sink *diags)
{
    register_field *f = xcalloc(1, sizeof *f);
    f->name = xstrdup(key->text);
    f->index = index;
    f->node = def;
    vec_init(&f->values, free);
    if (def->kind != YNODE_MAP) {
        diag_error(diags, ynode_pos(def), "register-schema",
                   "field '%s' must be a mapping ({ label: ..., type: ... })", f->name);
        f->label = xstrdup(f->name);
        return f;
    }
    for (size_t i = 0; i < def->len; i++)
        if (!in_list(FIELD_KEYS, def->keys[i]->text))
            diag_error(diags, ynode_pos(def->keys[i]), "register-schema",
                       "unknown key '%s' in field '%s' (label, type, required, values, register, "
                       "audience)",
                       def->keys[i]->text, f->name);

    const char *label = schema_text(ynode_get(def, "label"), "label", diags);
    f->label = xstrdup(label ? label : f->name);

    const ynode *type = ynode_get(def, "type");
    const char *type_s = schema_text(type, "type", diags);
    if (!type) {
        diag_error(diags, ynode_pos(def), "register-schema",
                   "field '%s' has no type (" TYPE_LIST ")", f->name);
    } else if (type_s) {
        size_t t = 0;
        while (t < TYPE_COUNT && strcmp(TYPE_NAMES[t], type_s) != 0)
            t++;
        if (t == TYPE_COUNT)
            diag_error(diags, ynode_pos(type), "register-schema",
                       "field '%s' has unknown type '%s' (" TYPE_LIST ")", f->name, type_s);
        else
            f->type = (field_type)t;
    }

    const ynode *req = ynode_get(def, "required");
    if (req && !ynode_as_bool(req, &f->required))
        diag_error(diags, ynode_pos(req), "register-schema",
                   "'required' of field '%s' must be true or false", f->name);

    const ynode *aud = ynode_get(def, "audience");
    if (aud)
        schema_audience(aud, "audience", &f->audience, diags);

    const ynode *values = ynode_get(def, "values");
    bool wants_values = f->type == FIELD_ENUM || f->type == FIELD_CHECKS;
    if (values && !wants_values)
        diag_error(diags, ynode_pos(values), "register-schema",
                   "'values' applies to enum and checks fields, not to %s field '%s'",
                   field_type_name(f->type), f->name);
    else if (values)
        parse_values(f, values, diags);
    else if (wants_values && type_s)
        diag_error(diags, ynode_pos(def), "register-schema", "%s field '%s' needs 'values'",
                   field_type_name(f->type), f->name);

    const ynode *reg = ynode_get(def, "register");
    if (reg && f->type != FIELD_REF) {
        diag_error(diags, ynode_pos(reg), "register-schema",
                   "'register' applies to ref fields, not to %s field '%s'",
                   field_type_name(f->type), f->name);
    } else if (reg) {
        const char *name = schema_text(reg, "register", diags);
        if (name)
            f->ref_register = xstrdup(name);
    } else if (f->type == FIELD_REF && type_s) {
        diag_error(diags, ynode_pos(def), "register-schema",
                   "ref field '%s' needs 'register' (the register it refers to)", f->name);
    }
    return f;
}

/* ---- cells ---- */

static const char *kind_noun(const ynode *n)
{
    return n->kind == YNODE_SEQ ? "a list" : "a mapping";
}

static const char *type_expects(field_type t)
{
    switch (t) {
    case FIELD_TEXT: return "text";
    case FIELD_MARKDOWN: return "Markdown text";
    case FIELD_INT: return "a whole number";
    case FIELD_NUMBER: return "a number";
    case FIELD_HOURS: return "a number of hours (0 or more)";
    case FIELD_DATE: return "a date (YYYY-MM-DD)";
    case FIELD_ENUM: return "one of its values";
    case FIELD_BOOL: return "true or false";
    case FIELD_CHECKS: return "a list of ticked options";
    case FIELD_LIST: return "a list of text";
    case FIELD_REF: return "the key of a row";
    case FIELD_FILE: return "a file path";
    }
    return "a value";
}

static void wrong_type(const register_field *f, const ynode *n, diag_sink *diags)
{
    if (n->kind == YNODE_SCALAR)
        diag_error(diags, ynode_pos(n), "register-type", "field '%s' expects %s, not '%s'", f->name,
                   type_expects(f->type), n->text);
    else
        diag_error(diags, ynode_pos(n), "register-type", "field '%s' expects %s, not %s", f->name,
                   type_expects(f->type), kind_noun(n));
}

static bool is_option(const register_field *f, const char *s)
{
    for (size_t i = 0; i < f->values.len; i++)
        if (strcmp(f->values.items[i], s) == 0)
            return true;
    return false;
}

static void not_an_option(const register_field *f, const ynode *n, diag_sink *diags)
{
    strbuf opts;
    sb_init(&opts);
    for (size_t i = 0; i < f->values.len; i++) {
        if (i)
            sb_append(&opts, ", ");
        sb_append(&opts, f->values.items[i]);
    }
    diag_error(diags, ynode_pos(n), "register-value", "'%s' is not a value of field '%s' (%s)",
               n->text, f->name, opts.data);
    sb_free(&opts);
}

/* A path under the evidence folder: relative, no "..", and (after symlinks)
 * still inside it; the file must exist. */
static bool check_file(const register_field *f, const ynode *n, const char *evidence_dir,
                       diag_sink *diags)
{
    const char *p = n->text;
    if (!*p) {
        diag_error(diags, ynode_pos(n), "register-file", "field '%s' has an empty file path",
                   f->name);
        return false;
    }
    if (p[0] == '/') {
        diag_error(diags, ynode_pos(n), "register-file",
                   "field '%s': '%s' must be a path relative to %s, not an absolute path", f->name,
                   p, evidence_dir);
        return false;
    }
    for (const char *c = p; *c;) {
        size_t len = strcspn(c, "/");
        if (len == 2 && c[0] == '.' && c[1] == '.') {
            diag_error(diags, ynode_pos(n), "register-file",
                       "field '%s': '%s' leaves %s (no '..' allowed)", f->name, p, evidence_dir);
            return false;
        }
        c += len;
        while (*c == '/')
            c++;
    }
    char *full = fs_join(evidence_dir, p);
    struct stat st;
    bool ok = false;
    if (!srcfile_confined(full, evidence_dir, ynode_pos(n), diags))
        ok = false;
    else if (stat(full, &st) != 0)
        diag_error(diags, ynode_pos(n), "register-file", "field '%s': file '%s' not found in %s",
                   f->name, p, evidence_dir);
    else if (!S_ISREG(st.st_mode))
        diag_error(diags, ynode_pos(n), "register-file", "field '%s': '%s' in %s is not a file",
                   f->name, p, evidence_dir);
    else
        ok = true;
    free(full);
    return ok;
}

typedef struct load_ctx {
    const char *evidence_dir;
} load_ctx;

/* Checks n against f and fills cell. n is not null. */
static void parse_cell(const load_ctx *ctx, const register_field *f, const ynode *n,
                       register_cell *cell, diag_sink *diags)
{
    cell->node = n;
    bool scalar_type = f->type != FIELD_CHECKS && f->type != FIELD_LIST;
    if (scalar_type && n->kind != YNODE_SCALAR) {
        wrong_type(f, n, diags);
        return;
    }
    switch (f->type) {
    case FIELD_TEXT:
    case FIELD_MARKDOWN:
    case FIELD_REF: /* resolved later */
        cell->valid = true;
        break;
    case FIELD_INT:
        if (ynode_as_long(n, &cell->as.integer))
            cell->valid = true;
        else
            wrong_type(f, n, diags);
        break;
    case FIELD_NUMBER:
        if (ynode_as_double(n, &cell->as.number))
            cell->valid = true;
        else
            wrong_type(f, n, diags);
        break;
    case FIELD_HOURS:
        if (ynode_as_double(n, &cell->as.number) && cell->as.number >= 0)
            cell->valid = true;
        else
            wrong_type(f, n, diags);
        break;
    case FIELD_DATE:
        if (date_parse(n->text, &cell->as.date))
            cell->valid = true;
        else
            wrong_type(f, n, diags);
        break;
    case FIELD_BOOL:
        if (ynode_as_bool(n, &cell->as.boolean))
            cell->valid = true;
        else
            wrong_type(f, n, diags);
        break;
    case FIELD_ENUM:
        if (is_option(f, n->text))
            cell->valid = true;
        else
            not_an_option(f, n, diags);
        break;
    case FIELD_FILE: cell->valid = check_file(f, n, ctx->evidence_dir, diags); break;
    case FIELD_CHECKS:
    case FIELD_LIST: {
        if (n->kind != YNODE_SEQ) {
            wrong_type(f, n, diags);
            return;
        }
        bool ok = true;
        for (size_t i = 0; i < n->len; i++) {
            const ynode *item = n->items[i];
            if (item->kind != YNODE_SCALAR || ynode_is_null(item)) {
                diag_error(diags, ynode_pos(item), "register-type",
                           "items of field '%s' must be text", f->name);
                ok = false;
                continue;
            }
            if (f->type == FIELD_CHECKS) {
                if (!is_option(f, item->text)) {
                    not_an_option(f, item, diags);
                    ok = false;
                    continue;
                }
                bool twice = false;
                for (size_t j = 0; j < cell->items.len && !twice; j++)
                    twice = strcmp(cell->items.items[j], item->text) == 0;
                if (twice) {
                    diag_error(diags, ynode_pos(item), "register-value",
                               "'%s' is ticked twice in field '%s'", item->text, f->name);
                    ok = false;
                    continue;
                }
            }
            vec_push(&cell->items, item->text);
        }
        cell->valid = ok;
        break;
    }
    }
}

/* ---- rows ---- */

static void parse_row(const load_ctx *ctx, register_def *reg, const ynode *n, size_t index,
                      diag_sink *diags)
{
    register_row *row = xcalloc(1, sizeof *row);
    row->reg = reg;
    row->index = index;
    row->node = n;
    row->cells = xcalloc(reg->fields.len ? reg->fields.len : 1, sizeof *row->cells);
    for (size_t i = 0; i < reg->fields.len; i++) {
        row->cells[i].field = reg->fields.items[i];
        vec_init(&row->cells[i].items, NULL);
    }
    vec_push(&reg->rows, row);

    for (size_t i = 0; i < n->len; i++) {
        const ynode *key = n->keys[i];
        register_field *f = map_get(&reg->field_by_name, key->text);
        if (!f) {
            diag_error(diags, ynode_pos(key), "register-field",
                       "unknown field '%s' (register '%s' has no such field)", key->text,
                       reg->name);
            continue;
        }
        if (ynode_is_null(n->items[i]))
            continue; /* "field:" with no value is an empty cell */
        parse_cell(ctx, f, n->items[i], &row->cells[f->index], diags);
    }

    if (reg->key && row->cells[reg->key->index].valid)
        row->key = row->cells[reg->key->index].node->text;
    for (size_t i = 0; i < reg->fields.len; i++) {
        const register_field *f = reg->fields.items[i];
        if ((!f->required && f != reg->key) || row->cells[i].node)
            continue;
        if (row->key)
            diag_error(diags, ynode_pos(n), "register-required",
                       "row '%s' is missing required field '%s'", row->key, f->name);
        else
            diag_error(diags, ynode_pos(n), "register-required",
                       "row is missing required field '%s'", f->name);
    }
    if (!row->key)
        return;
    register_row *first = map_get(&reg->row_by_key, row->key);
    if (first) {
        const ynode *at = row->cells[reg->key->index].node;
        const ynode *was = first->cells[reg->key->index].node;
        diag_error(diags, ynode_pos(at), "register-duplicate",
                   "duplicate key '%s' in register '%s' (first used at line %d)", row->key,
                   reg->name, was->line);
        return;
    }
    map_set(&reg->row_by_key, row->key, row);
}

static bool valid_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static void parse_register(const load_ctx *ctx, register_def *reg, diag_sink *diags)
{
    const ynode *root = reg->doc->root;
    if (!root || root->kind != YNODE_MAP) {
        diag_error(diags, root ? ynode_pos(root) : srcpos_file(reg->path), "register-schema",
                   "a register must be a mapping with title, fields and items");
        return;
    }
    for (size_t i = 0; i < root->len; i++)
        if (!in_list(SCHEMA_KEYS, root->keys[i]->text))
            diag_error(diags, ynode_pos(root->keys[i]), "register-schema",
                       "unknown key '%s' in register (title, type, map, annex, audience, key, "
                       "fields, items)",
                       root->keys[i]->text);

    const char *title = schema_text(ynode_get(root, "title"), "title", diags);
    if (!title && !ynode_get(root, "title"))
        diag_error(diags, (srcpos){reg->path, root->line, root->col}, "register-schema",
                   "register '%s' has no title", reg->name);
    reg->title = xstrdup(title ? title : reg->name);
    const char *annex = schema_text(ynode_get(root, "annex"), "annex", diags);
    reg->annex = annex ? xstrdup(annex) : NULL;
    const ynode *aud = ynode_get(root, "audience");
    if (aud)
        schema_audience(aud, "audience", &reg->audience, diags);

    const ynode *fields = ynode_get(root, "fields");
    if (!fields || fields->kind != YNODE_MAP || fields->len == 0) {
        diag_error(diags, fields ? ynode_pos(fields) : ynode_pos(root), "register-schema",
                   "register '%s' needs 'fields': a mapping of field name to definition",
                   reg->name);
    } else {
        for (size_t i = 0; i < fields->len; i++) {
            register_field *f =
                parse_field(fields->keys[i], fields->items[i], reg->fields.len, diags);
            vec_push(&reg->fields, f);
            map_set(&reg->field_by_name, f->name, f);
        }
    }

    const ynode *key = ynode_get(root, "key");
    const char *key_name = key ? schema_text(key, "key", diags) : "id";
    if (key_name) {
        const register_field *kf = map_get(&reg->field_by_name, key_name);
        if (!kf && reg->fields.len)
            diag_error(diags, key ? ynode_pos(key) : ynode_pos(fields), "register-schema",
                       "the key field '%s' is not one of the fields%s", key_name,
                       key ? "" : " (set 'key' to the field that identifies a row)");
        else if (kf && kf->type != FIELD_TEXT && kf->type != FIELD_INT && kf->type != FIELD_DATE &&
                 kf->type != FIELD_ENUM)
            diag_error(diags, key ? ynode_pos(key) : ynode_pos(kf->node), "register-schema",
                       "the key field '%s' must be text, int, date or enum, not %s", key_name,
                       field_type_name(kf->type));
        else
            reg->key = kf;
    }
    register_parse_type(reg, diags);
    reg->display = map_get(&reg->field_by_name, "name");
    if (!reg->display)
        reg->display = map_get(&reg->field_by_name, "title");
    if (reg->display && reg->display->type != FIELD_TEXT)
        reg->display = NULL;

    const ynode *items = ynode_get(root, "items");
    if (!items || ynode_is_null(items))
        return;
    if (items->kind != YNODE_SEQ) {
        diag_error(diags, ynode_pos(items), "register-schema", "'items' must be a list of rows");
        return;
    }
    for (size_t i = 0; i < items->len; i++) {
        const ynode *n = items->items[i];
        if (n->kind != YNODE_MAP) {
            diag_error(diags, ynode_pos(n), "register-schema",
                       "each item must be a mapping of field: value");
            continue;
        }
        parse_row(ctx, reg, n, reg->rows.len, diags);
    }
}

register_def *registers_load_file(register_set *set, const char *path, const char *name,
                                  const char *evidence_dir, diag_sink *diags)
{
    if (!valid_name(name)) {
        diag_error(diags, srcpos_file(path), "register-schema",
                   "register file names may use only letters, digits, '-' and '_'");
        map_set(&set->failed, name, NULL);
        return NULL;
    }
    yaml_limits limits = yaml_default_limits();
    limits.max_bytes = REGISTER_MAX_BYTES;
    limits.max_nodes = REGISTER_MAX_NODES;
    ydoc *doc = yaml_load_file(path, &limits, diags);
    if (!doc) {
        map_set(&set->failed, name, NULL);
        return NULL;
    }
    register_def *reg = xcalloc(1, sizeof *reg);
    reg->name = xstrdup(name);
    reg->path = xstrdup(path);
    reg->doc = doc;
    vec_init(&reg->fields, field_free);
    map_init(&reg->field_by_name, NULL);
    vec_init(&reg->rows, NULL);
    map_init(&reg->row_by_key, NULL);

    load_ctx ctx = {.evidence_dir = evidence_dir};
    parse_register(&ctx, reg, diags);

    vec_push(&set->registers, reg);
    map_set(&set->by_name, reg->name, reg);
    return reg;
}

void registers_resolve(register_set *set, diag_sink *diags)
{
    for (size_t r = 0; r < set->registers.len; r++) {
        register_def *reg = set->registers.items[r];
        for (size_t i = 0; i < reg->fields.len; i++) {
            register_field *f = reg->fields.items[i];
            if (f->type != FIELD_REF || !f->ref_register)
                continue;
            f->ref_target = map_get(&set->by_name, f->ref_register);
            if (!f->ref_target && !map_has(&set->failed, f->ref_register))
                diag_error(diags, ynode_pos(ynode_get(f->node, "register")), "register-schema",
                           "field '%s' refers to unknown register '%s'", f->name, f->ref_register);
        }
    }
    for (size_t r = 0; r < set->registers.len; r++) {
        register_def *reg = set->registers.items[r];
        for (size_t i = 0; i < reg->fields.len; i++) {
            const register_field *f = reg->fields.items[i];
            if (f->type != FIELD_REF || !f->ref_target)
                continue;
            for (size_t k = 0; k < reg->rows.len; k++) {
                register_row *row = reg->rows.items[k];
                register_cell *cell = &row->cells[i];
                if (!cell->valid)
                    continue;
                cell->target = register_row_get(f->ref_target, cell->node->text);
                if (!cell->target) {
                    cell->valid = false;
                    diag_error(diags, ynode_pos(cell->node), "ref",
                               "field '%s' refers to unknown %s '%s'", f->name, f->ref_register,
                               cell->node->text);
                }
            }
        }
    }
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

bool registers_load(site *s, diag_sink *parent)
{
    diag_sink own = diag_child(parent), *diags = &own;
    registers_free(s->registers);
    s->registers = registers_new();
    char *dir = fs_join(s->dir, "registers");
    char *evidence = fs_join(s->dir, "evidence");
    vec names;
    vec_init(&names, free);
    if (fs_is_dir(dir) && !fs_list_dir(dir, &names))
        diag_error(diags, srcpos_file(dir), "read", "cannot list folder: %s", strerror(errno));
    for (size_t i = 0; i < names.len; i++) {
        const char *file = names.items[i];
        if (file[0] == '.')
            continue;
        char *path = fs_join(dir, file);
        if (ends_with(file, ".yaml")) {
            char *name = xstrndup(file, strlen(file) - 5);
            if (srcfile_confined(path, dir, srcpos_file(path), diags))
                registers_load_file(s->registers, path, name, evidence, diags);
            else
                map_set(&s->registers->failed, name, NULL);
            free(name);
        } else if (ends_with(file, ".yml")) {
            diag_warning(diags, srcpos_file(path), "register-schema",
                         "ignored: register files end in .yaml, not .yml");
        }
        free(path);
    }
    registers_resolve(s->registers, diags);
    registers_resolve_types(s->registers, diags);
    vec_free(&names);
    free(evidence);
    free(dir);
    return !diag_has_errors(&own);
}

bool registers_check_site(const site *s, diag_sink *parent)
{
    diag_sink own = diag_child(parent), *diags = &own;
    const register_set *set = s->registers;
    for (size_t r = 0; set && r < set->registers.len; r++) {
        const register_def *reg = set->registers.items[r];
        if (!reg->annex)
            continue;
        bool found = false;
        for (size_t i = 0; i < s->annexes.len && !found; i++)
            found = strcmp(((const document *)s->annexes.items[i])->id, reg->annex) == 0;
        if (!found)
            diag_error(diags, ynode_pos(ynode_get(reg->doc->root, "annex")), "register-schema",
                       "register '%s' fills unknown annex '%s'", reg->name, reg->annex);
    }
    for (size_t i = 0; i < s->annexes.len; i++) {
        const document *d = s->annexes.items[i];
        if (!d->register_name || registers_get(set, d->register_name) ||
            (set && map_has(&set->failed, d->register_name)))
            continue;
        const ynode *at = ynode_get(d->front ? d->front->root : NULL, "register");
        diag_error(diags, at ? ynode_pos(at) : srcpos_file(d->path), "register-schema",
                   "annex '%s' names unknown register '%s'", d->id, d->register_name);
    }
    register_directives_check(s, diags);
    return !diag_has_errors(&own);
}

/* ---- lookup ---- */

const register_def *registers_get(const register_set *set, const char *name)
{
    return set && name ? map_get(&set->by_name, name) : NULL;
}

const register_field *register_field_get(const register_def *reg, const char *name)
{
    return reg && name ? map_get(&reg->field_by_name, name) : NULL;
}

const register_row *register_row_get(const register_def *reg, const char *key)
{
    return reg && key ? map_get(&reg->row_by_key, key) : NULL;
}

const register_cell *register_row_cell_at(const register_row *row, const register_field *f)
{
    if (!row || !f || f->index >= row->reg->fields.len || row->reg->fields.items[f->index] != f)
        return NULL;
    return &row->cells[f->index];
}

const register_cell *register_row_cell(const register_row *row, const char *field)
{
    return row ? register_row_cell_at(row, register_field_get(row->reg, field)) : NULL;
}

const char *register_row_label(const register_row *row, audience aud)
{
    const register_def *reg = row->reg;
    if (reg->display && register_field_visible(reg, reg->display, aud)) {
        const register_cell *c = &row->cells[reg->display->index];
        if (c->valid && *c->node->text)
            return c->node->text;
    }
    return row->key ? row->key : "";
}

srcpos register_row_pos(const register_row *row)
{
    return ynode_pos(row->node);
}

srcpos register_cell_pos(const register_cell *cell)
{
    return ynode_pos(cell ? cell->node : NULL);
}

/* ---- typed access ---- */

bool register_cell_ok(const register_cell *cell)
{
    return cell && cell->valid && cell->node;
}

static bool cell_is(const register_cell *cell, field_type t)
{
    return register_cell_ok(cell) && cell->field->type == t;
}

const char *register_cell_text(const register_cell *cell)
{
    return register_cell_ok(cell) && cell->node->kind == YNODE_SCALAR ? cell->node->text : NULL;
}

bool register_cell_date(const register_cell *cell, date *out)
{
    if (!cell_is(cell, FIELD_DATE))
        return false;
    *out = cell->as.date;
    return true;
}

bool register_cell_number(const register_cell *cell, double *out)
{
    if (cell_is(cell, FIELD_INT))
        *out = (double)cell->as.integer;
    else if (cell_is(cell, FIELD_NUMBER) || cell_is(cell, FIELD_HOURS))
        *out = cell->as.number;
    else
        return false;
    return true;
}

bool register_cell_int(const register_cell *cell, long *out)
{
    if (!cell_is(cell, FIELD_INT))
        return false;
    *out = cell->as.integer;
    return true;
}

bool register_cell_bool(const register_cell *cell, bool *out)
{
    if (!cell_is(cell, FIELD_BOOL))
        return false;
    *out = cell->as.boolean;
    return true;
}

const vec *register_cell_items(const register_cell *cell)
{
    return cell_is(cell, FIELD_CHECKS) || cell_is(cell, FIELD_LIST) ? &cell->items : NULL;
}

bool register_cell_checked(const register_cell *cell, const char *option)
{
    const vec *items = register_cell_items(cell);
    for (size_t i = 0; items && i < items->len; i++)
        if (strcmp(items->items[i], option) == 0)
            return true;
    return false;
}

const register_row *register_cell_ref(const register_cell *cell)
{
    return cell_is(cell, FIELD_REF) ? cell->target : NULL;
}

/* ---- audiences ---- */

bool register_visible(const register_def *reg, audience aud)
{
    return reg && audience_sees(aud, reg->audience);
}

bool register_field_visible(const register_def *reg, const register_field *f, audience aud)
{
    return register_visible(reg, aud) && f && audience_sees(aud, f->audience);
}

/* ---- value tree ---- */

value *register_cell_value(const register_cell *c)
{
    switch (c->field->type) {
    case FIELD_INT: return value_number((double)c->as.integer);
    case FIELD_NUMBER:
    case FIELD_HOURS: return value_number(c->as.number);
    case FIELD_BOOL: return value_bool(c->as.boolean);
    case FIELD_DATE: {
        char iso[16];
        date_format_iso(c->as.date, iso, sizeof iso);
        value *m = value_map();
        value_map_set_string(m, "$date", iso);
        return m;
    }
    case FIELD_CHECKS:
    case FIELD_LIST: {
        value *l = value_list();
        for (size_t i = 0; i < c->items.len; i++)
            value_list_push(l, value_string(c->items.items[i]));
        return l;
    }
    default: return value_stringn(c->node->text, c->node->text_len);
    }
}

value *registers_to_value(const register_set *set, audience aud)
{
    value *all = value_map();
    for (size_t r = 0; set && r < set->registers.len; r++) {
        const register_def *reg = set->registers.items[r];
        if (!register_visible(reg, aud))
            continue;
        value *v = value_map();
        value_map_set_string(v, "title", reg->title);
        if (reg->key)
            value_map_set_string(v, "key", reg->key->name);
        if (reg->annex)
            value_map_set_string(v, "annex", reg->annex);
        value *rows = value_list();
        for (size_t k = 0; k < reg->rows.len; k++) {
            const register_row *row = reg->rows.items[k];
            value *rv = value_map();
            for (size_t i = 0; i < reg->fields.len; i++) {
                const register_field *f = reg->fields.items[i];
                const register_cell *c = &row->cells[i];
                if (c->valid && register_field_visible(reg, f, aud))
                    value_map_set(rv, f->name, register_cell_value(c));
            }
            value_map_set_string(rv, "_file", reg->path);
            value_map_set_number(rv, "_line", row->node->line);
            value_list_push(rows, rv);
        }
        value_map_set(v, "rows", rows);
        value_map_set(all, reg->name, v);
    }
    return all;
}

/* ---- revisions ---- */

/* A revisions row's field: through the type's mapping when the register
 * declares `type: revisions`, else by its own name. */
static const register_cell *revision_cell(const register_row *row, const char *name)
{
    return row->reg->type ? register_row_canon_cell(row, name) : register_row_cell(row, name);
}

bool registers_current_revision(const register_set *set, revision_info *out)
{
    const register_def *reg = registers_get(set, "revisions");
    if (!reg || !reg->rows.len)
        return false;
    const register_row *row = vec_last(&reg->rows);
    *out = (revision_info){.row = row};
    const register_cell *version = revision_cell(row, "version");
    out->version = register_cell_text(version);
    if (!out->version && !version)
        out->version = row->key;
    out->has_date = register_cell_date(revision_cell(row, "date"), &out->date);
    const char *status = register_cell_text(revision_cell(row, "status"));
    out->approved = status && strcmp(status, "approved") == 0;
    return true;
}

const char *registers_current_version(const register_set *set)
{
    revision_info info;
    return registers_current_revision(set, &info) ? info.version : NULL;
}

/* ---- evidence ---- */

void registers_evidence_files(const register_set *set, audience aud, vec *out)
{
    map seen;
    map_init(&seen, NULL);
    for (size_t r = 0; set && r < set->registers.len; r++) {
        const register_def *reg = set->registers.items[r];
        for (size_t i = 0; i < reg->fields.len; i++) {
            const register_field *f = reg->fields.items[i];
            if (f->type != FIELD_FILE || !register_field_visible(reg, f, aud))
                continue;
            for (size_t k = 0; k < reg->rows.len; k++) {
                const register_row *row = reg->rows.items[k];
                const register_cell *c = &row->cells[i];
                if (!c->valid || map_has(&seen, c->node->text))
                    continue;
                map_set(&seen, c->node->text, NULL);
                vec_push(out, c->node->text);
            }
        }
    }
    map_free(&seen);
    vec_sort_strings(out);
}
