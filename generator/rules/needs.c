#include "rules/needs.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "registers/regtype.h"
#include "rules/rules.h"

static const char *text(const value *m, const char *key)
{
    return value_as_string(value_map_get(m, key));
}

static int number(const value *m, const char *key)
{
    const value *v = value_map_get(m, key);
    return v && v->kind == VALUE_NUMBER ? (int)v->as.number : 0;
}

static void set_unmet(rule_need *n, char *message, const char *file, int line)
{
    n->met = false;
    n->blocking = true;
    n->message = message;
    n->file = file ? xstrdup(file) : NULL;
    n->line = line;
}

static void check_register(rule_need *n, const value *reg, const char *registers_dir)
{
    const regtype *t = regtype_get(n->type);
    if (reg) {
        n->met = true;
        n->by = xstrdup(text(reg, "file"));
        return;
    }
    char *message = xasprintf("needs a register of type %s (%s), and no register declares `type: "
                              "%s`: add it to the register that keeps them, or add one (policygen "
                              "new writes its schema)",
                              n->type, t ? t->title : n->type, n->type);
    if (n->optional) {
        n->met = false;
        n->message = message; /* said in `policygen rules`; the rule still runs */
    } else {
        set_unmet(n, message, registers_dir, 0);
    }
}

static void check_field(rule_need *n, const value *reg)
{
    if (!reg)
        return; /* the register's own need says it */
    const regtype_field *f = regtype_field_get(regtype_get(n->type), n->field);
    const value *fields = value_map_get(reg, "fields");
    const value *fv = value_map_get(fields, n->field);
    const char *file = text(reg, "file");
    const char *own = text(fv, "own");
    const char *problem = text(fv, "problem");
    if (problem) {
        set_unmet(n, xasprintf("needs %s.%s, but %s", n->type, n->field, problem), file,
                  number(fv, "line"));
        n->wrong = true;
    } else if (own) {
        n->met = true;
        n->by = xasprintf("%s: %s", file, own);
    } else {
        char *message = xasprintf("needs %s.%s (%s: %s), and %s has no field that holds it: add a "
                                  "field '%s', or map one of yours (map: { %s: YOUR_FIELD })",
                                  n->type, n->field, f ? regtype_kind_name(f->kind) : "?",
                                  f ? f->label : "", file, n->field, n->field);
        if (n->optional) {
            n->met = false;
            n->message = message;
        } else {
            set_unmet(n, message, file, number(reg, "line"));
        }
    }
}

void rule_needs_check(vec *needs, const value *registers, const char *registers_dir)
{
    for (size_t i = 0; i < needs->len; i++) {
        rule_need *n = needs->items[i];
        const value *reg = registers ? value_map_get(registers, n->type) : NULL;
        if (n->field)
            check_field(n, reg);
        else
            check_register(n, reg, registers_dir);
    }
}

bool rule_needs_unmet(const vec *needs)
{
    for (size_t i = 0; i < needs->len; i++)
        if (((const rule_need *)needs->items[i])->blocking)
            return true;
    return false;
}
