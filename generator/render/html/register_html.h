/* Registers as HTML: cells by type, tables and lists for the `register`
 * directive and the register pages, the page models the theme's
 * register.mustache and registers.mustache render, and CSV downloads.
 *
 * Everything here reads the model only (thread-safe) and escapes every
 * value. A field hidden from the audience renders （不公開）; a register
 * hidden from it renders nothing but that notice. */
#ifndef POLICYGEN_RENDER_HTML_REGISTER_H
#define POLICYGEN_RENDER_HTML_REGISTER_H

#include <stdbool.h>

#include "content/site.h"
#include "core/strbuf.h"
#include "core/value.h"
#include "markdown/directive.h"
#include "registers/registers.h"
#include "registers/view.h"
#include "render/html/body.h"

/* What a hidden value reads. */
#define REGISTER_HIDDEN_TEXT "（不公開）"

typedef enum register_date_form {
    REGISTER_DATE_SHORT, /* 107/12/26 (roc) or 2018/12/26: tables */
    REGISTER_DATE_LONG,  /* 中華民國 107 年 12 月 26 日 or 2018 年 12 月 26 日: prose */
} register_date_form;

/* Appends a date in the site's calendar (site.yaml `calendar`). */
void register_date_html(strbuf *out, const site *s, date d, register_date_form form);

/* The page a Markdown evidence file becomes, below evidence/: "2025/minutes.html"
 * for "2025/minutes.md"; NULL for any other file, which is copied as it is
 * (caller frees). */
char *register_evidence_href(const char *path);

/* Appends one cell as HTML: dates in the site calendar, checks as one
 * ☑/☐ line per option, hours as "3 小時", bool as 是/否, text keeping its
 * lines (<br>), markdown as inline Markdown, list items one a line, ref as
 * a link to the row (`{root}registers/{reg}.html#{key}`, showing the row's
 * name or title, else its key), file as a link into `{root}evidence/` (a
 * Markdown file's page, named by its title).
 * An empty cell appends nothing. root is the relative path from the page to
 * the site root ("../"). */
void register_cell_html(strbuf *out, const site *s, const register_row *row,
                        const register_field *f, const char *root, audience aud,
                        register_date_form form);

/* Appends the register as a view shows it: a table (or a list of label and
 * value blocks, where dates use the long form). Rows get id="{key}" only
 * when view->anchors is set. A register hidden from aud appends
 * <p class="register-hidden">（不公開）</p>. */
void register_table_html(strbuf *out, const site *s, const register_def *reg,
                         const register_view *view, const char *root, audience aud);

/* A row that the rules flagged, on its register page: the most urgent
 * status ("overdue", "missing", "due-soon": a class of the row) and the
 * flags as HTML for the row's 檢核 cell. */
typedef struct register_row_mark {
    int worst;          /* the most urgent status, as its maker orders them */
    const char *status; /* its name, a static string */
    char *html;         /* owned */
} register_row_mark;

void register_row_mark_free(void *mark);

/* register_table_html with a 檢核 column last, holding each flagged row's
 * mark (marks: row key -> register_row_mark*; may be NULL), and, when
 * width_em is set, the width in em the table needs (colwidth.h). */
void register_table_html_marked(strbuf *out, const site *s, const register_def *reg,
                                const register_view *view, const char *root, audience aud,
                                const map *marks, double *width_em);

/* Renders a `register NAME` or `revisions` directive (markdown/directive.h)
 * for body.c: the register as its options say (parsed quietly: problems are
 * reported once by register_directives_check), in opts->audience's view,
 * links relative to opts->root. Appends nothing when the register does not
 * exist. */
/* The view of the revision table: every field but `status`. */
void register_revisions_view(register_view *view, const register_def *revisions);

void render_register_directive(strbuf *out, const html_body_options *opts, const directive *d);

/* The model of registers/NAME.html, for the theme's register.mustache:
 *   { name, title, key, row_count, csv_href: "NAME.csv",
 *     annex: { id, number, title, href }   (when the register fills an annex aud may see)
 *     columns: [ { name, label, type } ],
 *     rows: [ { key, cells: [ { name, label, html } ] } ],
 *     table: "<div class=\"table-wrap\">…" (the whole table, rows anchored),
 *     flagged?: how many rows carry a mark, when any does,
 *     width_em: the width the table needs, in em (wider than a portrait page prints across) }
 * marks (may be NULL): the rows the rules flagged (register_table_html_marked).
 * NULL when the register is hidden from aud. The caller owns the value. */
value *register_page_value(const site *s, const register_def *reg, audience aud,
                           const map *marks);

/* The model of registers/index.html, for registers.mustache:
 *   { title: "紀錄及清冊", count, any (count > 0), registers: [ { name, title, row_count, href: "NAME.html",
 *     csv_href: "NAME.csv", annex?: {…} } ] }, registers aud may see. */
value *register_index_value(const site *s, audience aud);

/* The register as CSV for spreadsheets: UTF-8 with a byte-order mark (so
 * Excel reads it as UTF-8), RFC 4180 quoting, CRLF line ends, a header row
 * of labels, then one line a row of the fields aud may see. Dates in the
 * short form of the calendar (roc: 107/12/26), checks and lists as their
 * items joined by "、", bool as 是/否, ref as the key (（不公開） when the
 * register it points into is hidden from aud), text and Markdown as
 * written. A text cell of two or more characters starting with = + - or @
 * gets a leading ' so a spreadsheet does not run it as a formula. NULL when the register is hidden from aud; the caller frees. */
char *register_csv(const register_def *reg, audience aud, bool roc);

#endif
