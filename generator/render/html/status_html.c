#include "render/html/status_html.h"

#include "registers/regtype.h"

#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

/* The order a reader meets them, and what the legend calls them. */
static const flag_status STATUS_ORDER[] = {FLAG_OVERDUE, FLAG_MISSING, FLAG_DUE_SOON, FLAG_OK};

static const char *status_title(flag_status st)
{
    switch (st) {
    case FLAG_OVERDUE: return "逾期";
    case FLAG_MISSING: return "缺漏";
    case FLAG_DUE_SOON: return "即將到期";
    case FLAG_OK: return "符合";
    }
    return "";
}

/* How urgent: overdue before missing before due soon. */
static int urgency(flag_status st)
{
    for (int i = 0; i < 4; i++)
        if (STATUS_ORDER[i] == st)
            return i;
    return 4;
}

static const rule_info *rule_of(const rules_result *r, const char *id)
{
    for (size_t i = 0; i < r->rules.len; i++) {
        const rule_info *ri = r->rules.items[i];
        if (ri->id && strcmp(ri->id, id) == 0)
            return ri;
    }
    return NULL;
}

static bool is_document(const rules_result *r, const rule_flag *f)
{
    const rule_info *ri = rule_of(r, f->rule_id);
    return ri && ri->kind == RULE_KIND_DOCUMENT;
}

value *status_counts_value(const site *s, const rules_result *r)
{
    check_counts c = check_count(s, r);
    /* The statuses count the school's duties; what the plan's own text
     * needs is counted apart (documents), as the status page lists it. */
    int documents = 0;
    for (size_t i = 0; i < r->flags.len; i++) {
        const rule_flag *f = r->flags.items[i];
        if (f->status == FLAG_OK || !is_document(r, f))
            continue;
        documents++;
        c.missing -= f->status == FLAG_MISSING;
        c.overdue -= f->status == FLAG_OVERDUE;
        c.due_soon -= f->status == FLAG_DUE_SOON;
    }
    value *st = check_counts_value(&c);
    value_map_set_number(st, "documents", documents);
    value_map_set_bool(st, "all_clear", c.missing + c.overdue + c.due_soon + documents == 0);
    return st;
}

/* The register row a flag names, or NULL. */
static const register_row *flag_row(const site *s, const rule_flag *f, const register_def **reg)
{
    if (!f->file || !s->registers)
        return NULL;
    for (size_t i = 0; i < s->registers->registers.len; i++) {
        const register_def *r = s->registers->registers.items[i];
        if (strcmp(r->path, f->file) != 0)
            continue;
        *reg = r;
        for (size_t k = 0; k < r->rows.len; k++) {
            const register_row *row = r->rows.items[k];
            if (row->node && row->node->line == f->line && row->key)
                return row;
        }
        return NULL;
    }
    return NULL;
}

/* The page a flag points to, from status/: its register row, or its section. */
static char *flag_href(const site *s, const rule_flag *f)
{
    const register_def *reg = NULL;
    const register_row *row = flag_row(s, f, &reg);
    if (row)
        return xasprintf("../registers/%s.html#%s", reg->name, row->key);
    if (reg)
        return xasprintf("../registers/%s.html", reg->name);
    const section *sec = f->section ? site_find_section(s, f->section) : NULL;
    if (sec)
        return sec->level == 1 ? xasprintf("../plan/%s.html", sec->doc->id)
                               : xasprintf("../plan/%s.html#%s", sec->doc->id, sec->id);
    return NULL;
}

static value *flag_value(const site *s, const rules_result *r, const rule_flag *f, date today)
{
    const rule_info *ri = rule_of(r, f->rule_id);
    bool roc = s->config.calendar == CALENDAR_ROC;
    value *v = value_map();
    value_map_set(v, "uid", value_string_take(check_flag_uid(s, f)));
    value_map_set_string(v, "status", flag_status_name(f->status));
    value_map_set_string(v, "status_title", status_title(f->status));
    value_map_set_string(v, "message", f->message);
    value_map_set_string(v, "rule", f->rule_id);
    value_map_set_string(v, "rule_title", ri && ri->title ? ri->title : f->rule_id);
    if (ri && ri->source)
        value_map_set_string(v, "source", ri->source);
    value_map_set_string(v, "severity", f->severity == DIAG_ERROR     ? "error"
                                        : f->severity == DIAG_WARNING ? "warning"
                                                                      : "info");
    if (f->owner)
        value_map_set_string(v, "owner", f->owner);
    date due;
    if (f->due && date_parse(f->due, &due)) {
        char buf[64];
        date_format_short(due, roc, buf, sizeof buf);
        value_map_set_string(v, "due", buf);
        value_map_set_string(v, "due_iso", f->due);
        long late = date_days_between(due, today);
        if (f->status == FLAG_OVERDUE && late > 0)
            value_map_set_number(v, "days_overdue", (double)late);
    }
    char *href = flag_href(s, f);
    if (href)
        value_map_set(v, "href", value_string_take(href));
    return v;
}

static int day_of_year(date d)
{
    static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
    return before[d.month - 1] + d.day + (leap && d.month > 2);
}

/* The year's deadlines on one line: a marker per dated flag, coloured by
 * status, and today. Plain SVG, drawn here; each marker's tooltip gives the
 * date in the site's calendar. */
static char *timeline_svg(const site *s, const rules_result *r, date today)
{
    const int width = 720, left = 30, right = 690, axis = 70;
    bool roc = s->config.calendar == CALENDAR_ROC;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb,
              "<svg class=\"timeline\" viewBox=\"0 0 %d 110\" role=\"img\" "
              "aria-label=\"%d 年各項期限\" xmlns=\"http://www.w3.org/2000/svg\">\n",
              width, roc ? today.year - 1911 : today.year);
    sb_printf(&sb, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n", left,
              axis, right, axis);
    for (int m = 1; m <= 12; m++) {
        int x = left + (right - left) * day_of_year((date){today.year, m, 1}) / 366;
        sb_printf(&sb,
                  "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"tick\"/>"
                  "<text x=\"%d\" y=\"%d\" class=\"month\">%d 月</text>\n",
                  x, axis - 4, x, axis + 4, x + 2, axis + 20, m);
    }
    int stack[367] = {0};
    for (size_t i = 0; i < r->flags.len; i++) {
        const rule_flag *f = r->flags.items[i];
        date due;
        if (!f->due || !date_parse(f->due, &due) || due.year != today.year)
            continue;
        int doy = day_of_year(due);
        int x = left + (right - left) * doy / 366;
        int y = axis - 10 - 9 * (stack[doy]++ % 6);
        char buf[32];
        date_format_short(due, roc, buf, sizeof buf);
        sb_printf(&sb, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" class=\"%s\"><title>%s ", x, y,
                  flag_status_name(f->status), buf);
        sb_append_html(&sb, f->message, strlen(f->message));
        sb_append(&sb, "</title></circle>\n");
    }
    int tx = left + (right - left) * day_of_year(today) / 366;
    sb_printf(&sb,
              "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" class=\"today\"/>"
              "<text x=\"%d\" y=\"104\" class=\"today-label\">今日</text>\n",
              tx, tx, axis + 6, tx - 12);
    sb_append(&sb, "</svg>\n");
    return sb_take(&sb);
}

static value *group_value(const char *id, flag_status st, value *flags)
{
    value *g = value_map();
    value_map_set_string(g, "id", id);
    value_map_set_string(g, "status", flag_status_name(st));
    value_map_set_string(g, "title", status_title(st));
    value_map_set_number(g, "count", (double)value_list_len(flags));
    value_map_set_bool(g, "has_flags", value_list_len(flags) > 0);
    value_map_set_bool(g, "folded", st == FLAG_OK);
    value_map_set(g, "flags", flags);
    return g;
}

static value *filter_value(const char *id, const char *title, size_t count)
{
    value *f = value_map();
    value_map_set_string(f, "id", id);
    value_map_set_string(f, "title", title);
    value_map_set_number(f, "count", (double)count);
    return f;
}

/* The document flags that need work, most urgent first (their order among
 * equals stays the results' own: by due date). */
static int by_urgency(const void *a, const void *b)
{
    const rule_flag *x = *(const rule_flag *const *)a, *y = *(const rule_flag *const *)b;
    return urgency(x->status) - urgency(y->status);
}

/* What a school must add for an unmet need, in the site's language (the
 * command line's diagnostics say it in English). */
static char *need_advice(const site *s, const rule_need *n)
{
    const regtype *t = regtype_get(n->type);
    const char *title = t ? t->title : n->type;
    if (!n->field)
        return xasprintf("未登錄「%s」：請於保存此類紀錄之登錄簿加上 type: %s，或新增此登錄簿。", title,
                         n->type);
    const regtype_field *f = regtype_field_get(t, n->field);
    const char *label = f ? f->label : n->field;
    const char *file = n->file ? n->file : "";
    size_t dir = s->dir ? strlen(s->dir) : 0;
    if (dir && strncmp(file, s->dir, dir) == 0 && file[dir] == '/')
        file += dir + 1;
    if (n->wrong)
        return xasprintf("%s 中對應「%s」（%s.%s）之欄位型別不符：%s", file, label, n->type,
                         n->field, n->message);
    return xasprintf("%s 缺少「%s」欄位（%s.%s）：請新增名為 %s 之欄位，或以 map: { %s: 你的欄位 } "
                     "指明。",
                     file, label, n->type, n->field, n->field, n->field);
}

/* 無法檢核: { count, rules: [ { id, title, source?, needs: [advice] } ] }, the
 * rules that could not check, each with what to add. */
static value *unchecked_value(const site *s, const rules_result *r)
{
    value *list = value_list();
    for (size_t i = 0; i < r->rules.len; i++) {
        const rule_info *ri = r->rules.items[i];
        if (ri->outcome != RULE_UNCHECKED)
            continue;
        value *rv = value_map();
        value_map_set_string(rv, "id", ri->id);
        value_map_set_string(rv, "title", ri->title ? ri->title : ri->id);
        if (ri->source)
            value_map_set_string(rv, "source", ri->source);
        value *needs = value_list();
        for (size_t k = 0; k < ri->needs.len; k++) {
            const rule_need *n = ri->needs.items[k];
            if (n->blocking)
                value_list_push(needs, value_string_take(need_advice(s, n)));
        }
        value_map_set(rv, "needs", needs);
        value_list_push(list, rv);
    }
    value *v = value_map();
    value_map_set_number(v, "count", (double)value_list_len(list));
    value_map_set_bool(v, "has_rules", value_list_len(list) > 0);
    value_map_set(v, "rules", list);
    return v;
}

char *status_flag_href(const site *s, const rule_flag *f)
{
    return flag_href(s, f);
}

value *status_page_value(const site *s, const rules_result *r, date today)
{
    value *page = value_map();
    value_map_set_string(page, "title", "檢核結果");
    value_map_set(page, "status", status_counts_value(s, r));
    bool roc = s->config.calendar == CALENDAR_ROC;
    char buf[64];
    date_format_long(today, roc, buf, sizeof buf);
    value_map_set_string(page, "today", buf);
    date_format_iso(today, buf, sizeof buf);
    value_map_set_string(page, "today_iso", buf);
    value_map_set_number(page, "year", roc ? today.year - 1911 : today.year);

    value *groups = value_list(), *filters = value_list();
    size_t ok_count = 0;
    for (int g = 0; g < 4; g++) {
        flag_status st = STATUS_ORDER[g];
        value *flags = value_list();
        for (size_t i = 0; i < r->flags.len; i++) {
            const rule_flag *f = r->flags.items[i];
            /* ok flags of both kinds fold together; open document flags go apart */
            if (f->status == st && (st == FLAG_OK || !is_document(r, f)))
                value_list_push(flags, flag_value(s, r, f, today));
        }
        size_t n = value_list_len(flags);
        if (st == FLAG_OK)
            ok_count = n;
        else
            value_list_push(filters, filter_value(flag_status_name(st), status_title(st), n));
        value_list_push(groups, group_value(flag_status_name(st), st, flags));
    }
    vec docs;
    vec_init(&docs, NULL);
    for (size_t i = 0; i < r->flags.len; i++) {
        const rule_flag *f = r->flags.items[i];
        if (f->status != FLAG_OK && is_document(r, f))
            vec_push(&docs, r->flags.items[i]);
    }
    if (docs.len > 1)
        qsort(docs.items, docs.len, sizeof *docs.items, by_urgency);
    value *doc_flags = value_list();
    for (size_t i = 0; i < docs.len; i++)
        value_list_push(doc_flags, flag_value(s, r, docs.items[i], today));
    value_list_push(filters, filter_value("documents", "計畫文件待修正", docs.len));
    value_list_push(filters, filter_value("ok", "符合", ok_count));
    vec_free(&docs);
    value *documents = value_map();
    value_map_set_number(documents, "count", (double)value_list_len(doc_flags));
    value_map_set_bool(documents, "has_flags", value_list_len(doc_flags) > 0);
    value_map_set(documents, "flags", doc_flags);
    value_map_set(page, "groups", groups);
    value_map_set(page, "documents", documents);
    value_map_set(page, "filters", filters);

    value *rules = value_list();
    for (size_t i = 0; i < r->rules.len; i++) {
        const rule_info *ri = r->rules.items[i];
        value *rv = value_map();
        value_map_set_string(rv, "id", ri->id);
        value_map_set_string(rv, "title", ri->title ? ri->title : ri->id);
        value_map_set_string(rv, "kind", rule_kind_name(ri->kind));
        value_map_set_bool(rv, "kind_document", ri->kind == RULE_KIND_DOCUMENT);
        if (ri->source)
            value_map_set_string(rv, "source", ri->source);
        value_map_set_bool(rv, "failed", ri->outcome == RULE_FAILED);
        value_map_set_bool(rv, "unchecked", ri->outcome == RULE_UNCHECKED);
        int open = 0;
        for (size_t k = 0; k < r->flags.len; k++) {
            const rule_flag *f = r->flags.items[k];
            if (strcmp(f->rule_id, ri->id) == 0 && f->status != FLAG_OK)
                open++;
        }
        value_map_set_number(rv, "open", open);
        value_map_set_bool(rv, "clear", open == 0 && ri->outcome == RULE_RAN);
        value_list_push(rules, rv);
    }
    value_map_set(page, "rules", rules);
    value_map_set(page, "unchecked", unchecked_value(s, r));
    value_map_set(page, "timeline", value_string_take(timeline_svg(s, r, today)));
    return page;
}

void status_row_marks(const site *s, const rules_result *r, const register_def *reg,
                      const char *root, map *out)
{
    for (size_t i = 0; i < r->flags.len; i++) {
        const rule_flag *f = r->flags.items[i];
        const register_def *of = NULL;
        const register_row *row = f->status == FLAG_OK ? NULL : flag_row(s, f, &of);
        if (!row || of != reg)
            continue;
        register_row_mark *m = map_get(out, row->key);
        if (!m) {
            m = xcalloc(1, sizeof *m);
            m->worst = (int)f->status;
            map_set(out, row->key, m);
        } else if (urgency(f->status) < urgency((flag_status)m->worst)) {
            m->worst = (int)f->status;
        }
        m->status = flag_status_name((flag_status)m->worst);
        strbuf sb;
        sb_init(&sb);
        if (m->html)
            sb_append(&sb, m->html);
        char *uid = check_flag_uid(s, f);
        sb_printf(&sb, "<a class=\"row-flag %s\" href=\"%sstatus/index.html#flag-%s\">",
                  flag_status_name(f->status), root, uid);
        free(uid);
        sb_printf(&sb, "<span class=\"flag-status\">%s</span> ", status_title(f->status));
        sb_append_html(&sb, f->message, strlen(f->message));
        sb_append(&sb, "</a>");
        free(m->html);
        m->html = sb_take(&sb);
    }
}
