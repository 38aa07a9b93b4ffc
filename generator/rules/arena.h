/* The memory of one Lua state. A rule's state is mostly many small tables
 * and strings (the plan's blocks are 86,000 tables in a large plan), which
 * malloc allocates and, when the state closes, frees one by one. Here blocks
 * up to ARENA_SMALL_MAX bytes are carved from large chunks and recycled by
 * size class; larger ones come from malloc. Everything goes at once with
 * arena_free, so a state need not be closed object by object. */
#ifndef POLICYGEN_RULES_ARENA_H
#define POLICYGEN_RULES_ARENA_H

#include <stddef.h>

#define ARENA_SMALL_MAX 512

typedef struct arena arena;

arena *arena_new(void);
/* Frees every block the arena gave out; its largest chunks are kept for the
 * next arena of this process (not thread-safe: rules run one at a time in a
 * process). */
void arena_free(arena *a);
/* Returns the chunks kept for the next arena to the system. */
void arena_release_spares(void);

/* Lua's allocator contract (lua_Alloc), without accounting: a NULL ptr asks
 * for a new block (osize is then not a size); nsize 0 frees ptr (which may
 * be NULL); otherwise ptr, osize bytes, becomes nsize bytes. Returns NULL
 * when memory runs out; shrinking never fails (it keeps the block). */
void *arena_realloc(arena *a, void *ptr, size_t osize, size_t nsize);

#endif
