#include "registers/view.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "markdown/directive.h"

static void filter_free(void *p)
{
    register_filter *f = p;
    free(f->text);
    free(f);
}

static void free_merge(void *p)
{
    register_merge *m = p;
    vec_free(&m->fields);
    free(m);
}

void register_view_init(register_view *v)
{
    *v = (register_view){0};
    vec_init(&v->columns, NULL);
    vec_init(&v->merges, free_merge);
    vec_init(&v->where, filter_free);
}

void register_view_free(register_view *v)
{
    vec_free(&v->columns);
    vec_free(&v->merges);
    vec_free(&v->where);
}

typedef struct option_ctx {
    const register_def *reg;
    srcpos at;
    diag_sink *diags; /* NULL: quiet */
    bool ok;
} option_ctx;

static void option_error(option_ctx *c, const ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void option_error(option_ctx *c, const ynode *n, const char *fmt, ...)
{
    c->ok = false;
    if (!c->diags)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(c->diags, DIAG_ERROR, n && n->path ? ynode_pos(n) : c->at, "register-option", fmt,
               ap);
    va_end(ap);
}

static const register_field *option_field(option_ctx *c, const ynode *n, const char *name,
                                          const char *what)
{
    const register_field *f = register_field_get(c->reg, name);
    if (!f)
        option_error(c, n, "%s '%s': register '%s' has no such field", what, name, c->reg->name);
    return f;
}

/* Checks a where value against its field's type, so a typo is caught here
 * rather than silently matching nothing. */
static bool filter_value_ok(option_ctx *c, const register_field *f, const ynode *n)
{
    date d;
    double x;
    bool b;
    switch (f->type) {
    case FIELD_DATE:
        if (date_parse(n->text, &d))
            return true;
        option_error(c, n, "where: field '%s' is a date (YYYY-MM-DD), not '%s'", f->name, n->text);
        return false;
    case FIELD_INT:
    case FIELD_NUMBER:
    case FIELD_HOURS:
        if (ynode_as_double(n, &x))
            return true;
        option_error(c, n, "where: field '%s' is a number, not '%s'", f->name, n->text);
        return false;
    case FIELD_BOOL:
        if (ynode_as_bool(n, &b))
            return true;
        option_error(c, n, "where: field '%s' is true or false, not '%s'", f->name, n->text);
        return false;
    case FIELD_ENUM:
    case FIELD_CHECKS:
        for (size_t i = 0; i < f->values.len; i++)
            if (strcmp(f->values.items[i], n->text) == 0)
                return true;
        option_error(c, n, "where: '%s' is not a value of field '%s'", n->text, f->name);
        return false;
    default:
        return true;
    }
}

const vec *register_view_merged(const register_view *v, const register_field *f)
{
    for (size_t i = 0; i < v->merges.len; i++) {
        const register_merge *m = v->merges.items[i];
        if (m->into == f)
            return &m->fields;
    }
    return NULL;
}

bool register_view_parse(register_view *v, const register_def *reg, const ynode *options, srcpos at,
                         diag_sink *diags)
{
    option_ctx c = {.reg = reg, .at = at, .diags = diags, .ok = true};
    if (!options || ynode_is_null(options))
        return true;
    if (options->kind != YNODE_MAP) {
        option_error(&c, options,
                     "register options must be a mapping (columns, where, sort, layout)");
        return false;
    }
    for (size_t i = 0; i < options->len; i++) {
        const ynode *key = options->keys[i];
        const ynode *val = options->items[i];
        const char *k = key->text;
        if (strcmp(k, "columns") == 0) {
            if (val->kind != YNODE_SEQ || val->len == 0) {
                option_error(&c, val, "columns must be a list of field names");
                continue;
            }
            for (size_t j = 0; j < val->len; j++) {
                const ynode *item = val->items[j];
                if (item->kind != YNODE_SCALAR) {
                    option_error(&c, item, "columns must be a list of field names");
                    continue;
                }
                const register_field *f = option_field(&c, item, item->text, "unknown column");
                if (f)
                    vec_push(&v->columns, (void *)f);
            }
        } else if (strcmp(k, "merge") == 0) {
            if (val->kind != YNODE_MAP) {
                option_error(&c, val, "merge must be a mapping of column: [fields]");
                continue;
            }
            for (size_t j = 0; j < val->len; j++) {
                const ynode *mk = val->keys[j];
                const ynode *mv = val->items[j];
                const register_field *into = option_field(&c, mk, mk->text, "merge: unknown field");
                if (!into)
                    continue;
                if (mv->kind != YNODE_SEQ) {
                    option_error(&c, mv, "merge: '%s' takes a list of field names", into->name);
                    continue;
                }
                register_merge *m = xcalloc(1, sizeof *m);
                m->into = into;
                vec_init(&m->fields, NULL);
                for (size_t q = 0; q < mv->len; q++) {
                    const ynode *item = mv->items[q];
                    const register_field *f =
                        item->kind == YNODE_SCALAR
                            ? option_field(&c, item, item->text, "merge: unknown field")
                            : NULL;
                    if (f)
                        vec_push(&m->fields, (void *)f);
                    else if (item->kind != YNODE_SCALAR)
                        option_error(&c, item, "merge: '%s' takes a list of field names",
                                     into->name);
                }
                vec_push(&v->merges, m);
            }
        } else if (strcmp(k, "where") == 0) {
            if (val->kind != YNODE_MAP) {
                option_error(&c, val, "where must be a mapping of field: value");
                continue;
            }
            for (size_t j = 0; j < val->len; j++) {
                const ynode *fk = val->keys[j];
                const ynode *fv = val->items[j];
                const register_field *f = option_field(&c, fk, fk->text, "where: unknown field");
                if (!f)
                    continue;
                if (fv->kind != YNODE_SCALAR) {
                    option_error(&c, fv, "where: the value of '%s' must be a single value",
                                 f->name);
                    continue;
                }
                bool empty = ynode_is_null(fv);
                if (!empty && !filter_value_ok(&c, f, fv))
                    continue;
                register_filter *flt = xcalloc(1, sizeof *flt);
                flt->field = f;
                flt->text = empty ? NULL : xstrdup(fv->text);
                vec_push(&v->where, flt);
            }
        } else if (strcmp(k, "sort") == 0) {
            const char *s = ynode_str(val);
            if (!s || !*s) {
                option_error(&c, val, "sort must be a field name (with '-' in front to reverse)");
                continue;
            }
            bool desc = s[0] == '-';
            const register_field *f = option_field(&c, val, s + desc, "sort: unknown field");
            if (f) {
                v->sort = f;
                v->sort_desc = desc;
            }
        } else if (strcmp(k, "layout") == 0) {
            const char *s = ynode_str(val);
            if (s && strcmp(s, "table") == 0)
                v->layout = REGISTER_LAYOUT_TABLE;
            else if (s && strcmp(s, "list") == 0)
                v->layout = REGISTER_LAYOUT_LIST;
            else
                option_error(&c, val, "layout must be table or list, not '%s'",
                             s ? s : "a list or mapping");
        } else {
            option_error(&c, key, "unknown option '%s' (columns, merge, where, sort, layout)", k);
        }
    }
    return c.ok;
}

/* ---- rows ---- */

static bool filter_matches(const register_filter *flt, const register_row *row)
{
    const register_cell *c = register_row_cell_at(row, flt->field);
    if (!flt->text)
        return !c || !c->node;
    if (!register_cell_ok(c))
        return false;
    switch (flt->field->type) {
    case FIELD_DATE: {
        date want, have;
        return date_parse(flt->text, &want) && register_cell_date(c, &have) &&
               date_compare(want, have) == 0;
    }
    case FIELD_INT:
    case FIELD_NUMBER:
    case FIELD_HOURS: {
        double have;
        char *end;
        double want = strtod(flt->text, &end);
        return !*end && register_cell_number(c, &have) && have == want;
    }
    case FIELD_BOOL: {
        ynode tmp = {.kind = YNODE_SCALAR, .text = flt->text, .text_len = strlen(flt->text),
                     .plain = true};
        bool want, have;
        return ynode_as_bool(&tmp, &want) && register_cell_bool(c, &have) && want == have;
    }
    case FIELD_CHECKS:
    case FIELD_LIST: {
        const vec *items = register_cell_items(c);
        for (size_t i = 0; items && i < items->len; i++)
            if (strcmp(items->items[i], flt->text) == 0)
                return true;
        return false;
    }
    default:
        return strcmp(c->node->text, flt->text) == 0;
    }
}

bool register_row_matches(const register_view *v, const register_row *row)
{
    for (size_t i = 0; i < v->where.len; i++)
        if (!filter_matches(v->where.items[i], row))
            return false;
    return true;
}

/* Compares two cells of the sort field; empty cells sort last either way. */
static int cmp_cells(const register_field *f, const register_cell *a, const register_cell *b,
                     bool desc)
{
    bool ea = !register_cell_ok(a), eb = !register_cell_ok(b);
    if (ea || eb)
        return ea - eb;
    int r = 0;
    switch (f->type) {
    case FIELD_DATE: r = date_compare(a->as.date, b->as.date); break;
    case FIELD_INT:
    case FIELD_NUMBER:
    case FIELD_HOURS: {
        double x = 0, y = 0;
        register_cell_number(a, &x);
        register_cell_number(b, &y);
        r = (x > y) - (x < y);
        break;
    }
    case FIELD_BOOL: r = (int)a->as.boolean - (int)b->as.boolean; break;
    case FIELD_CHECKS:
    case FIELD_LIST: r = (a->items.len > b->items.len) - (a->items.len < b->items.len); break;
    default: r = strcmp(a->node->text, b->node->text); break;
    }
    return desc ? -r : r;
}

void register_view_rows(const register_view *v, const register_def *reg, vec *out)
{
    size_t start = out->len;
    for (size_t i = 0; i < reg->rows.len; i++)
        if (register_row_matches(v, reg->rows.items[i]))
            vec_push(out, reg->rows.items[i]);
    if (!v->sort)
        return;
    /* Insertion sort: stable (ties keep file order), and registers are small. */
    void **items = out->items + start;
    size_t n = out->len - start;
    for (size_t i = 1; i < n; i++) {
        void *row = items[i];
        size_t j = i;
        while (j > 0 && cmp_cells(v->sort, register_row_cell_at(items[j - 1], v->sort),
                                  register_row_cell_at(row, v->sort), v->sort_desc) > 0) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = row;
    }
}

void register_view_columns(const register_view *v, const register_def *reg, audience aud, vec *out)
{
    if (v->columns.len) {
        for (size_t i = 0; i < v->columns.len; i++)
            vec_push(out, v->columns.items[i]);
        return;
    }
    for (size_t i = 0; i < reg->fields.len; i++)
        if (register_field_visible(reg, reg->fields.items[i], aud))
            vec_push(out, reg->fields.items[i]);
}

/* ---- directives ---- */

static bool check_document(const site *s, const document *doc, diag_sink *diags)
{
    bool ok = true;
    for (size_t i = 0; i < doc->directives.len; i++) {
        const directive *d = doc->directives.items[i];
        if (d->kind == DIRECTIVE_REVISIONS) {
            if (!registers_get(s->registers, "revisions")) {
                diag_error(diags, d->pos, "register-option",
                           "the revisions directive needs registers/revisions.yaml");
                ok = false;
            }
            continue;
        }
        if (d->kind != DIRECTIVE_REGISTER || !d->arg)
            continue; /* a missing name is reported where directives are found */
        const register_def *reg = registers_get(s->registers, d->arg);
        if (!reg) {
            if (!map_has(&s->registers->failed, d->arg))
                diag_error(diags, d->pos, "register-option", "unknown register '%s'", d->arg);
            ok = false;
            continue;
        }
        const ynode *opts = d->options ? d->options->root : NULL;
        if (opts && opts->kind != YNODE_MAP)
            continue; /* reported where directives are found */
        register_view v;
        register_view_init(&v);
        ok = register_view_parse(&v, reg, opts, d->pos, diags) && ok;
        register_view_free(&v);
    }
    return ok;
}

bool register_directives_check(const site *s, diag_sink *diags)
{
    if (!s->registers)
        return true;
    bool ok = true;
    for (size_t i = 0; i < s->chapters.len; i++)
        ok = check_document(s, s->chapters.items[i], diags) && ok;
    for (size_t i = 0; i < s->annexes.len; i++)
        ok = check_document(s, s->annexes.items[i], diags) && ok;
    return ok;
}
