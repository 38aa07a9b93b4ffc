/* Directives: a fenced code block whose info string names one is replaced
 * by generated content. Its body, if any, is YAML options (or, for `only`,
 * Markdown).
 *
 *   ```register core-business     the register as a table (columns, where, sort, layout)
 *   ```annexes                    the numbered list of annex forms
 *   ```revisions                  the revision table from the revisions register
 *   ```only staff                 Markdown shown only to editions that may see staff
 *   ```signatures                 a YAML list of labels: a box to sign and seal under each
 */
#ifndef POLICYGEN_DIRECTIVE_H
#define POLICYGEN_DIRECTIVE_H

#include "content/site.h"

typedef enum directive_kind {
    DIRECTIVE_REGISTER,
    DIRECTIVE_ANNEXES,
    DIRECTIVE_REVISIONS,
    DIRECTIVE_ONLY,
    DIRECTIVE_SIGNATURES,
} directive_kind;
#define DIRECTIVE_KINDS (DIRECTIVE_SIGNATURES + 1)
/* Each kind's name, as the fence's info string gives it. */
extern const char *const DIRECTIVE_KIND_NAMES[DIRECTIVE_KINDS];

typedef struct directive {
    directive_kind kind;
    char *arg;           /* register: the register's name; only: the audience */
    audience audience;   /* only: who may see the content */
    ydoc *options;       /* register: the YAML options; signatures: the labels; or NULL */
    cmark_node *content; /* only: the parsed Markdown */
    srcpos pos;          /* the opening fence */
} directive;

/* The labels of a `signatures` directive (borrowed), in order; 0 when it
 * has none. */
size_t directive_signatures(const directive *d, const char **labels, size_t max);

/* Finds the directives of a document's tree, reports malformed ones, and
 * attaches each to its code block node (cmark user data); the document owns
 * them. An `only` block's Markdown is parsed here and kept. */
void md_find_directives(document *d, cmark_node *root, diag_sink *diags);
/* A directive of doc from what its block says: the kind and argument
 * (taken) of its info string, the opening fence's place and the block's text
 * (the YAML options, or for `only` the Markdown, parsed here). Malformed
 * ones are reported. md_find_directives makes each so, and so does a
 * document taken from the build cache (content/docstore.h), from the text
 * kept there: the same structs either way. */
directive *directive_make(const document *doc, directive_kind kind, char *arg, srcpos pos,
                          const char *body, size_t body_len, diag_sink *diags);
/* The same blocks of a tree parsed again from d's text get their directives. */
void md_attach_directives(const document *d, cmark_node *root);
void directive_free(void *directive);

#endif
