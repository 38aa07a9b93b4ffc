/* What changed between two versions of a plan: section by section, with
 * an inline character diff of each changed section's text, a 修訂內容
 * summary for the revision table, and the page models of the theme's
 * versions.mustache (the revision history) and changes.mustache (one
 * comparison).
 *
 * Sections. Every heading of every chapter is a section, and so is each
 * chapter's text before its first heading (the chapter's own section,
 * numbered and titled as the chapter: 「玖、存取控制」). An annex form is one
 * section as a whole (「附件 2「資通安全保密同意書」」). A section's text is
 * its own blocks: those between its heading and the next heading of any
 * level, as plain text with paragraphs, list items and table rows one a
 * line (list items keep their markers, 1. (1) A. ・; table cells are joined
 * with ｜), footnotes with the section that first refers to them.
 *
 * Directives count as text: a `register` directive as the rows it shows
 * (header line and one line a row, in the view its options ask for, with the
 * fields the audience may see), so editing a register that the plan prints
 * changes that section; `annexes` as the numbered list of annex forms;
 * `only` as its content when the audience may see it; `revisions` as its
 * name only (〔文件制/修訂紀錄表〕), since that table grows with every release
 * by design. Cross-references count by their target, never by its number:
 * an empty `[](sec:…)` reads as the section's title, `[](annex:…)` as
 * 附件 N「title」, `[](reg:…)` as the register's title or the row's name,
 * whether or not xref_resolve_site filled the link in, so renumbering one
 * section does not mark every section that refers to it as changed.
 *
 * Matching. Chapters and annexes are paired by id, then by title. Headings
 * are paired within the paired chapter by title and text both (so removing
 * the first of two same-titled headings, whose derived ids 政策 and 政策-2
 * shift, pairs the one that stayed), then by chapter id + section id, then
 * by title (an explicit {#id} added or changed, a heading moved to another
 * chapter when its title is unique), then by text: an unpaired section whose text is at
 * least half the same as an unpaired one of the same level in the paired
 * chapter (a retitled heading, whose derived id changed with the title);
 * then by position: an unpaired old and new section of the same level
 * between the same two paired neighbours, both without text of their own.
 *
 * Audiences. A diff is computed for one audience: chapters, annexes, `only`
 * blocks, registers and fields the audience may not see are left out of the
 * texts, so a diff (its pages and summary) can go into that edition. */
#ifndef POLICYGEN_DIFF_SITEDIFF_H
#define POLICYGEN_DIFF_SITEDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "content/site.h"
#include "core/value.h"
#include "diff/textdiff.h"

typedef enum section_change {
    SECTION_UNCHANGED,  /* same number, title and text */
    SECTION_CHANGED,    /* its own text differs (title and number may differ too) */
    SECTION_RENAMED,    /* same text, new title (and maybe a new number) */
    SECTION_RENUMBERED, /* same text and title, new number (something before it came or went) */
    SECTION_ADDED,      /* only in the new version */
    SECTION_REMOVED,    /* only in the old version */
} section_change;

typedef enum section_kind {
    SECTION_KIND_CHAPTER, /* a chapter's text before its first heading */
    SECTION_KIND_HEADING, /* a heading in a chapter */
    SECTION_KIND_ANNEX,   /* an annex form, whole */
} section_kind;

/* One side of an entry: where the section is in that version. Every string
 * is owned by the diff (a diff outlives the sites it compares). */
typedef struct section_side {
    char *doc_id; /* the chapter's or annex's id */
    char *id;     /* the heading's anchor; the doc id for a chapter's or annex's own */
    char *number; /* full label: "玖、二、(一)", "玖、", "附件 2", or "" */
    char *title;
    char *display; /* number and title as references show them: 「玖、二、(一) 網路安全控管」 */
    char *href; /* the section in that version, from its site root: plan/ID.html#ID */
    char *text; /* its own text (see above) */
    int level;  /* 1 for a chapter's or annex's own, 2..6 for headings */
} section_side;

typedef struct section_diff {
    section_change change;
    section_kind kind;
    bool text_changed, title_changed, number_changed;
    bool has_old, has_new;
    section_side old_side; /* when has_old */
    section_side new_side; /* when has_new */
    /* For SECTION_CHANGED: the old text against the new, by character. */
    text_diff *diff;
    /* For ADDED (REMOVED): whether the section's parent was added (removed)
     * too, so that a summary names only the outermost one. */
    bool parent_same;
} section_diff;

typedef struct site_diff {
    audience audience;
    vec entries; /* of section_diff*, owned: every section of either version, in document order */
    size_t changed, renamed, renumbered, added, removed, unchanged;
} site_diff;

/* Compares old with new as an edition for aud sees them. Both sites are
 * only read (loaded by site_load; xref_resolve_site may or may not have
 * run). Never NULL. */
site_diff *site_diff_compute(const site *old, const site *new, audience aud);
void site_diff_free(site_diff *d);

/* Whether anything changed (renumbering alone counts). */
bool site_diff_has_changes(const site_diff *d);

/* The 修訂內容 text for a revisions row that gives no `changes`, in
 * Traditional Chinese, each kind of change with its sections in document
 * order, kinds apart with 「；」 and sections apart with 「，」:
 *   修正 玖、二、(一) 網路安全控管，玖、三、資產管理（原「資產盤點」）；新增 玖、二、(五)
 * 無線網路；刪除 玖、四、舊規定 Changed and retitled sections are 修正 (new number and title, the
 * old title after 原 when it changed), added ones 新增 and removed ones 刪除 (by their old number);
 * a section added or removed with its parent is covered by the parent. Renumbering alone is not a
 * change of content and is left out. "" when nothing changed. Caller frees. */
char *site_diff_summary(const site_diff *d);

/* The model of changes.mustache for versions/<new>-changes.html or
 * versions/changes-<old>-<new>.html:
 *   { title, old_label, new_label, summary, has_changes, has_entries,
 *     counts: { changed, added, removed, renamed, renumbered, unchanged },
 *     counts_text: 「修正 1 節、新增 1 節、刪除 1 節」 (the kinds that occur),
 *     entries: [ { index (from 1), change: changed|renamed|added|removed,
 *                  change_label: 修正|標題修正|新增|刪除, kind: chapter|heading|annex,
 *                  number, title, display (the new side's, the old for removed ones),
 *                  old_number, old_title, old_display, old_href?, new_number, new_title,
 *                  new_display, href?, title_changed, number_changed, was (either changed),
 *                  title_diff_html (when the title changed), has_text, diff_html, coarse } ],
 *     has_renumbered, renumbered_count,
 *     renumbered: [ { old_number, new_number, old_display, new_display, title, href? } ] }
 * old_root / new_root are where each version's site is relative to the
 * page ("V1.0/" for a frozen release under versions/, "../" for the current
 * site), or NULL for no links to it. diff_html is <del>/<ins> markup
 * (text_diff_html with 60 code points of context), the whole text inserted
 * (deleted) for an added (removed) section. Caller owns the value. */
value *site_diff_page_value(const site_diff *d, const char *old_label, const char *new_label,
                            const char *old_root, const char *new_root);

/* ---- the revision history ---- */

/* What the build knows about one version of the revisions register. */
typedef struct version_info {
    const char *version;      /* a revisions row's `version` */
    bool frozen;              /* versions/<version>/index.html exists (a release) */
    const site_diff *diff;    /* this version against the one before, or NULL */
    const char *changes_href; /* the page showing diff, relative to versions/, or NULL */
    const char *pdf_href;     /* the version's plan PDF, relative to versions/, or NULL */
} version_info;

/* The model of versions.mustache for versions/index.html: every row of the
 * site's revisions register, in order (the current one last, as written):
 *   { title, has_rows, rows: [ { version, date, date_long, date_iso, changes, changes_lines: [..],
 *       changes_generated, unit, editor, approver, status, status_label, approved, current,
 *       frozen, release_href?, changes_href?, pdf_href? } ],
 *     has_compare, compare: [ { label, href } ] }
 * changes is the row's `changes`, or, when it is empty and infos give a
 * diff for its version, site_diff_summary of that diff (changes_generated
 * set). Fields hidden from aud read （不公開）. infos may be NULL; compare
 * lists extra comparisons (labels and hrefs relative to versions/), may be
 * NULL. Returns NULL when the site has no revisions register aud may see. */
typedef struct version_compare {
    const char *label; /* 「V1.1 → 目前草稿」 */
    const char *href;  /* "changes-V1.1-V1.2.html" */
} version_compare;

/* A version as a path segment of an href: bytes other than [A-Za-z0-9._-]
 * as %XX ("V1.1" stays "V1.1"). The page files themselves are named with
 * the version as it is. Caller frees. */
char *version_href_segment(const char *version);

value *site_versions_page_value(const site *s, audience aud, const version_info *infos,
                                size_t ninfos, const version_compare *compare, size_t ncompare);

#endif
