/* tpl_set: compiled templates cached by name, and the public entry points
 * that combine lookup, compilation and rendering. */
#include <stdlib.h>

#include "core/map.h"
#include "core/xalloc.h"
#include "template/compiled.h"

struct tpl_set {
    tpl_resolve_fn resolve;
    void *ctx;
    map cache; /* name -> tpl* (owned), or NULL for a name the resolver does not know */
    size_t max_output;
    long max_steps;
};

static void free_cached(void *t)
{
    tpl_free(t);
}

tpl_set *tpl_set_new(tpl_resolve_fn resolve, void *ctx)
{
    tpl_set *set = xcalloc(1, sizeof *set);
    set->resolve = resolve;
    set->ctx = ctx;
    map_init(&set->cache, free_cached);
    tpl_set_limits(set, TPL_MAX_OUTPUT, TPL_MAX_STEPS);
    return set;
}

void tpl_set_limits(tpl_set *set, size_t max_output, long max_steps)
{
    set->max_output = max_output;
    set->max_steps = max_steps;
}

size_t tpl_set_max_output(const tpl_set *set)
{
    return set->max_output;
}

long tpl_set_max_steps(const tpl_set *set)
{
    return set->max_steps;
}

void tpl_set_free(tpl_set *set)
{
    if (!set)
        return;
    map_free(&set->cache);
    free(set);
}

const tpl *tpl_set_find(tpl_set *set, const char *name, bool *missing, tpl_error *err)
{
    *missing = false;
    tpl *t = map_get(&set->cache, name);
    if (t)
        return t;
    if (map_has(&set->cache, name)) {
        *missing = true;
        return NULL;
    }
    const char *source = set->resolve ? set->resolve(set->ctx, name) : NULL;
    if (!source) {
        map_set(&set->cache, name, NULL); /* remember the miss: resolvers may do I/O */
        *missing = true;
        return NULL;
    }
    /* A template that does not compile is not cached: each use reports it. */
    t = tpl_compile(name, source, err);
    if (t)
        map_set(&set->cache, name, t);
    return t;
}

const tpl *tpl_set_get(tpl_set *set, const char *name, tpl_error *err)
{
    bool missing;
    const tpl *t = tpl_set_find(set, name, &missing, err);
    if (missing)
        tpl_set_error(err, name, 0, 0, "no template named '%s'", name);
    return t;
}

void tpl_free(tpl *t)
{
    if (!t)
        return;
    node_list_free(&t->root);
    sb_free(&t->arena);
    free(t->name);
    free(t);
}

const char *tpl_name(const tpl *t)
{
    return t->name;
}

bool tpl_render_named(tpl_set *set, const char *name, const value *data, strbuf *out,
                      tpl_error *err)
{
    const tpl *t = tpl_set_get(set, name, err);
    return t && tpl_render(set, t, data, out, err);
}

bool tpl_render_string(tpl_set *set, const char *name, const char *source, const value *data,
                       strbuf *out, tpl_error *err)
{
    tpl *t = tpl_compile(name, source, err);
    if (!t)
        return false;
    bool ok = tpl_render(set, t, data, out, err);
    tpl_free(t);
    return ok;
}
