/* The build cache's documents: the load takes a document's tree-derived
 * parts (content/docstore.h) from the cache instead of parsing its Markdown
 * again when nothing it is made from changed, and keeps those of a
 * document it parsed (content/site.h: site_doc_store).
 *
 * An entry's key is the program's key the build gives (its executable and
 * libraries, which parse, number and render: nothing else of the machine
 * does; not the date or the environment, so a new day parses nothing
 * again) and the bytes the load names the entry by (the document's file,
 * kind, place, path, the numbering, the visitor). Entries are marked used,
 * so a build that prunes keeps the ones it took or made. */
#ifndef POLICYGEN_CACHE_DOCS_H
#define POLICYGEN_CACHE_DOCS_H

#include "cache/cache.h"
#include "content/site.h"

typedef struct cache_docs cache_docs;

/* A store over c (which must outlive it), safe to call from the load's
 * threads at once. */
cache_docs *cache_docs_new(cache *c, const char *settings_key);
const site_doc_store *cache_docs_store(const cache_docs *docs);
void cache_docs_free(cache_docs *docs);

#endif
