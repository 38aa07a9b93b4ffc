#include "registers/regtype.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/map.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "yaml/yaml.h"

/* registers/types.yaml, assembled into the program (the Makefile knows the
 * object depends on it). */
__asm__(".section .rodata\n"
        ".global regtype_catalogue_text\n"
        "regtype_catalogue_text:\n"
        ".incbin \"generator/registers/types.yaml\"\n"
        ".byte 0\n"
        ".global regtype_catalogue_end\n"
        "regtype_catalogue_end:\n"
        ".previous\n");
extern const char regtype_catalogue_text[];
extern const char regtype_catalogue_end[];

static const char *const KIND_NAMES[] = {"text", "number", "date", "bool", "list", "ref"};

static struct {
    ydoc *doc;
    vec types; /* of regtype*, owned for the life of the process */
    map by_name;
} catalogue;
static pthread_once_t catalogue_once = PTHREAD_ONCE_INIT;

/* The catalogue ships with the program and is tested: a fault in it is the
 * program's, so it aborts with the place rather than limping on. */
static _Noreturn void broken(const ynode *n, const char *what)
{
    srcpos at = n ? ynode_pos(n) : srcpos_file("generator/registers/types.yaml");
    /* A defect of the program, not of content: told on stderr, then abort. */
    diag_sink d = diag_to_stderr();
    diag_error(&d, at, "catalogue", "the register-type catalogue is broken: %s", what);
    abort();
}

static const char *text_of(const ynode *map, const char *key, bool required)
{
    const ynode *n = ynode_get(map, key);
    if (!n) {
        if (required)
            broken(map, key);
        return NULL;
    }
    if (n->kind != YNODE_SCALAR)
        broken(n, key);
    return n->text;
}

static void load_catalogue(void)
{
    size_t len = (size_t)(regtype_catalogue_end - regtype_catalogue_text) - 1;
    yaml_limits limits = yaml_default_limits();
    diag_sink d = diag_to_stderr(); /* the program's own file: see broken() */
    catalogue.doc = yaml_load_buffer("generator/registers/types.yaml", regtype_catalogue_text, len,
                                     1, &limits, &d);
    vec_init(&catalogue.types, NULL);
    map_init(&catalogue.by_name, NULL);
    const ynode *root = catalogue.doc ? catalogue.doc->root : NULL;
    if (!root || root->kind != YNODE_MAP)
        broken(root, "not a mapping of types");
    for (size_t i = 0; i < root->len; i++) {
        const ynode *def = root->items[i];
        regtype *t = xcalloc(1, sizeof *t);
        t->name = root->keys[i]->text;
        t->title = text_of(def, "title", true);
        t->about = text_of(def, "about", true);
        t->audience = text_of(def, "audience", false);
        t->key = text_of(def, "key", false);
        vec_init(&t->fields, NULL);
        const ynode *fields = ynode_get(def, "fields");
        if (!fields || fields->kind != YNODE_MAP)
            broken(def, "a type without fields");
        for (size_t k = 0; k < fields->len; k++) {
            const ynode *fd = fields->items[k];
            regtype_field *f = xcalloc(1, sizeof *f);
            f->name = fields->keys[k]->text;
            const char *kind = text_of(fd, "kind", true);
            size_t kn = 0;
            while (kn < sizeof KIND_NAMES / sizeof *KIND_NAMES && strcmp(KIND_NAMES[kn], kind))
                kn++;
            if (kn == sizeof KIND_NAMES / sizeof *KIND_NAMES)
                broken(fd, "unknown kind");
            f->kind = (regtype_kind)kn;
            f->to = text_of(fd, "to", f->kind == REGKIND_REF);
            f->label = text_of(fd, "label", true);
            f->type = text_of(fd, "type", false);
            f->register_name = text_of(fd, "register", false);
            f->audience = text_of(fd, "audience", false);
            f->about = text_of(fd, "about", true);
            vec_init(&f->values, NULL);
            const ynode *values = ynode_get(fd, "values");
            for (size_t v = 0; values && v < values->len; v++)
                vec_push(&f->values, values->items[v]->text);
            vec_push(&t->fields, f);
        }
        if (t->key && !regtype_field_get(t, t->key))
            broken(def, "a key that is not one of its fields");
        vec_push(&catalogue.types, t);
        map_set(&catalogue.by_name, t->name, t);
    }
    /* Every ref names a type of the catalogue. */
    for (size_t i = 0; i < catalogue.types.len; i++) {
        const regtype *t = catalogue.types.items[i];
        for (size_t k = 0; k < t->fields.len; k++) {
            const regtype_field *f = t->fields.items[k];
            if (f->to && !map_get(&catalogue.by_name, f->to))
                broken(root, f->to);
        }
    }
}

const vec *regtype_all(void)
{
    pthread_once(&catalogue_once, load_catalogue);
    return &catalogue.types;
}

const regtype *regtype_get(const char *name)
{
    pthread_once(&catalogue_once, load_catalogue);
    return map_get(&catalogue.by_name, name);
}

const regtype_field *regtype_field_get(const regtype *t, const char *name)
{
    for (size_t i = 0; t && i < t->fields.len; i++) {
        const regtype_field *f = t->fields.items[i];
        if (strcmp(f->name, name) == 0)
            return f;
    }
    return NULL;
}

const char *regtype_kind_name(regtype_kind k)
{
    return KIND_NAMES[k];
}

char *regtype_field_describe(const regtype_field *f)
{
    switch (f->kind) {
    case REGKIND_TEXT: return xasprintf("text: %s", f->about);
    case REGKIND_NUMBER: return xasprintf("a number: %s", f->about);
    case REGKIND_DATE: return xasprintf("a date: %s", f->about);
    case REGKIND_BOOL: return xasprintf("true or false: %s", f->about);
    case REGKIND_LIST: return xasprintf("a list: %s", f->about);
    case REGKIND_REF: {
        const regtype *to = regtype_get(f->to);
        return xasprintf("a ref to the %s register (%s): %s", f->to, to ? to->title : "", f->about);
    }
    }
    return xstrdup(f->about);
}

bool regtype_kind_accepts(regtype_kind k, field_type t)
{
    switch (k) {
    case REGKIND_TEXT:
        return t == FIELD_TEXT || t == FIELD_MARKDOWN || t == FIELD_ENUM || t == FIELD_REF ||
               t == FIELD_INT || t == FIELD_FILE;
    case REGKIND_NUMBER: return t == FIELD_INT || t == FIELD_NUMBER || t == FIELD_HOURS;
    case REGKIND_DATE: return t == FIELD_DATE;
    case REGKIND_BOOL: return t == FIELD_BOOL;
    case REGKIND_LIST:
        return t == FIELD_CHECKS || t == FIELD_LIST || t == FIELD_TEXT || t == FIELD_ENUM ||
               t == FIELD_REF;
    case REGKIND_REF: return t == FIELD_REF;
    }
    return false;
}

char *regtype_names(void)
{
    const vec *all = regtype_all();
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < all->len; i++) {
        const regtype *t = all->items[i];
        sb_printf(&sb, "%s%s", i ? ", " : "", t->name);
    }
    return sb_take(&sb);
}
