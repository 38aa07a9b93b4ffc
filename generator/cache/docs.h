/* The build cache's documents: the load takes a document's tree-derived
 * parts (content/docstore.h) from the cache instead of parsing its Markdown
 * again when nothing it is made from changed, and keeps those of a
 * document it parsed (content/site.h: site_doc_store).
 *
 * An entry's key is the program's key the build gives (its executable and
 * libraries, which parse, number and render: nothing else of the machine
 * does; not the date or the environment, so a new day parses nothing
 * again) and the bytes the load names the entry by (the document's file,
 * kind, place, path, the numbering, the visitor).
 *
 * They are a cache of their own, in the folder "documents" of the build's
 * (CACHE_DOCUMENTS), pruned on their own terms: every load that succeeded
 * took or made the entry of each document it has, so the others (a
 * chapter's text before an edit, a chapter removed) go then, with or
 * without PDFs (whose entries a build without PDFs must keep). */
#ifndef POLICYGEN_CACHE_DOCS_H
#define POLICYGEN_CACHE_DOCS_H

#include "cache/cache.h"
#include "content/site.h"

typedef struct cache_docs cache_docs;

#define CACHE_DOCUMENTS "documents"

/* A store in c's folder, safe to call from the load's threads at once; NULL
 * (after a warning to diags) when its folder is there and not the
 * program's. */
cache_docs *cache_docs_new(const cache *c, const char *program_key, diag_sink *diags);
const site_doc_store *cache_docs_store(const cache_docs *docs);
/* Prunes (when loaded: the load succeeded) the entries it did not use,
 * then frees docs. */
void cache_docs_free(cache_docs *docs, bool loaded);

#endif
