#include "markdown/tree.h"

#include <cmark-gfm.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "markdown/directive.h"
#include "markdown/markdown.h"

/* ---- memory for trees ----
 *
 * A tree is some 400 small allocations per kilobyte of Markdown, made and
 * freed one by one through malloc. Here a tree takes them from chunks of its
 * own, and closing it hands the chunks back whole for the next tree, so the
 * pages are touched once per process rather than per tree, and nothing is
 * freed node by node. cmark-gfm's allocator interface has no context, so the
 * tree being made or read on a thread is a thread-local: a thread has one
 * such tree open at a time (one opened meanwhile takes its memory from
 * malloc), and it is read only on that thread (reading a node's text the
 * first time allocates). */

#define CHUNK_BYTES ((size_t)256 << 10)
#define SPARES_MAX 32 /* chunks kept for later trees: 8 MiB */

typedef struct chunk {
    struct chunk *next;
    size_t size, used; /* of data */
    max_align_t data[];
} chunk;

/* Before every block: its size, for realloc. */
typedef struct block {
    size_t size;
    size_t pad;
} block;
_Static_assert(sizeof(block) % 16 == 0, "blocks stay 16-byte aligned");

typedef struct tree_memory {
    chunk *chunks; /* the newest first */
    block *last;   /* the newest block, which can grow or go in place */
} tree_memory;

static _Thread_local tree_memory *current;

static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static chunk *spares;
static int spare_count;

static chunk *chunk_new(size_t need)
{
    chunk *c = NULL;
    if (need <= CHUNK_BYTES) {
        pthread_mutex_lock(&spare_lock);
        if (spares) {
            c = spares;
            spares = c->next;
            spare_count--;
        }
        pthread_mutex_unlock(&spare_lock);
    }
    if (!c) {
        size_t size = need > CHUNK_BYTES ? need : CHUNK_BYTES;
        c = xmalloc(sizeof *c + size);
        c->size = size;
    }
    c->used = 0;
    return c;
}

static void chunks_release(chunk *c)
{
    while (c) {
        chunk *next = c->next;
        pthread_mutex_lock(&spare_lock);
        bool keep = c->size == CHUNK_BYTES && spare_count < SPARES_MAX;
        if (keep) {
            c->next = spares;
            spares = c;
            spare_count++;
        }
        pthread_mutex_unlock(&spare_lock);
        if (!keep)
            free(c);
        c = next;
    }
}

static tree_memory *memory_of_thread(void)
{
    if (!current) {
        fprintf(stderr, "policygen: a Markdown tree was used outside its thread\n");
        abort();
    }
    return current;
}

static size_t round16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

static void *tm_alloc(size_t size)
{
    tree_memory *m = memory_of_thread();
    size_t need = sizeof(block) + round16(size);
    chunk *c = m->chunks;
    if (!c || c->size - c->used < need) {
        c = chunk_new(need);
        c->next = m->chunks;
        m->chunks = c;
    }
    block *b = (block *)((char *)c->data + c->used);
    c->used += need;
    b->size = size;
    m->last = b;
    return b + 1;
}

static void *tm_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        abort();
    void *p = tm_alloc(n * size);
    memset(p, 0, n * size);
    return p;
}

static void *tm_realloc(void *p, size_t size)
{
    if (!p)
        return tm_alloc(size);
    tree_memory *m = memory_of_thread();
    block *b = (block *)p - 1;
    if (size <= b->size)
        return p;
    chunk *c = m->chunks;
    if (b == m->last && (char *)(b + 1) + round16(size) <= (char *)c->data + c->size) {
        c->used = (size_t)((char *)(b + 1) - (char *)c->data) + round16(size);
        b->size = size;
        return p;
    }
    void *q = tm_alloc(size);
    memcpy(q, p, b->size);
    return q;
}

static void tm_free(void *p)
{
    /* Everything goes when the tree closes; the newest block goes now, so
     * the parser's scratch buffers are used again. */
    tree_memory *m = current;
    if (!p || !m || (block *)p - 1 != m->last)
        return;
    m->chunks->used = (size_t)((char *)m->last - (char *)m->chunks->data);
    m->last = NULL;
}

static cmark_mem tree_mem = {tm_calloc, tm_realloc, tm_free};

/* ---- trees ---- */

struct md_tree_private {
    tree_memory memory;
    bool own_memory; /* false: malloc's, another tree had the thread's */
};

/* The links in the order the load's scan met them (cmark_iter's), each
 * given what xref found for it. */
static void attach_links(const document *d, cmark_node *root, cmark_mem *mem)
{
    size_t k = 0;
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && k < d->links.len) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_LINK)
            continue;
        const doc_link *l = d->links.items[k++];
        if (!l->xref)
            continue;
        cmark_node_set_user_data(n, (void *)l->xref);
        if (l->fill && !cmark_node_first_child(n)) {
            cmark_node *text = cmark_node_new_with_mem(CMARK_NODE_TEXT, mem);
            cmark_node_set_literal(text, l->fill);
            cmark_node_append_child(n, text);
        }
    }
    cmark_iter_free(it);
}

md_tree *md_tree_parse(const document *d)
{
    md_tree *t = xcalloc(1, sizeof *t);
    t->priv = xcalloc(1, sizeof *t->priv);
    t->priv->own_memory = current == NULL;
    if (t->priv->own_memory)
        current = &t->priv->memory;
    t->mem = t->priv->own_memory ? &tree_mem : cmark_get_default_mem_allocator();
    t->root = md_parse_with(d->source_body, d->body_len, t->mem);
    t->headings = xcalloc(d->sections.len + 1, sizeof *t->headings);
    return t;
}

md_tree *md_tree_open(const document *d)
{
    md_tree *t = md_tree_parse(d);
    md_attach_directives(d, t->root);
    md_attach_headings(d, t->root, t->headings);
    attach_links(d, t->root, t->mem);
    return t;
}

void md_tree_close(md_tree *t)
{
    if (!t)
        return;
    if (t->priv->own_memory) {
        chunks_release(t->priv->memory.chunks);
        current = NULL;
    } else {
        cmark_node_free(t->root);
    }
    free(t->headings);
    free(t->priv);
    free(t);
}

cmark_node *md_tree_heading(const md_tree *t, const section *s)
{
    return s->index > 0 ? t->headings[s->index] : NULL;
}

/* n itself, when it still belongs to sec; else NULL. */
static cmark_node *section_block(const md_tree *t, const section *sec, cmark_node *n)
{
    if (!n)
        return NULL;
    cmark_node_type type = cmark_node_get_type(n);
    if (type == CMARK_NODE_FOOTNOTE_DEFINITION)
        return NULL;
    if (type == CMARK_NODE_HEADING) {
        const section *next = cmark_node_get_user_data(n);
        if (!md_tree_heading(t, sec) || !next || next->level <= sec->level)
            return NULL;
    }
    return n;
}

cmark_node *md_section_first(const md_tree *t, const section *sec)
{
    cmark_node *heading = md_tree_heading(t, sec);
    return section_block(t, sec, heading ? cmark_node_next(heading) : cmark_node_first_child(t->root));
}

cmark_node *md_section_next(const md_tree *t, const section *sec, cmark_node *n)
{
    return section_block(t, sec, cmark_node_next(n));
}
