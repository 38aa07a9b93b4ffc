#include "cache/docs.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/xalloc.h"

struct cache_docs {
    cache *c;
    char program[CACHE_KEY_SIZE];
    site_doc_store store;
};

static void doc_key(const cache_docs *docs, const void *what, size_t what_len,
                    char key[CACHE_KEY_SIZE])
{
    cache_hasher *h = cache_hasher_new();
    cache_hash_str(h, "program", docs->program);
    cache_hash_str(h, "document", NULL);
    cache_hash_bytes(h, what, what_len);
    cache_hasher_finish(h, key);
}

/* On the load's threads: cache_get and cache_put may be called so. */
static char *doc_get(void *ctx, const void *what, size_t what_len, size_t *len)
{
    cache_docs *docs = ctx;
    char key[CACHE_KEY_SIZE];
    doc_key(docs, what, what_len, key);
    return cache_get(docs->c, key, len);
}

static void doc_put(void *ctx, const void *what, size_t what_len, const void *data, size_t len)
{
    cache_docs *docs = ctx;
    char key[CACHE_KEY_SIZE];
    doc_key(docs, what, what_len, key);
    cache_put(docs->c, key, data, len);
}

cache_docs *cache_docs_new(const cache *c, const char *program_key, diag_sink *diags)
{
    char *dir = cache_inner_dir(c, CACHE_DOCUMENTS);
    cache *own = cache_open(dir, diags);
    free(dir);
    if (!own)
        return NULL;
    cache_docs *docs = xcalloc(1, sizeof *docs);
    docs->c = own;
    snprintf(docs->program, sizeof docs->program, "%s", program_key);
    docs->store = (site_doc_store){doc_get, doc_put, docs};
    return docs;
}

const site_doc_store *cache_docs_store(const cache_docs *docs)
{
    return docs ? &docs->store : NULL;
}

void cache_docs_free(cache_docs *docs, bool loaded)
{
    if (!docs)
        return;
    cache_close(docs->c, loaded);
    free(docs);
}
