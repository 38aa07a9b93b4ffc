/* The checks stage: runs the Lua rules of lua-plugins/ on a loaded site and
 * turns their flags into diagnostics, the status page data and the
 * calendar. The rule engine itself (sandbox, limits, API) is rules/. */
#ifndef POLICYGEN_CHECK_H
#define POLICYGEN_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "content/site.h"
#include "core/date.h"
#include "core/value.h"
#include "rules/rules.h"

struct xref_table;

typedef struct check_options {
    const char *content_dir;
    const char *data_dir; /* the shipped lua-plugins/ */
    date today;
    int jobs; /* threads for extracting the documents' text; 0: one per processor */
} check_options;

typedef struct check_counts {
    int errors;   /* error-level flags (and rules that cannot check, with `unchecked: error`) */
    int warnings; /* warning-level flags and rules that cannot check */
    int missing, overdue, due_soon, ok; /* by status */
    int rules, rules_failed, rules_unchecked;
} check_counts;

/* Rules running on a site, in worker processes. */
typedef struct check_batch check_batch;

/* Finds the plugins (the shipped ones, replaced or added to by the content
 * folder's own lua-plugins/, less those site.yaml turns off), builds the
 * data rules read and starts them; returns once they run. NULL (reported)
 * when a plugin file leads outside its folder. s and xref are
 * borrowed and must not change until check_finish; while check_start runs,
 * no other thread may read the documents' Markdown trees (check/documents.h). */
check_batch *check_start(const site *s, const struct xref_table *xref, const check_options *opts,
                         diag_sink *diags);
/* Waits for the rules, reports their failures (rules_finish) and frees the
 * batch. out is the caller's to free with rules_result_free. */
void check_finish(check_batch *batch, rules_result *out, diag_sink *diags);
/* check_start and check_finish at once; false as check_start's NULL (out
 * is then not filled). */
bool check_run(const site *s, const struct xref_table *xref, const check_options *opts,
               rules_result *out, diag_sink *diags);
/* One diagnostic per flag that is not ok, at the row's file:line (or the
 * section's), coded with the rule id; one per rule that cannot check (a
 * warning, or an error with site.yaml `unchecked: error`), at its first unmet
 * need, naming them all; and warnings for flags dropped past the cap and for
 * parameters site.yaml gives that a rule does not declare. */
void check_report(const site *s, const rules_result *r, diag_sink *diags);
check_counts check_count(const site *s, const rules_result *r);
/* The counts as a map, as status/flags.json's summary gives them. */
value *check_counts_value(const check_counts *c);

/* The data rules read, as described in README.md, but for site.registers
 * (registers_typed_value, filtered by each rule's needs) and site.documents
 * and site.annexes, which rules get from check/documents.h when they read
 * them (exposed for tests). plan may be NULL (no site.coverage). */
struct coverage;
value *check_site_value(const site *s, const struct coverage *plan);

/* A flag's uid in flags.json and calendar.ics: its rule, place and due date,
 * stable across builds ("plan-reviewed-0123456789abcdef"; caller frees). */
char *check_flag_uid(const site *s, const rule_flag *f);

/* status/flags.json: the documented, stable schema (README.md). */
value *check_flags_value(const site *s, const rules_result *r, date today);
/* `policygen rules`: every rule with its source, outcome, needs (met or not,
 * by which register and field, or what to add), declared parameters and the
 * site.yaml ones; as a value (--format json) or as text. */
value *check_rules_value(const site *s, const rules_result *r);
void check_rules_text(FILE *out, const site *s, const rules_result *r);

/* status/calendar.ics: one event per due date (RFC 5545); the caller frees. */
char *check_calendar_ics(const site *s, const rules_result *r);

#endif
