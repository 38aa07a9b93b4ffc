/* site.documents, site.annexes and site.digest for rules (README.md,
 * "Rules"): the chapters, annexes and staff digest with their sections,
 * blocks and links, pushed into a rule's Lua state when the rule first reads
 * them (rules_lazy). They are most of the data rules could read and only a
 * few rules read them, so only those rules pay for the tables.
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

/* Whether path:line is a place rules were given in the plan's text: the
 * first line of a chapter, an annex or the digest, or the line of one of its
 * section headings, blocks or links (what flag{at=} may point at). */
bool check_documents_has_place(const check_documents *docs, const char *path, int line);

/* The lazy parts "documents", "annexes" and "digest", with docs as their
 * context. */
rules_lazy check_documents_chapters(check_documents *docs);
rules_lazy check_documents_annexes(check_documents *docs);
rules_lazy check_documents_digest(check_documents *docs);

#endif
