/* The rules' results as the internal edition shows them: the status page
 * (status/index.html), the counts on the home page, and the marks on the
 * register rows that a flag names. Everything here only reads the site and
 * the results. */
#ifndef POLICYGEN_RENDER_HTML_STATUS_H
#define POLICYGEN_RENDER_HTML_STATUS_H

#include "content/site.h"
#include "core/date.h"
#include "core/map.h"
#include "core/value.h"
#include "registers/registers.h"
#include "render/html/register_html.h"
#include "rules/rules.h"

/* The counts of page.status: errors, warnings, rules as flags.json's
 * summary; overdue, missing, due_soon and ok of the school's duties, and
 * documents, the open flags of rules of kind document; all_clear when
 * nothing is open. */
value *status_counts_value(const site *s, const rules_result *r);

/* The model of status/index.html, for the theme's status.mustache:
 *   { title, today, year, status: counts, timeline: "<svg…>",
 *     filters: [ { id, title, count } ],
 *     groups: [ { id, status, title, count, folded, flags: [flag] } ]   the school's duties,
 *             by status (overdue, missing, due-soon), then the ok ones folded
 *     documents: { count, flags: [flag] }   what the plan's own text needs (rule kind document)
 *     rules: [ { id, title, source, kind, failed, unchecked, open, clear } ],
 *     unchecked: { count, has_rules, rules: [ { id, title, source?, needs: [advice] } ] }
 *       the rules that could not check, each unmet need said as what to add }
 * where flag is { uid, status, status_title, message, href?, owner?, due?, due_iso?,
 *   days_overdue?, rule_title, source?, severity }. Dates are in the site's calendar. */
value *status_page_value(const site *s, const rules_result *r, date today);

/* The page a flag points to, relative to status/ ("../registers/…" or
 * "../plan/…"), or NULL; the caller frees. */
char *status_flag_href(const site *s, const rule_flag *f);

/* The marks of reg's rows that flags name (not ok ones): row key ->
 * register_row_mark* (map_init(out, register_row_mark_free)); root is the
 * relative path from the register page to the edition's root. */
void status_row_marks(const site *s, const rules_result *r, const register_def *reg,
                      const char *root, map *out);

#endif
