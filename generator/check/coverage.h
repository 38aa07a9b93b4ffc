/* Plan coverage: the chapters of the national template of a maintenance plan
 * (check/plan-template.yaml, compiled in) found in a school's own plan. Rules
 * name the duty's place by template key (rule{plan = "KEY" or "KEY/words"});
 * the school's chapter is the one site.yaml `coverage:` names, else the one
 * titled like the template's chapter (or one of its `also` titles), else the
 * one whose id is the key. */
#ifndef POLICYGEN_COVERAGE_H
#define POLICYGEN_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "content/site.h"
#include "core/value.h"

typedef struct coverage_chapter {
    const char *key;          /* the template's key: "organization" */
    const char *number;       /* the template's number: "伍" */
    const char *title;        /* the template's title */
    bool required;            /* 施行細則 第 6 條 requires its contents */
    const document *chapter;  /* the school's chapter, or NULL */
} coverage_chapter;

typedef struct coverage {
    coverage_chapter *chapters; /* in template order */
    size_t count;
} coverage;

/* Where the plan states its policy and its goals: the first headings of the
 * template's policy chapter that name them (the staff digest and the staff
 * handout show both). */
#define COVERAGE_POLICY_KEY "policy"
#define COVERAGE_POLICY_WORDS "政策"
#define COVERAGE_GOALS_WORDS "目標"

/* Maps the template onto s's chapters. */
void coverage_map(const site *s, coverage *out);
/* Reports site.yaml `coverage:` entries that name an unknown template key or
 * chapter, each an error at its place (once a build: check_start does). */
void coverage_report(const site *s, diag_sink *diags);
void coverage_free(coverage *c);
/* The section a rule's plan place names ("KEY": the chapter; "KEY/words": the
 * first heading in it whose title holds every word, separated by spaces),
 * or NULL when the school's plan has none. */
const section *coverage_find(const coverage *c, const char *place);
/* The first heading of the school's chapter for key whose title holds every
 * word (separated by spaces), or NULL: the plan's own policy section
 * ("policy", "政策"), say. */
const section *coverage_heading(const coverage *c, const char *key, const char *words);
/* For rules, site.coverage: [ { key, number, title, required, chapter?
 * (id), label? (the chapter's number and title as the plan shows them) } ]. */
value *coverage_value(const coverage *c);
/* "計畫 伍、資通安全推動組織" for the section of a place, or NULL. The
 * caller frees. */
char *coverage_cite(const coverage *c, const char *place);

#endif
