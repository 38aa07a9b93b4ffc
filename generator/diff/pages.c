/* The page models of versions.mustache and changes.mustache. */
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diff/sitediff.h"
#include "registers/registers.h"

#define DIFF_CONTEXT 60

static const char *change_name(section_change c)
{
    switch (c) {
    case SECTION_CHANGED: return "changed";
    case SECTION_RENAMED: return "renamed";
    case SECTION_RENUMBERED: return "renumbered";
    case SECTION_ADDED: return "added";
    case SECTION_REMOVED: return "removed";
    default: return "unchanged";
    }
}

static const char *change_label(section_change c)
{
    switch (c) {
    case SECTION_CHANGED: return "修正";
    case SECTION_RENAMED: return "標題修正";
    case SECTION_RENUMBERED: return "編號變動";
    case SECTION_ADDED: return "新增";
    case SECTION_REMOVED: return "刪除";
    default: return "未修改";
    }
}

static void set_href(value *v, const char *key, const char *root, const char *href)
{
    if (root && href)
        value_map_set(v, key, value_string_take(xasprintf("%s%s", root, href)));
}

static value *entry_value(const section_diff *e, size_t index, const char *old_root,
                          const char *new_root)
{
    value *v = value_map();
    const section_side *shown = e->has_new ? &e->new_side : &e->old_side;
    value_map_set_number(v, "index", (double)index);
    value_map_set_string(v, "change", change_name(e->change));
    value_map_set_string(v, "change_label", change_label(e->change));
    value_map_set_string(v, "number", shown->number);
    value_map_set_string(v, "title", shown->title);
    value_map_set_string(v, "display", shown->display);
    value_map_set_string(v, "kind",
                         e->kind == SECTION_KIND_ANNEX     ? "annex"
                         : e->kind == SECTION_KIND_CHAPTER ? "chapter"
                                                           : "heading");
    value_map_set_bool(v, "title_changed", e->title_changed);
    value_map_set_bool(v, "number_changed", e->number_changed);
    value_map_set_bool(v, "was",
                       e->has_old && e->has_new && (e->title_changed || e->number_changed));
    if (e->has_old) {
        value_map_set_string(v, "old_number", e->old_side.number);
        value_map_set_string(v, "old_title", e->old_side.title);
        value_map_set_string(v, "old_display", e->old_side.display);
        set_href(v, "old_href", old_root, e->old_side.href);
    }
    if (e->has_new) {
        value_map_set_string(v, "new_number", e->new_side.number);
        value_map_set_string(v, "new_title", e->new_side.title);
        value_map_set_string(v, "new_display", e->new_side.display);
        set_href(v, "href", new_root, e->new_side.href);
    }
    strbuf html;
    sb_init(&html);
    sb_append(&html, "");
    bool has_text;
    if (e->change == SECTION_ADDED) {
        text_diff_html_whole(&html, e->new_side.text, DIFF_INSERT);
        has_text = e->new_side.text[0] != '\0';
    } else if (e->change == SECTION_REMOVED) {
        text_diff_html_whole(&html, e->old_side.text, DIFF_DELETE);
        has_text = e->old_side.text[0] != '\0';
    } else if (e->diff) {
        text_diff_html(&html, e->diff, DIFF_CONTEXT);
        has_text = true;
    } else {
        has_text = false; /* renamed: the text is as it was */
    }
    value_map_set_bool(v, "has_text", has_text);
    value_map_set_bool(v, "coarse", e->diff && e->diff->coarse);
    value_map_set(v, "diff_html", value_string_take(sb_take(&html)));
    if (e->title_changed) {
        text_diff *t = text_diff_compute(e->old_side.title, e->new_side.title);
        strbuf th;
        sb_init(&th);
        text_diff_html(&th, t, 0);
        value_map_set(v, "title_diff_html", value_string_take(sb_take(&th)));
        text_diff_free(t);
    }
    return v;
}

value *site_diff_page_value(const site_diff *d, const char *old_label, const char *new_label,
                            const char *old_root, const char *new_root)
{
    old_label = old_label ? old_label : "";
    new_label = new_label ? new_label : "";
    value *page = value_map();
    value_map_set(page, "title",
                  value_string_take(xasprintf("修訂對照：%s → %s", old_label, new_label)));
    value_map_set_string(page, "old_label", old_label);
    value_map_set_string(page, "new_label", new_label);
    char *summary = site_diff_summary(d);
    value_map_set(page, "summary", value_string_take(summary));
    value_map_set_bool(page, "has_changes", site_diff_has_changes(d));
    value *counts = value_map();
    value_map_set_number(counts, "changed", (double)d->changed);
    value_map_set_number(counts, "renamed", (double)d->renamed);
    value_map_set_number(counts, "added", (double)d->added);
    value_map_set_number(counts, "removed", (double)d->removed);
    value_map_set_number(counts, "renumbered", (double)d->renumbered);
    value_map_set_number(counts, "unchanged", (double)d->unchanged);
    value_map_set(page, "counts", counts);
    /* 「修正 1 節、新增 1 節」: the kinds that occur. */
    strbuf ct;
    sb_init(&ct);
    sb_append(&ct, "");
    const size_t nums[] = {d->changed, d->renamed, d->added, d->removed};
    static const char *const KINDS[] = {"修正", "標題修正", "新增", "刪除"};
    for (size_t k = 0; k < 4; k++) {
        if (!nums[k])
            continue;
        sb_printf(&ct, "%s%s %zu 節", ct.len ? "、" : "", KINDS[k], nums[k]);
    }
    if (!ct.len && d->renumbered)
        sb_printf(&ct, "僅 %zu 節編號變動", d->renumbered);
    value_map_set(page, "counts_text", value_string_take(sb_take(&ct)));
    value *entries = value_list();
    value *renumbered = value_list();
    for (size_t i = 0; i < d->entries.len; i++) {
        const section_diff *e = d->entries.items[i];
        if (e->change == SECTION_UNCHANGED)
            continue;
        if (e->change == SECTION_RENUMBERED) {
            value *r = value_map();
            value_map_set_string(r, "old_display", e->old_side.display);
            value_map_set_string(r, "new_display", e->new_side.display);
            value_map_set_string(r, "old_number", e->old_side.number);
            value_map_set_string(r, "new_number", e->new_side.number);
            value_map_set_string(r, "title", e->new_side.title);
            set_href(r, "href", new_root, e->new_side.href);
            value_list_push(renumbered, r);
            continue;
        }
        value_list_push(entries, entry_value(e, value_list_len(entries) + 1, old_root, new_root));
    }
    value_map_set_bool(page, "has_entries", value_list_len(entries) > 0);
    value_map_set(page, "entries", entries);
    value_map_set_bool(page, "has_renumbered", value_list_len(renumbered) > 0);
    value_map_set_number(page, "renumbered_count", (double)value_list_len(renumbered));
    value_map_set(page, "renumbered", renumbered);
    return page;
}

/* ---- the revision history ---- */

char *version_href_segment(const char *s)
{
    s = s ? s : "";
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '.' || *p == '_' || *p == '-')
            sb_appendc(&sb, (char)*p);
        else
            sb_printf(&sb, "%%%02X", *p);
    }
    return sb_take(&sb);
}

/* The cell's text as written (trailing line breaks off), "" when empty;
 * （不公開） for a field aud may not see. Caller frees. */
static char *cell_string(const register_def *reg, const register_row *row, const char *field,
                         audience aud, bool *present)
{
    const register_field *f = register_field_get(reg, field);
    *present = f != NULL;
    if (!f)
        return xstrdup("");
    if (!register_field_visible(reg, f, aud))
        return xstrdup("（不公開）");
    const register_cell *c = register_row_cell_at(row, f);
    const char *t = c && c->node && c->node->kind == YNODE_SCALAR ? c->node->text : NULL;
    if (!t)
        return xstrdup("");
    size_t n = strlen(t);
    while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
        n--;
    return xstrndup(t, n);
}

static value *lines_value(const char *text)
{
    value *list = value_list();
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        size_t k = n;
        while (k && (p[k - 1] == '\r' || p[k - 1] == ' '))
            k--;
        if (k)
            value_list_push(list, value_stringn(p, k));
        p += n + (eol ? 1 : 0);
    }
    return list;
}

static const version_info *find_info(const version_info *infos, size_t n, const char *version)
{
    for (size_t i = 0; infos && version && i < n; i++)
        if (infos[i].version && strcmp(infos[i].version, version) == 0)
            return &infos[i];
    return NULL;
}

value *site_versions_page_value(const site *s, audience aud, const version_info *infos,
                                size_t ninfos, const version_compare *compare, size_t ncompare)
{
    const register_def *reg = s && s->registers ? registers_get(s->registers, "revisions") : NULL;
    if (!reg || !register_visible(reg, aud))
        return NULL;
    bool roc = s->config.calendar == CALENDAR_ROC;
    value *page = value_map();
    value_map_set_string(page, "title", "修訂紀錄");
    value *rows = value_list();
    /* Newest first: the history reads from the current version back. */
    for (size_t r = reg->rows.len; r-- > 0;) {
        const register_row *row = reg->rows.items[r];
        value *v = value_map();
        bool present;
        char *version = cell_string(reg, row, "version", aud, &present);
        if (!version[0] && row->key) {
            free(version);
            version = xstrdup(row->key);
        }
        value_map_set_string(v, "version", version);
        const register_field *df = register_field_get(reg, "date");
        const register_cell *dc = df ? register_row_cell_at(row, df) : NULL;
        date when;
        if (df && register_field_visible(reg, df, aud) && register_cell_date(dc, &when)) {
            char buf[64];
            date_format_short(when, roc, buf, sizeof buf);
            value_map_set_string(v, "date", buf);
            date_format_long(when, roc, buf, sizeof buf);
            value_map_set_string(v, "date_long", buf);
            date_format_iso(when, buf, sizeof buf);
            value_map_set_string(v, "date_iso", buf);
        }
        const version_info *info = find_info(infos, ninfos, version);
        char *changes = cell_string(reg, row, "changes", aud, &present);
        bool generated = false;
        if (!changes[0] && info && info->diff) {
            free(changes);
            changes = site_diff_summary(info->diff);
            generated = changes[0] != '\0';
        }
        value_map_set(v, "changes_lines", lines_value(changes));
        value_map_set(v, "changes", value_string_take(changes));
        value_map_set_bool(v, "changes_generated", generated);
        static const char *const TEXT_FIELDS[] = {"unit", "editor", "approver"};
        for (size_t k = 0; k < sizeof TEXT_FIELDS / sizeof *TEXT_FIELDS; k++)
            value_map_set(v, TEXT_FIELDS[k],
                          value_string_take(cell_string(reg, row, TEXT_FIELDS[k], aud, &present)));
        char *status = cell_string(reg, row, "status", aud, &present);
        value_map_set_bool(v, "approved", strcmp(status, "approved") == 0);
        value_map_set_string(v, "status_label",
                             strcmp(status, "approved") == 0 ? "已核定"
                             : strcmp(status, "draft") == 0  ? "草案"
                                                             : status);
        value_map_set(v, "status", value_string_take(status));
        value_map_set_bool(v, "current", r + 1 == reg->rows.len);
        bool frozen = info && info->frozen;
        value_map_set_bool(v, "frozen", frozen);
        if (frozen) {
            char *seg = version_href_segment(version);
            value_map_set(v, "release_href", value_string_take(xasprintf("%s/index.html", seg)));
            free(seg);
        }
        if (info && info->changes_href)
            value_map_set_string(v, "changes_href", info->changes_href);
        if (info && info->pdf_href)
            value_map_set_string(v, "pdf_href", info->pdf_href);
        free(version);
        value_list_push(rows, v);
    }
    value_map_set_bool(page, "has_rows", value_list_len(rows) > 0);
    value_map_set(page, "rows", rows);
    value *cmp = value_list();
    for (size_t i = 0; compare && i < ncompare; i++) {
        if (!compare[i].href)
            continue;
        value *c = value_map();
        value_map_set_string(c, "label", compare[i].label ? compare[i].label : compare[i].href);
        value_map_set_string(c, "href", compare[i].href);
        value_list_push(cmp, c);
    }
    value_map_set_bool(page, "has_compare", value_list_len(cmp) > 0);
    value_map_set(page, "compare", cmp);
    return page;
}
