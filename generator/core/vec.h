/* A growable array of pointers. The vector owns its items when it is given a
 * free function: vec_free (and vec_clear) call it on every item. */
#ifndef POLICYGEN_VEC_H
#define POLICYGEN_VEC_H

#include <stddef.h>

typedef void (*free_fn)(void *);

typedef struct vec {
    void **items;
    size_t len;
    size_t cap;
    free_fn free_item; /* may be NULL: the vector then owns nothing */
} vec;

void vec_init(vec *v, free_fn free_item);
void vec_push(vec *v, void *item);
void *vec_get(const vec *v, size_t i);
void *vec_last(const vec *v);
void vec_clear(vec *v);
void vec_free(vec *v);
void vec_sort(vec *v, int (*cmp)(const void *a, const void *b));
/* vec_sort of a vector of C strings, in strcmp's (byte) order. */
void vec_sort_strings(vec *v);

#endif
