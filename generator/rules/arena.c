#include "rules/arena.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/xalloc.h"

#define CLASS_BYTES 16 /* the size classes' step, and every block's alignment */
#define CLASSES (ARENA_SMALL_MAX / CLASS_BYTES)
/* Chunks double from FIRST_CHUNK (most rules need little) to MAPPED_CHUNK.
 * Those of MAPPED_CHUNK bytes are mapped on their own and asked to be one
 * huge page each: a rule that reads site.documents fills 40 MB, which was
 * 10,000 page faults, a tenth of its time. Released, they wait in `spare` for
 * the next arena of the process (a worker runs rule after rule). */
#define FIRST_CHUNK ((size_t)64 * 1024)
#define MAPPED_CHUNK ((size_t)2 * 1024 * 1024)
#define MAX_SPARE 32

/* A small block on its class's free list. */
typedef struct free_block {
    struct free_block *next;
} free_block;

/* Before every chunk, and before every large block (which can be freed on
 * its own, so it is on a doubly linked list). */
typedef struct header {
    struct header *prev, *next;
    size_t size; /* a chunk's, header included */
    size_t pad;  /* keeps what follows 16-byte aligned */
} header;

_Static_assert(sizeof(header) % CLASS_BYTES == 0, "blocks after a header stay aligned");

struct arena {
    char *bump, *end;  /* the unused rest of the newest chunk */
    size_t next_chunk; /* the size of the next one */
    header chunks;     /* the chunks, and the large blocks: circular lists */
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

/* The mapped chunks released by arenas of this process, for the next. */
static header spare = {&spare, &spare, 0, 0};
static int spare_count;

arena *arena_new(void)
{
    arena *a = xcalloc(1, sizeof *a);
    a->chunks.prev = a->chunks.next = &a->chunks;
    a->large.prev = a->large.next = &a->large;
    a->next_chunk = FIRST_CHUNK;
    return a;
}

static header *new_chunk(size_t size)
{
    header *h;
    if (size < MAPPED_CHUNK) {
        h = malloc(size);
    } else if (spare_count > 0) {
        h = spare.next;
        unlink_header(h);
        spare_count--;
    } else {
        h = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (h == MAP_FAILED)
            return NULL;
        madvise(h, size, MADV_HUGEPAGE); /* a hint: without it, small pages */
    }
    if (h)
        h->size = size;
    return h;
}

static void drop_chunk(header *h)
{
    if (h->size < MAPPED_CHUNK) {
        free(h);
    } else if (spare_count < MAX_SPARE) {
        link_after(&spare, h);
        spare_count++;
    } else {
        munmap(h, h->size);
    }
}

void arena_free(arena *a)
{
    if (!a)
        return;
    for (header *h = a->chunks.next, *next; h != &a->chunks; h = next) {
        next = h->next;
        drop_chunk(h);
    }
    for (header *h = a->large.next, *next; h != &a->large; h = next) {
        next = h->next;
        free(h);
    }
    free(a);
}

void arena_release_spares(void)
{
    while (spare_count > 0) {
        header *h = spare.next;
        unlink_header(h);
        spare_count--;
        munmap(h, h->size);
    }
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
        header *chunk = new_chunk(a->next_chunk);
        if (!chunk)
            return NULL;
        if (a->next_chunk < MAPPED_CHUNK)
            a->next_chunk *= 2;
        link_after(&a->chunks, chunk);
        a->bump = (char *)(chunk + 1);
        a->end = (char *)chunk + chunk->size;
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
