#include "core/vec.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

void vec_init(vec *v, free_fn free_item)
{
    v->items = NULL;
    v->len = v->cap = 0;
    v->free_item = free_item;
}

void vec_push(vec *v, void *item)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->items = xrealloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->len++] = item;
}

void *vec_get(const vec *v, size_t i)
{
    return i < v->len ? v->items[i] : NULL;
}

void *vec_last(const vec *v)
{
    return v->len ? v->items[v->len - 1] : NULL;
}

void vec_clear(vec *v)
{
    if (v->free_item)
        for (size_t i = 0; i < v->len; i++)
            v->free_item(v->items[i]);
    v->len = 0;
}

void vec_free(vec *v)
{
    vec_clear(v);
    free(v->items);
    v->items = NULL;
    v->cap = 0;
}

/* cmp receives pointers to the items (void * const *), as qsort gives them. */
void vec_sort(vec *v, int (*cmp)(const void *a, const void *b))
{
    if (v->len > 1)
        qsort(v->items, v->len, sizeof *v->items, cmp);
}

static int cmp_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void vec_sort_strings(vec *v)
{
    vec_sort(v, cmp_strings);
}
