/* status/calendar.ics read back and compared with status/flags.json's data:
 * one event per dated flag, with the flag's uid, date and message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/check.h"
#include "content/site.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

static rule_flag *make_flag(const char *rule, flag_status status, const char *due,
                            const char *message, const char *file, int line)
{
    rule_flag *f = xcalloc(1, sizeof *f);
    f->rule_id = xstrdup(rule);
    f->severity = status == FLAG_OK ? DIAG_INFO : DIAG_ERROR;
    f->status = status;
    f->message = xstrdup(message);
    f->due = due ? xstrdup(due) : NULL;
    f->file = file ? xstrdup(file) : NULL;
    f->line = line;
    return f;
}

static void free_flag(void *p)
{
    rule_flag *f = p;
    free(f->rule_id);
    free(f->message);
    free(f->due);
    free(f->file);
    free(f->section);
    free(f);
}

static void free_info(void *p)
{
    rule_info *r = p;
    free(r->path);
    free(r->id);
    free(r->title);
    free(r->source);
    free(r->error);
    free(r);
}

static rule_info *make_info(const char *id, const char *title, const char *source)
{
    rule_info *r = xcalloc(1, sizeof *r);
    r->id = xstrdup(id);
    r->title = xstrdup(title);
    r->source = xstrdup(source);
    r->declared = true;
    r->outcome = RULE_RAN;
    return r;
}

/* Unfolds (RFC 5545 3.1) and splits into lines. */
static vec unfold(const char *ics)
{
    vec lines;
    vec_init(&lines, free);
    strbuf cur;
    sb_init(&cur);
    for (const char *p = ics; *p;) {
        const char *eol = strstr(p, "\r\n");
        assert_non_null(eol); /* every line ends in CRLF */
        if (*p == ' ')
            sb_appendn(&cur, p + 1, (size_t)(eol - p - 1));
        else {
            if (cur.len)
                vec_push(&lines, sb_take(&cur));
            sb_clear(&cur);
            sb_appendn(&cur, p, (size_t)(eol - p));
        }
        assert_true(eol - p <= 75); /* folded at 75 octets */
        p = eol + 2;
    }
    if (cur.len)
        vec_push(&lines, sb_take(&cur));
    sb_free(&cur);
    return lines;
}

static char *unescape(const char *s)
{
    strbuf sb;
    sb_init(&sb);
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            sb_appendc(&sb, *s == 'n' ? '\n' : *s);
        } else {
            sb_appendc(&sb, *s);
        }
    }
    return sb_take(&sb);
}

static void test_calendar_matches_flags(void **state)
{
    (void)state;
    site s = {0};
    s.config.org_name = "測試國小";
    s.config.org_short_name = "測試國小";
    s.config.doc_id = "isms-plan";
    s.config.doc_title = "資通安全維護計畫";
    rules_result r;
    vec_init(&r.flags, free_flag);
    vec_init(&r.rules, free_info);
    r.failed = 0;
    vec_push(&r.rules, make_info("management-review", "年度管理審查", "計畫 壹拾伍、三、1"));
    vec_push(&r.rules, make_info("backup-verification", "備份有效性", "計畫 玖、三、(五)2"));
    vec_push(&r.flags, make_flag("management-review", FLAG_OVERDUE, "2026-10-31",
                                 "本年度管理審查會議於 2026-11-05 召開，逾期（期限 2026-10-31）",
                                 "content/registers/management-reviews.yaml", 12));
    vec_push(&r.flags,
             make_flag("backup-verification", FLAG_MISSING, "2026-09-30",
                       "2026 年第 3 季備份有效性測試未辦理；含逗號, 分號; 與反斜線\\ 之長訊息，"
                       "用以檢查折行與跳脫字元是否正確處理，不致截斷 UTF-8 字元。",
                       NULL, 0));
    vec_push(&r.flags, make_flag("backup-verification", FLAG_OK, NULL, "2026 年第 1 季已測試",
                                 "content/registers/backup-tests.yaml", 3));
    vec_push(&r.flags, make_flag("management-review", FLAG_DUE_SOON, "2028-02-29",
                                 "閏日期限", NULL, 0));

    value *flags = check_flags_value(&s, &r, (date){2026, 11, 28});
    char *ics = check_calendar_ics(&s, &r);
    vec lines = unfold(ics);
    assert_string_equal(lines.items[0], "BEGIN:VCALENDAR");
    assert_string_equal(vec_last(&lines), "END:VCALENDAR");

    /* Each dated flag of flags.json has exactly one event that agrees with it. */
    value *list = value_map_get(flags, "flags");
    size_t dated = 0, events = 0;
    for (size_t i = 0; i < lines.len; i++)
        if (strcmp(lines.items[i], "BEGIN:VEVENT") == 0)
            events++;
    for (size_t k = 0; k < value_list_len(list); k++) {
        value *f = value_list_get(list, k);
        const char *due = value_as_string(value_map_get(f, "due"));
        if (!due)
            continue;
        dated++;
        char *uid = xasprintf("UID:%s@isms-plan.policygen", value_as_string(value_map_get(f, "uid")));
        char start[32];
        snprintf(start, sizeof start, "DTSTART;VALUE=DATE:%.4s%.2s%.2s", due, due + 5, due + 8);
        size_t found = 0;
        for (size_t i = 0; i < lines.len; i++) {
            if (strcmp(lines.items[i], uid) != 0)
                continue;
            found++;
            /* The event's own lines follow its UID until END:VEVENT. */
            bool saw_start = false, saw_summary = false;
            for (size_t j = i; j < lines.len && strcmp(lines.items[j], "END:VEVENT") != 0; j++) {
                const char *line = lines.items[j];
                if (strcmp(line, start) == 0)
                    saw_start = true;
                if (strncmp(line, "SUMMARY:", 8) == 0) {
                    char *text = unescape(line + 8);
                    assert_string_equal(text, value_as_string(value_map_get(f, "message")));
                    free(text);
                    saw_summary = true;
                }
            }
            assert_true(saw_start);
            assert_true(saw_summary);
        }
        assert_int_equal(found, 1);
        free(uid);
    }
    assert_int_equal(dated, 3);
    assert_int_equal(events, dated);
    /* The day after 2028-02-29 ends the all-day event. */
    bool leap_end = false;
    for (size_t i = 0; i < lines.len; i++)
        if (strcmp(lines.items[i], "DTEND;VALUE=DATE:20280301") == 0)
            leap_end = true;
    assert_true(leap_end);

    /* flags.json keeps its documented shape. */
    assert_string_equal(value_as_string(value_map_get(flags, "schema")), "policygen-flags/1");
    value *summary = value_map_get(flags, "summary");
    assert_int_equal((int)value_map_get(summary, "missing")->as.number, 1);
    assert_int_equal((int)value_map_get(summary, "overdue")->as.number, 1);
    assert_int_equal((int)value_map_get(summary, "ok")->as.number, 1);

    vec_free(&lines);
    free(ics);
    value_unref(flags);
    vec_free(&r.flags);
    vec_free(&r.rules);
}

/* The same flags give the same uids: calendar subscribers see updates, not
 * duplicates. */
static void test_uids_are_stable(void **state)
{
    (void)state;
    site s = {0};
    s.config.org_name = s.config.org_short_name = "測試國小";
    s.config.doc_id = "isms-plan";
    s.config.doc_title = "計畫";
    rules_result a, b;
    vec_init(&a.flags, free_flag);
    vec_init(&a.rules, free_info);
    vec_init(&b.flags, free_flag);
    vec_init(&b.rules, free_info);
    a.failed = b.failed = 0;
    vec_push(&a.flags, make_flag("x", FLAG_DUE_SOON, "2026-12-01", "還有 3 天", "f.yaml", 4));
    vec_push(&b.flags, make_flag("x", FLAG_DUE_SOON, "2026-12-01", "還有 2 天", "f.yaml", 4));
    char *ia = check_calendar_ics(&s, &a);
    char *ib = check_calendar_ics(&s, &b);
    const char *ua = strstr(ia, "UID:"), *ub = strstr(ib, "UID:");
    assert_non_null(ua);
    assert_non_null(ub);
    assert_memory_equal(ua, ub, (size_t)(strchr(ua, '\r') - ua));
    free(ia);
    free(ib);
    vec_free(&a.flags);
    vec_free(&a.rules);
    vec_free(&b.flags);
    vec_free(&b.rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar_matches_flags),
        cmocka_unit_test(test_uids_are_stable),
    };
    return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
