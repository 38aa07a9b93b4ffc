/* A document's tree-derived parts as bytes, and back: what a store
 * (content/site.h: site_doc_store, the build cache's) keeps of a document so
 * that a load whose document did not change need not parse its Markdown.
 *
 * The parts are everything the load reads from the tree: the sections, the
 * directives (their kind, argument, place and block text: `only` content
 * and register or signatures options are made again by directive_make, so
 * the structs are those a parse makes), the links, the text for the rules
 * (markdown/scan.h), the footnote count and what the visitor made (its own
 * save and load hooks). Pointers between them are kept as indices.
 *
 * An entry is named by what it is made from (docstore_what); its bytes
 * start with the layout's name, and every length and index is checked as
 * they are read: bytes that are not a whole, valid entry of this layout
 * are refused, and the document is then parsed. */
#ifndef POLICYGEN_DOCSTORE_H
#define POLICYGEN_DOCSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "content/site.h"
#include "core/strbuf.h"

/* A new layout (or a new meaning of a field) gets a new name. */
#define DOCSTORE_LAYOUT "policygen-doc 1"

/* Bytes being read: a read past the end, or of a length beyond it, sets
 * bad and gives 0 or NULL; every later read too. */
typedef struct docstore_in {
    const char *p, *end;
    bool bad;
} docstore_in;

/* Numbers little-endian, byte strings as a u32 length and the bytes. */
void docstore_put_u32(strbuf *out, uint32_t v);
void docstore_put_u64(strbuf *out, uint64_t v);
void docstore_put_bytes(strbuf *out, const void *data, size_t len);
uint32_t docstore_get_u32(docstore_in *in);
uint64_t docstore_get_u64(docstore_in *in);
/* A byte string inside the input (borrowed; NUL-terminated only as the
 * input is), or NULL when bad. */
const char *docstore_get_view(docstore_in *in, size_t *len);
/* A copy of a byte string, NUL-terminated (malloc'd), or NULL when bad. */
char *docstore_get_str(docstore_in *in, size_t *len);

/* Appends to what everything an entry of d is made from, but the program:
 * the layout, d's kind, its place among its folder's files (position), its
 * path, the site's numbering, the visitor's name (or none) and the file's
 * text (its front matter too: the chapter's own section is its id, title
 * and number, and its lines count from the body's first). */
void docstore_what(const document *d, int position, numbering scheme, const site_visitor *visitor,
                   strbuf *what);
/* Appends d's tree-derived parts to out. root is d's tree as the load read
 * it (its directive blocks carry their directives); visitor (or NULL) is the
 * one that visited it, with save and load. */
void docstore_save(const document *d, cmark_node *root, const site_visitor *visitor, strbuf *out);
/* Fills d's tree-derived parts (empty, as the front matter leaves them)
 * from data; false, with them empty again, when data is not a valid entry. */
bool docstore_load(document *d, const site_visitor *visitor, const char *data, size_t len);
/* Empties d's tree-derived parts (what the visitor made too), as the front
 * matter leaves them. */
void docstore_clear(document *d);

#endif
