/* status/calendar.ics read back and compared with status/flags.json's data:
 * one event per dated flag, with the flag's uid, date and message; and what
 * rules read of a site's plan and annexes. Run from the repository root. */
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
#include "diag/diag.h"
#include "xref/xref.h"

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
    free(f->owner);
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
    vec_push(&r.flags, make_flag("backup-verification", FLAG_OK, "2026-03-31", "第 1 季已測試",
                                 NULL, 0));
    ((rule_flag *)r.flags.items[0])->owner = xstrdup("資通安全長 林大明");

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
            int alarms = 0, week = 0, day = 0;
            for (size_t j = i; j < lines.len && strcmp(lines.items[j], "END:VEVENT") != 0; j++) {
                const char *line = lines.items[j];
                alarms += strcmp(line, "BEGIN:VALARM") == 0;
                week += strcmp(line, "TRIGGER:-P7D") == 0;
                day += strcmp(line, "TRIGGER:-P1D") == 0;
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
            /* A reminder a week and a day before, unless it is done. */
            bool done = strcmp(value_as_string(value_map_get(f, "status")), "ok") == 0;
            assert_int_equal(alarms, done ? 0 : 2);
            assert_int_equal(week, done ? 0 : 1);
            assert_int_equal(day, done ? 0 : 1);
        }
        assert_int_equal(found, 1);
        free(uid);
    }
    assert_int_equal(dated, 4);
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
    assert_int_equal((int)value_map_get(summary, "ok")->as.number, 2);
    /* Who must act, when the rule says. */
    value *first = value_list_get(value_map_get(flags, "flags"), 0);
    assert_string_equal(value_as_string(value_map_get(first, "owner")), "資通安全長 林大明");
    assert_int_equal(value_map_get(value_list_get(value_map_get(flags, "flags"), 1), "owner")->kind,
                     VALUE_NULL);

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

/* What rules read of the plan and the annexes (check/documents.h): the
 * probe rule of tests/check/fixtures describes every table of site.documents
 * and site.annexes of the golden site, in worker processes. */
static void test_documents_for_rules(void **state)
{
    (void)state;
    static const char *const expected[] = {
        "001 documents id=string:basis kind=string:chapter number=integer:1 path=string:tests/golden/site/plan/01-basis.md title=string:依據及目的",
        "002   sections id=string:basis label=string:壹、 level=integer:1 line=integer:1 number=string:壹、 title=string:依據及目的",
        "003   sections id=string:policy label=string:一、 level=integer:2 line=integer:7 number=string:壹、一、 title=string:政策",
        "004   sections id=string:網路安全控管 label=string:(一) level=integer:3 line=integer:19 number=string:壹、一、(一) title=string:網路安全控管",
        "005   sections id=string:防火牆 label=string:1. level=integer:4 line=integer:26 number=string:壹、一、(一)1. title=string:防火牆",
        "006   sections id=string:規則檢視 label=string:(1) level=integer:5 line=integer:28 number=string:壹、一、(一)1.(1) title=string:規則檢視",
        "007   sections id=string:紀錄 label=string:A. level=integer:6 line=integer:30 number=string:壹、一、(一)1.(1)A. title=string:紀錄",
        "008   blocks has_children=boolean:false kind=string:paragraph line=integer:5 next=string:heading section=string:basis text=string:本計畫依據資通安全管理法第 10 條訂定。",
        "009   blocks has_children=boolean:false kind=string:paragraph line=integer:9 next=string:list section=string:policy text=string:為確保機密性、完整性及可用性，特制訂本政策：",
        "010   blocks has_children=boolean:false kind=string:item line=integer:11 next=string:item section=string:policy text=string:應建立風險管理機制。",
        "011   blocks has_children=boolean:true kind=string:item line=integer:12 next=string:item section=string:policy text=string:應保護機敏資訊：",
        "012   blocks has_children=boolean:false kind=string:item line=integer:13 next=string:item section=string:policy text=string:區分網路區域。",
        "013   blocks has_children=boolean:true kind=string:item line=integer:14 next=string:none section=string:policy text=string:加密傳輸：",
        "014   blocks has_children=boolean:false kind=string:item line=integer:15 next=string:item section=string:policy text=string:使用 TLS。",
        "015   blocks has_children=boolean:false kind=string:item line=integer:16 next=string:none section=string:policy text=string:保存金鑰。",
        "016   blocks has_children=boolean:false kind=string:item line=integer:17 next=string:none section=string:policy text=string:落實通報機制。",
        "017   blocks has_children=boolean:false kind=string:paragraph line=integer:34 next=string:other section=string:紀錄 text=string:同一註腳再次引用，以及刪除線與 https://example.org 自動連結。",
        "018   blocks has_children=boolean:false kind=string:footnote line=integer:36 next=string:none section=string:紀錄 text=string:施行細則第 6 條。",
        "019   blocks has_children=boolean:false kind=string:footnote line=integer:37 next=string:none section=string:紀錄 text=string:格式可參附件：資通安全保密同意書，另見附件 2「資通安全保密同意書」與貳、適用範圍。",
        "020   links kind=string:url line=integer:4 text=string:https://example.org url=string:https://example.org",
        "021   links href=string:annexes/confidentiality-agreement.html kind=string:annex line=integer:37 text=string:資通安全保密同意書 url=string:annex:confidentiality-agreement",
        "022   links href=string:annexes/confidentiality-agreement.html kind=string:annex line=integer:37 text=string:附件 2「資通安全保密同意書」 url=string:annex:confidentiality-agreement",
        "023   links href=string:plan/scope.html kind=string:section line=integer:37 text=string:貳、適用範圍 url=string:sec:scope",
        "024 documents id=string:scope kind=string:chapter number=integer:2 path=string:tests/golden/site/plan/02-scope.md title=string:適用範圍",
        "025   sections id=string:scope label=string:貳、 level=integer:1 line=integer:1 number=string:貳、 title=string:適用範圍",
        "026   sections id=string:政策 label=string:一、 level=integer:2 line=integer:7 number=string:貳、一、 title=string:政策",
        "027   sections id=string:政策-2 label=string:二、 level=integer:2 line=integer:11 number=string:貳、二、 title=string:政策",
        "028   sections id=string:系統 label=string:三、 level=integer:2 line=integer:17 number=string:貳、三、 title=string:系統",
        "029   sections id=string:修訂 label=string:四、 level=integer:2 line=integer:27 number=string:貳、四、 title=string:修訂",
        "030   blocks has_children=boolean:false kind=string:paragraph line=integer:5 next=string:heading section=string:scope text=string:本計畫適用範圍涵蓋本全機關。",
        "031   blocks has_children=boolean:false kind=string:paragraph line=integer:9 next=string:heading section=string:政策 text=string:與第一章同名之標題，編號與錨點各自獨立。",
        "032   blocks has_children=boolean:false kind=string:paragraph line=integer:13 next=string:heading section=string:政策-2 text=string:同一章內重複之標題取得不同錨點。",
        "033   blocks arg=string:systems has_children=boolean:false kind=string:directive line=integer:19 name=string:register next=string:paragraph section=string:系統 text=string:",
        "034   blocks has_children=boolean:false kind=string:paragraph line=integer:25 next=string:heading section=string:系統 text=string:另見核心資通系統與SYS-1 校務行政系統，以及壹、一、政策。",
        "035   blocks has_children=boolean:false kind=string:directive line=integer:29 name=string:revisions next=string:directive section=string:修訂 text=string:",
        "036   blocks has_children=boolean:false kind=string:directive line=integer:32 name=string:annexes next=string:other section=string:修訂 text=string:",
        "037   blocks has_children=boolean:false kind=string:footnote line=integer:15 next=string:none section=string:修訂 text=string:註腳跨章連續編號。",
        "038   links href=string:registers/systems.html kind=string:register line=integer:25 text=string:核心資通系統 url=string:reg:systems",
        "039   links href=string:registers/systems.html#SYS-1 kind=string:row line=integer:25 text=string:SYS-1 校務行政系統 url=string:reg:systems/SYS-1",
        "040   links href=string:plan/basis.html#policy kind=string:section line=integer:25 text=string:壹、一、政策 url=string:sec:basis/policy",
        "041 annexes id=string:confidentiality-agreement kind=string:annex number=integer:2 path=string:tests/golden/site/annexes/01-confidentiality-agreement.md references=integer:2 title=string:資通安全保密同意書",
        "042   sections id=string:confidentiality-agreement label=string: level=integer:1 line=integer:1 number=string: title=string:資通安全保密同意書",
        "043   blocks has_children=boolean:false kind=string:paragraph line=integer:6 next=string:none section=string:confidentiality-agreement text=string:本同意書由負有機密維護責任之人員到職時簽署，正本由人事單位保存。",
        "044   blocks has_children=boolean:false kind=string:paragraph line=integer:8 next=string:list section=string:confidentiality-agreement text=string:立同意書人同意遵守下列事項：",
        "045   blocks has_children=boolean:false kind=string:item line=integer:10 next=string:item section=string:confidentiality-agreement text=string:保守業務機密。",
        "046   blocks has_children=boolean:false kind=string:item line=integer:11 next=string:none section=string:confidentiality-agreement text=string:離職後仍有效。",
        "047   blocks has_children=boolean:false kind=string:directive line=integer:13 name=string:signatures next=string:paragraph section=string:confidentiality-agreement text=string:",
        "048   blocks has_children=boolean:false kind=string:paragraph line=integer:17 next=string:none section=string:confidentiality-agreement text=string:日期：中華民國＿＿＿年＿＿月＿＿日",
    };
    diag_sink diags = diag_to_stream(stderr);
    site *s = site_load("tests/golden/site", &diags);
    assert_non_null(s);
    xref_table *xref = xref_resolve_site(s, &diags);
    assert_int_equal(diag_get_counts(&diags).errors, 0);
    check_options opts = {.content_dir = "tests/golden/site",
                          .data_dir = "tests/check/fixtures",
                          .today = {2026, 11, 28}};
    rules_result r;
    check_run(s, xref, &opts, &r, &diags);
    assert_int_equal(r.failed, 0);
    assert_int_equal(r.rules.len, 3); /* the probe and the site's own two rules */
    /* doc:contains of 依據及目的 (a title), 政策 (a section title and a
     * block), 使用 TLS (a block), two texts xref wrote for empty links, a text
     * nowhere, and "" (always); no part made by it (flags come sorted) */
    static const char *const contains[] = {
        "contains basis 1111101 made:",
        "contains confidentiality-agreement 0000001 made:",
        "contains scope 0100001 made:",
        /* doc:find of 政策 or 保存: the blocks that hold either; reading one
         * makes it alone (raw), and #, ipairs and pairs see every block */
        "find basis 2,8 first:9 raw:1 len:12 ipairs:12 pairs:12 same:true",
        "find confidentiality-agreement 1 first:6 raw:1 len:6 ipairs:6 pairs:6 same:true",
        "find scope 5 first:25 raw:1 len:8 ipairs:8 pairs:8 same:true",
    };
    size_t n = 0, nc = 0;
    for (size_t i = 0; i < r.flags.len; i++) {
        const rule_flag *f = r.flags.items[i];
        if (strcmp(f->rule_id, "documents-probe") != 0)
            continue;
        if (strncmp(f->message, "contains ", 9) == 0 || strncmp(f->message, "find ", 5) == 0) {
            assert_true(nc < sizeof contains / sizeof *contains);
            assert_string_equal(f->message, contains[nc]);
            nc++;
            continue;
        }
        assert_true(n < sizeof expected / sizeof *expected);
        assert_string_equal(f->message, expected[n]);
        n++;
    }
    assert_int_equal(n, sizeof expected / sizeof *expected);
    assert_int_equal(nc, sizeof contains / sizeof *contains);
    rules_result_free(&r);
    xref_table_free(xref);
    site_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar_matches_flags),
        cmocka_unit_test(test_uids_are_stable),
        cmocka_unit_test(test_documents_for_rules),
    };
    return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
