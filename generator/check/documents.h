/* site.documents and site.annexes for rules (README.md, "Rules"): the
 * chapters and annexes with their sections, blocks and links, pushed into a
 * rule's Lua state when the rule first reads them (rules_lazy). They are
 * most of the data rules could read and only a few rules read them, so only
 * those rules pay for the tables.
 *
 * The blocks' and links' plain text is extracted from the Markdown trees
 * once, here, before the rules start (on every processor: nothing else may
 * read the documents' trees meanwhile, since reading a node's text the first
 * time writes to the node): the workers that read it share these pages with
 * this process instead of each walking the trees and filling copies of the
 * pages it allocates into. */
#ifndef POLICYGEN_CHECK_DOCUMENTS_H
#define POLICYGEN_CHECK_DOCUMENTS_H

#include "content/site.h"
#include "rules/rules.h"

struct xref_table;

typedef struct check_documents check_documents;

/* Extracts the text on `threads` threads (0: one per processor); s and xref
 * are borrowed for the life of the result. */
check_documents *check_documents_new(const site *s, const struct xref_table *xref, int threads);
void check_documents_free(check_documents *docs);

/* Whether path:line is a place rules were given in the plan's text: the
 * first line of a chapter or annex, or the line of one of its blocks or
 * links (what flag{at=} may point at). */
bool check_documents_has_place(const check_documents *docs, const char *path, int line);

/* The lazy parts "documents" and "annexes", with docs as their context. */
rules_lazy check_documents_chapters(check_documents *docs);
rules_lazy check_documents_annexes(check_documents *docs);

#endif
