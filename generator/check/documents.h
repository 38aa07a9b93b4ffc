/* site.documents and site.annexes for rules (README.md, "Rules"): the
 * chapters and annexes with their sections, blocks and links, pushed into a
 * rule's Lua state when the rule first reads them (rules_lazy). They are
 * most of the data rules could read and only a few rules read them, so only
 * those rules pay for the tables.
 *
 * The blocks' and links' plain text was read when the site was loaded
 * (markdown/scan.h), before the rules start: the workers that push it share
 * those pages with this process; what xref wrote for empty links is put into
 * the text as it is pushed. */
#ifndef POLICYGEN_CHECK_DOCUMENTS_H
#define POLICYGEN_CHECK_DOCUMENTS_H

#include "content/site.h"
#include "rules/rules.h"

struct xref_table;

typedef struct check_documents check_documents;

/* s and xref are borrowed for the life of the result (threads is unused:
 * the load read the text). */
check_documents *check_documents_new(const site *s, const struct xref_table *xref, int threads);
void check_documents_free(check_documents *docs);

/* The lazy parts "documents" and "annexes", with docs as their context. */
rules_lazy check_documents_chapters(check_documents *docs);
rules_lazy check_documents_annexes(check_documents *docs);

#endif
