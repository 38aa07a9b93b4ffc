/* A string-keyed hash map that remembers insertion order. It copies its keys
 * and owns its values when given a free function. */
#ifndef POLICYGEN_MAP_H
#define POLICYGEN_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/vec.h"

typedef struct map_entry {
    char *key;
    void *value;
} map_entry;

typedef struct map {
    map_entry *entries; /* in insertion order */
    size_t len;
    size_t cap;
    size_t *slots;      /* open addressing: index + 1 into entries, 0 = empty */
    size_t nslots;
    free_fn free_value;
} map;

void map_init(map *m, free_fn free_value);
void map_free(map *m);
/* Sets key to value, freeing a previous value. */
void map_set(map *m, const char *key, void *value);
void *map_get(const map *m, const char *key);
bool map_has(const map *m, const char *key);

#endif
