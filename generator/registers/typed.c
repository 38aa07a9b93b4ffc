/* Typed registers: `type:` names a standard type of the catalogue
 * (registers/regtype.h) and `map:` says which of the register's own fields
 * holds each canonical field whose name differs:
 *
 *   type: staff
 *   map:
 *     categories: role                                  # canonical: own field
 *     left: { field: resigned }
 *     categories: { field: role, values: { 資安長: 資通安全長 } }  # with values renamed
 *
 * A field named like a canonical field holds it unless `map` names another. */
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "registers/regtype.h"
#include "registers/registers.h"

static const char *scalar(const ynode *n)
{
    return n && n->kind == YNODE_SCALAR ? n->text : NULL;
}

/* The own field name a `map` entry gives, or NULL (after a diagnostic to diags,
 * unless quiet: the entries are read again once refs are resolved). */
static const char *mapped_field(const ynode *entry, const ynode **values, bool quiet,
                                diag_sink *diags)
{
    *values = NULL;
    if (scalar(entry))
        return entry->text;
    if (entry->kind == YNODE_MAP) {
        for (size_t i = 0; i < entry->len; i++) {
            const char *k = entry->keys[i]->text;
            if (strcmp(k, "field") && strcmp(k, "values") && !quiet)
                diag_error(diags, ynode_pos(entry->keys[i]), "register-schema",
                           "unknown key '%s' in a map entry (field, values)", k);
        }
        const ynode *field = ynode_get(entry, "field");
        const ynode *v = ynode_get(entry, "values");
        if (v && (v->kind != YNODE_MAP || v->len == 0)) {
            if (!quiet)
                diag_error(diags, ynode_pos(v), "register-schema",
                           "'values' must map the register's values to the type's");
            v = NULL;
        }
        for (size_t i = 0; v && i < v->len; i++)
            if (!scalar(v->items[i])) {
                if (!quiet)
                    diag_error(diags, ynode_pos(v->items[i]), "register-schema",
                               "a value must be text");
                v = NULL;
            }
        *values = v;
        if (scalar(field))
            return field->text;
        if (!quiet)
            diag_error(diags, field ? ynode_pos(field) : ynode_pos(entry), "register-schema",
                       "a map entry needs 'field': the register's own field that holds it");
        return NULL;
    }
    if (!quiet)
        diag_error(diags, ynode_pos(entry), "register-schema",
                   "a map entry is the register's own field name, or { field, values }");
    return NULL;
}

static char *canonical_names(const regtype *t)
{
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < t->fields.len; i++)
        sb_printf(&sb, "%s%s", i ? ", " : "", ((const regtype_field *)t->fields.items[i])->name);
    return sb_take(&sb);
}

void register_parse_type(register_def *reg, diag_sink *diags)
{
    const ynode *root = reg->doc->root;
    const ynode *type = ynode_get(root, "type");
    const ynode *map = ynode_get(root, "map");
    reg->map_node = map;
    if (type && !ynode_is_null(type)) {
        const char *name = scalar(type);
        reg->type = name ? regtype_get(name) : NULL;
        reg->type_node = type;
        if (!reg->type) {
            char *names = regtype_names();
            diag_error(diags, ynode_pos(type), "register-type",
                       "unknown register type '%s' (types: %s)", name ? name : "", names);
            free(names);
        }
    }
    if (!map || ynode_is_null(map))
        return;
    if (!reg->type) {
        if (!type)
            diag_error(diags, ynode_pos(map), "register-type",
                       "'map' maps fields onto a register type: give the register a 'type'");
        return;
    }
    if (map->kind != YNODE_MAP) {
        diag_error(diags, ynode_pos(map), "register-schema",
                   "'map' must be a mapping of the type's field to the register's own field");
        return;
    }
    for (size_t i = 0; i < map->len; i++) {
        const char *canonical = map->keys[i]->text;
        const ynode *values;
        const char *own = mapped_field(map->items[i], &values, false, diags);
        if (!regtype_field_get(reg->type, canonical)) {
            char *names = canonical_names(reg->type);
            diag_error(diags, ynode_pos(map->keys[i]), "register-type",
                       "'%s' is not a field of type %s (its fields: %s)", canonical,
                       reg->type->name, names);
            free(names);
        } else if (own && !map_get(&reg->field_by_name, own)) {
            diag_error(diags, ynode_pos(map->items[i]), "register-type",
                       "map: this register has no field '%s' to hold %s.%s", own, reg->type->name,
                       canonical);
        }
    }
}

void register_free_type(register_def *reg)
{
    for (size_t i = 0; reg->canon && i < reg->type->fields.len; i++)
        free(reg->canon[i].problem);
    free(reg->canon);
    reg->canon = NULL;
}

/* Fills one canonical field's entry: which own field holds it, and whether
 * it can. */
static void resolve_canon(register_def *reg, register_canon *c)
{
    const regtype_field *cf = c->field;
    const ynode *entry = reg->map_node && reg->map_node->kind == YNODE_MAP
                             ? ynode_get(reg->map_node, cf->name)
                             : NULL;
    const register_field *own = NULL;
    if (entry) {
        const ynode *values;
        const char *name = mapped_field(entry, &values, true, NULL);
        own = name ? map_get(&reg->field_by_name, name) : NULL;
        c->values = values;
        c->mapped = entry;
    } else {
        own = map_get(&reg->field_by_name, cf->name);
        /* A field named like this one but mapped to another canonical field
         * holds that one only. */
        const ynode *m = reg->map_node && reg->map_node->kind == YNODE_MAP ? reg->map_node : NULL;
        for (size_t i = 0; own && m && i < m->len; i++) {
            const ynode *values;
            const char *name = mapped_field(m->items[i], &values, true, NULL);
            if (name && strcmp(name, own->name) == 0)
                own = NULL;
        }
    }
    c->own = own;
    if (!own)
        return;
    char *want = regtype_field_describe(cf);
    if (!regtype_kind_accepts(cf->kind, own->type)) {
        c->problem = xasprintf("%s's field '%s' is %s, which cannot hold %s.%s (%s)", reg->path,
                               own->name, field_type_name(own->type), reg->type->name, cf->name,
                               want);
    } else if (cf->kind == REGKIND_REF) {
        const register_def *target = own->ref_target;
        if (!target)
            c->problem = xasprintf("%s's field '%s' refers to no register it can read", reg->path,
                                   own->name);
        else if (!target->type || strcmp(target->type->name, cf->to) != 0)
            c->problem = xasprintf("%s's field '%s' refers to register '%s', which is not of "
                                   "type %s (%s)",
                                   reg->path, own->name, target->name, cf->to, want);
    }
    free(want);
}

void registers_resolve_types(register_set *set, diag_sink *diags)
{
    map seen;
    map_init(&seen, NULL);
    for (size_t r = 0; r < set->registers.len; r++) {
        register_def *reg = set->registers.items[r];
        if (!reg->type)
            continue;
        const register_def *first = map_get(&seen, reg->type->name);
        if (first) {
            diag_error(diags, ynode_pos(reg->type_node), "register-type",
                       "type '%s' is already kept by %s:%d; a type is kept in one register",
                       reg->type->name, first->path, first->type_node->line);
        } else {
            map_set(&seen, reg->type->name, reg);
        }
        reg->canon = xcalloc(reg->type->fields.len, sizeof *reg->canon);
        for (size_t i = 0; i < reg->type->fields.len; i++) {
            reg->canon[i].field = reg->type->fields.items[i];
            resolve_canon(reg, &reg->canon[i]);
        }
    }
    map_free(&seen);
}

const register_def *registers_of_type(const register_set *set, const char *type)
{
    for (size_t r = 0; set && r < set->registers.len; r++) {
        const register_def *reg = set->registers.items[r];
        if (reg->type && strcmp(reg->type->name, type) == 0)
            return reg;
    }
    return NULL;
}

static const register_canon *canon_of(const register_def *reg, const char *canonical)
{
    for (size_t i = 0; reg->canon && i < reg->type->fields.len; i++)
        if (strcmp(reg->canon[i].field->name, canonical) == 0)
            return &reg->canon[i];
    return NULL;
}

const register_cell *register_row_canon_cell(const register_row *row, const char *canonical)
{
    const register_canon *c = canon_of(row->reg, canonical);
    if (!c || !c->own || c->problem)
        return NULL;
    return &row->cells[c->own->index];
}

/* A text as the type words it: `values` renames the register's own words. */
static value *translated(const register_canon *c, const char *text, size_t len)
{
    for (size_t i = 0; c->values && i < c->values->len; i++) {
        const ynode *k = c->values->keys[i];
        if (k->text_len == len && memcmp(k->text, text, len) == 0)
            return value_string(c->values->items[i]->text);
    }
    return value_stringn(text, len);
}

static value *canon_value(const register_canon *c, const register_cell *cell)
{
    const register_field *own = c->own;
    switch (c->field->kind) {
    case REGKIND_NUMBER:
    case REGKIND_DATE:
    case REGKIND_BOOL: return register_cell_value(cell);
    case REGKIND_LIST: {
        value *list = value_list();
        if (own->type == FIELD_CHECKS || own->type == FIELD_LIST) {
            for (size_t i = 0; i < cell->items.len; i++) {
                const char *item = cell->items.items[i];
                value_list_push(list, translated(c, item, strlen(item)));
            }
        } else {
            value_list_push(list, translated(c, cell->node->text, cell->node->text_len));
        }
        return list;
    }
    case REGKIND_TEXT:
    case REGKIND_REF: return translated(c, cell->node->text, cell->node->text_len);
    }
    return value_null();
}

value *registers_typed_value(const register_set *set)
{
    value *all = value_map();
    for (size_t r = 0; set && r < set->registers.len; r++) {
        const register_def *reg = set->registers.items[r];
        if (!reg->type || !reg->canon || registers_of_type(set, reg->type->name) != reg)
            continue;
        value *v = value_map();
        value_map_set_string(v, "name", reg->name);
        value_map_set_string(v, "title", reg->title);
        value_map_set_string(v, "file", reg->path);
        value_map_set_number(v, "line", reg->type_node->line);
        if (reg->key)
            value_map_set_string(v, "key", reg->key->name);
        value *fields = value_map();
        for (size_t i = 0; i < reg->type->fields.len; i++) {
            const register_canon *c = &reg->canon[i];
            value *fv = value_map();
            if (c->own) {
                value_map_set_string(fv, "own", c->own->name);
                value_map_set_number(fv, "line", c->own->node ? c->own->node->line : 0);
                if (c->own->values.len && !c->problem) {
                    value *options = value_list();
                    for (size_t k = 0; k < c->own->values.len; k++) {
                        const char *o = c->own->values.items[k];
                        value_list_push(options, translated(c, o, strlen(o)));
                    }
                    value_map_set(fv, "values", options);
                }
            }
            if (c->problem)
                value_map_set_string(fv, "problem", c->problem);
            value_map_set(fields, c->field->name, fv);
        }
        value_map_set(v, "fields", fields);
        value *rows = value_list();
        for (size_t k = 0; k < reg->rows.len; k++) {
            const register_row *row = reg->rows.items[k];
            value *rv = value_map();
            for (size_t i = 0; i < reg->type->fields.len; i++) {
                const register_canon *c = &reg->canon[i];
                if (!c->own || c->problem)
                    continue;
                const register_cell *cell = &row->cells[c->own->index];
                if (cell->valid)
                    value_map_set(rv, c->field->name, canon_value(c, cell));
            }
            if (row->key)
                value_map_set_string(rv, "_key", row->key);
            value_map_set_string(rv, "_file", reg->path);
            value_map_set_number(rv, "_line", row->node->line);
            value_list_push(rows, rv);
        }
        value_map_set(v, "rows", rows);
        value_map_set(all, reg->type->name, v);
    }
    return all;
}
