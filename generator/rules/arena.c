#include "rules/arena.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

#define CLASS_BYTES 16 /* the size classes' step, and every block's alignment */
#define CLASSES (ARENA_SMALL_MAX / CLASS_BYTES)
#define CHUNK_BYTES ((size_t)256 * 1024)

/* A small block on its class's free list. */
typedef struct free_block {
    struct free_block *next;
} free_block;

/* Before every chunk, and before every large block (which can be freed on
 * its own, so it is on a doubly linked list). */
typedef struct header {
    struct header *prev, *next;
} header;

_Static_assert(sizeof(header) % CLASS_BYTES == 0, "blocks after a header stay aligned");

struct arena {
    char *bump, *end; /* the unused rest of the newest chunk */
    header chunks;    /* the chunks, and the large blocks: circular lists */
    header large;
    free_block *free[CLASSES + 1]; /* by class: 1 holds blocks of 16 bytes */
};

static void link_after(header *list, header *h)
{
    h->prev = list;
    h->next = list->next;
    list->next->prev = h;
    list->next = h;
}

static void unlink_header(header *h)
{
    h->prev->next = h->next;
    h->next->prev = h->prev;
}

arena *arena_new(void)
{
    arena *a = xcalloc(1, sizeof *a);
    a->chunks.prev = a->chunks.next = &a->chunks;
    a->large.prev = a->large.next = &a->large;
    return a;
}

static void free_list(header *list)
{
    for (header *h = list->next, *next; h != list; h = next) {
        next = h->next;
        free(h);
    }
}

void arena_free(arena *a)
{
    if (!a)
        return;
    free_list(&a->chunks);
    free_list(&a->large);
    free(a);
}

static size_t class_of(size_t size)
{
    return (size + CLASS_BYTES - 1) / CLASS_BYTES;
}

static void *small_alloc(arena *a, size_t size)
{
    size_t c = class_of(size);
    if (a->free[c]) {
        free_block *b = a->free[c];
        a->free[c] = b->next;
        return b;
    }
    size_t bytes = c * CLASS_BYTES;
    if ((size_t)(a->end - a->bump) < bytes) {
        /* The old chunk's rest is left unused: at most ARENA_SMALL_MAX bytes. */
        header *chunk = malloc(sizeof(header) + CHUNK_BYTES);
        if (!chunk)
            return NULL;
        link_after(&a->chunks, chunk);
        a->bump = (char *)(chunk + 1);
        a->end = a->bump + CHUNK_BYTES;
    }
    void *p = a->bump;
    a->bump += bytes;
    return p;
}

static void small_free(arena *a, void *p, size_t size)
{
    free_block *b = p;
    size_t c = class_of(size);
    b->next = a->free[c];
    a->free[c] = b;
}

static void *large_alloc(arena *a, size_t size)
{
    header *h = malloc(sizeof(header) + size);
    if (!h)
        return NULL;
    link_after(&a->large, h);
    return h + 1;
}

static void large_free(void *p)
{
    header *h = (header *)p - 1;
    unlink_header(h);
    free(h);
}

static void *block_alloc(arena *a, size_t size)
{
    return size <= ARENA_SMALL_MAX ? small_alloc(a, size) : large_alloc(a, size);
}

/* A block's size as Lua knows it tells where it came from: a block Lua
 * believes is large is always a large block. (One shrunk from large to small
 * stays where it is and is then recycled as small, which it can hold.) */
static void block_free(arena *a, void *p, size_t size)
{
    if (size <= ARENA_SMALL_MAX)
        small_free(a, p, size);
    else
        large_free(p);
}

void *arena_realloc(arena *a, void *ptr, size_t osize, size_t nsize)
{
    if (!ptr)
        return nsize ? block_alloc(a, nsize) : NULL;
    if (nsize == 0) {
        block_free(a, ptr, osize);
        return NULL;
    }
    if (nsize <= osize || (osize <= ARENA_SMALL_MAX && class_of(nsize) == class_of(osize)))
        return ptr;
    if (osize > ARENA_SMALL_MAX) {
        header *h = (header *)ptr - 1;
        unlink_header(h);
        header *grown = realloc(h, sizeof(header) + nsize);
        if (!grown) {
            link_after(&a->large, h);
            return NULL;
        }
        link_after(&a->large, grown);
        return grown + 1;
    }
    void *p = block_alloc(a, nsize);
    if (!p)
        return NULL;
    memcpy(p, ptr, osize);
    small_free(a, ptr, osize);
    return p;
}
