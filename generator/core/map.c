#include "core/map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void map_init(map *m, free_fn free_value)
{
    memset(m, 0, sizeof *m);
    m->free_value = free_value;
}

void map_free(map *m)
{
    for (size_t i = 0; i < m->len; i++) {
        free(m->entries[i].key);
        if (m->free_value)
            m->free_value(m->entries[i].value);
    }
    free(m->entries);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* Small maps (most of a page's data: a section is five keys) have no hash
 * slots: their few keys are compared in turn, and the slots come with the
 * ninth key. */
#define SMALL_MAP 8

static map_entry *find_small(const map *m, const char *key)
{
    for (size_t i = 0; i < m->len; i++)
        if (strcmp(m->entries[i].key, key) == 0)
            return &m->entries[i];
    return NULL;
}

static size_t *find_slot(const map *m, const char *key)
{
    if (!m->nslots)
        return NULL;
    size_t mask = m->nslots - 1;
    for (size_t i = hash_key(key) & mask;; i = (i + 1) & mask) {
        size_t *slot = &m->slots[i];
        if (*slot == 0 || strcmp(m->entries[*slot - 1].key, key) == 0)
            return slot;
    }
}

/* Slots for len + 1 keys at most half full. */
static void rehash(map *m)
{
    free(m->slots);
    size_t n = m->nslots ? m->nslots * 2 : 16;
    while ((m->len + 1) * 2 > n)
        n *= 2;
    m->nslots = n;
    m->slots = xcalloc_written(m->nslots, sizeof *m->slots);
    for (size_t i = 0; i < m->len; i++)
        *find_slot(m, m->entries[i].key) = i + 1;
}

static map_entry *find_entry(const map *m, const char *key)
{
    if (!m->nslots)
        return find_small(m, key);
    size_t *slot = find_slot(m, key);
    return *slot ? &m->entries[*slot - 1] : NULL;
}

void map_set(map *m, const char *key, void *value)
{
    map_entry *e = find_entry(m, key);
    if (e) {
        if (m->free_value && e->value != value)
            m->free_value(e->value);
        e->value = value;
        return;
    }
    bool hashed = m->nslots || m->len + 1 > SMALL_MAP;
    if (hashed && (m->len + 1) * 2 > m->nslots)
        rehash(m);
    if (m->len == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->entries = xrealloc(m->entries, m->cap * sizeof *m->entries);
    }
    m->entries[m->len].key = xstrdup(key);
    m->entries[m->len].value = value;
    m->len++;
    if (hashed)
        *find_slot(m, key) = m->len;
}

void *map_get(const map *m, const char *key)
{
    map_entry *e = find_entry(m, key);
    return e ? e->value : NULL;
}

bool map_has(const map *m, const char *key)
{
    return find_entry(m, key) != NULL;
}
