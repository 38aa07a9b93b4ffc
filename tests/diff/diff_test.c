/* Version diffs: the character diff (CJK, identical, empty, invalid UTF-8,
 * cleanup, bounded time on pathological input) and the site diff of two
 * copies of the golden site, one with a section edited, one added and one
 * removed: the entries, the inline diff, the summary and the two pages
 * rendered with the default theme. Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "content/site.h"
#include "core/fs.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "diff/sitediff.h"
#include "diff/textdiff.h"
#include "template/template.h"
#include "xref/xref.h"

/* The diagnostics of what the tests load: counted, not printed. */
static diag_sink quiet;

#define GOLDEN "tests/golden/site"
#define THEME "themes/default/templates"

/* ---- helpers ---- */

static char *html_of(const char *a, const char *b, size_t context)
{
    text_diff *d = text_diff_compute(a, b);
    strbuf sb;
    sb_init(&sb);
    text_diff_html(&sb, d, context);
    text_diff_free(d);
    return sb_take(&sb);
}

static bool valid_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t k = c < 0x80                 ? 0
                   : c >= 0xC2 && c <= 0xDF ? 1
                   : c >= 0xE0 && c <= 0xEF ? 2
                   : c >= 0xF0 && c <= 0xF4 ? 3
                                            : 9;
        if (k == 9 || i + k >= n + (k ? 0 : 1))
            return false;
        for (size_t j = 1; j <= k; j++)
            if ((p[i + j] & 0xC0) != 0x80)
                return false;
        i += k + 1;
    }
    return true;
}

/* Both texts come back out of the diff, and no span splits a character. */
static void assert_round_trip(const text_diff *d, const char *a, const char *b)
{
    char *old = text_diff_side(d, DIFF_DELETE);
    char *new = text_diff_side(d, DIFF_INSERT);
    assert_string_equal(old, a);
    assert_string_equal(new, b);
    free(old);
    free(new);
    for (size_t i = 0; i < d->len; i++) {
        assert_true(d->spans[i].len > 0);
        assert_int_equal(strlen(d->spans[i].text), d->spans[i].len);
    }
}

static void assert_spans_utf8(const text_diff *d)
{
    for (size_t i = 0; i < d->len; i++)
        assert_true(valid_utf8(d->spans[i].text, d->spans[i].len));
}

/* Processor time, not wall time: the bound is on the work a pathological
 * input causes, and must not depend on what else the machine runs. */
static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A pseudo-random text of n characters from a small CJK alphabet, with a
 * line break now and then when lines is set (deterministic). */
static char *random_text(size_t n, uint32_t seed, bool lines)
{
    static const char *const ALPHA[] = {"資", "通", "安", "全", "計", "畫", "，", "。"};
    strbuf sb;
    sb_init(&sb);
    uint32_t x = seed;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t r = (x >> 16) & 0x7fff;
        if (lines && r % 23 == 0)
            sb_appendc(&sb, '\n');
        else
            sb_append(&sb, ALPHA[r % 8]);
    }
    return sb_take(&sb);
}

/* ---- character diff ---- */

static void test_cjk(void **state)
{
    (void)state;
    char *h = html_of("本計畫依據資通安全管理法第 10 條訂定。",
                      "本計畫依據資通安全管理法第 12 條及施行細則訂定。", 0);
    assert_string_equal(h, "本計畫依據資通安全管理法第 1<del>0</del><ins>2</ins> 條"
                           "<ins>及施行細則</ins>訂定。");
    free(h);
    /* 資 E8 B3 87 and 貨 E8 B2 A8 share a byte: whole characters all the same. */
    h = html_of("資料", "貨料", 0);
    assert_string_equal(h, "<del>資</del><ins>貨</ins>料");
    free(h);
    h = html_of("為確保機密性、完整性及可用性，特制訂本政策：",
                "為確保資訊之機密性、完整性及可用性，特訂定本政策：", 0);
    /* 制訂 -> 訂定: the shared 訂 stays (the deletion's end is the insertion's start). */
    assert_string_equal(h, "為確保<ins>資訊之</ins>機密性、完整性及可用性，特<del>制</del>訂"
                           "<ins>定</ins>本政策：");
    free(h);

    text_diff *d = text_diff_compute("應建立風險管理機制。", "應建立資安風險評估機制。");
    assert_round_trip(d, "應建立風險管理機制。", "應建立資安風險評估機制。");
    assert_spans_utf8(d);
    assert_true(text_diff_has_changes(d));
    size_t e, del, ins;
    text_diff_counts(d, &e, &del, &ins);
    assert_int_equal(e + del, 10); /* code points, not bytes */
    assert_int_equal(e + ins, 12);
    text_diff_free(d);
}

static void test_identical(void **state)
{
    (void)state;
    const char *t = "資通安全維護計畫\n第二行 <b>&</b>";
    text_diff *d = text_diff_compute(t, t);
    assert_int_equal(d->len, 1);
    assert_int_equal(d->spans[0].op, DIFF_EQUAL);
    assert_false(text_diff_has_changes(d));
    assert_true(text_diff_similarity(d) == 1.0);
    strbuf sb;
    sb_init(&sb);
    text_diff_html(&sb, d, 0);
    assert_string_equal(sb.data, "資通安全維護計畫<br>\n第二行 &lt;b&gt;&amp;&lt;/b&gt;");
    sb_free(&sb);
    text_diff_free(d);
}

static void test_empty(void **state)
{
    (void)state;
    text_diff *d = text_diff_compute("", "新增之內容");
    assert_int_equal(d->len, 1);
    assert_int_equal(d->spans[0].op, DIFF_INSERT);
    assert_string_equal(d->spans[0].text, "新增之內容");
    text_diff_free(d);
    d = text_diff_compute("刪除之內容", NULL);
    assert_int_equal(d->len, 1);
    assert_int_equal(d->spans[0].op, DIFF_DELETE);
    text_diff_free(d);
    d = text_diff_compute("", "");
    assert_int_equal(d->len, 0);
    assert_false(text_diff_has_changes(d));
    text_diff_free(d);
    char *h = html_of("", "一\n二", 0);
    assert_string_equal(h, "<ins>一¶<br>\n二</ins>");
    free(h);
}

static void test_cleanup(void **state)
{
    (void)state;
    /* Without the cleanup the shared 資 stands alone between changes. */
    text_diff_limits raw = text_diff_default_limits();
    raw.semantic = false;
    const char *a = "資通安全維護計畫", *b = "個人資料保護計畫";
    text_diff *d = text_diff_compute_ex(a, strlen(a), b, strlen(b), &raw);
    assert_round_trip(d, a, b);
    bool lone = false;
    for (size_t i = 0; i < d->len; i++)
        if (d->spans[i].op == DIFF_EQUAL && strcmp(d->spans[i].text, "資") == 0)
            lone = true;
    assert_true(lone);
    text_diff_free(d);
    char *h = html_of(a, b, 0);
    assert_string_equal(h, "<del>資通安全維</del><ins>個人資料保</ins>護計畫");
    free(h);
    /* Edits slide to a word boundary. */
    h = html_of("The cat came.", "The cat cat came.", 0);
    assert_string_equal(h, "The cat <ins>cat </ins>came.");
    free(h);
    /* ... and to the end of a sentence. */
    h = html_of("第一句。第二句。", "第一句。新句。第二句。", 0);
    assert_string_equal(h, "第一句。<ins>新句。</ins>第二句。");
    free(h);
    /* Line breaks that change show. */
    h = html_of("甲\n乙", "甲乙", 0);
    assert_string_equal(h, "甲<del>¶<br>\n</del>乙");
    free(h);
}

static void test_context(void **state)
{
    (void)state;
    strbuf a, b;
    sb_init(&a);
    sb_init(&b);
    for (int i = 0; i < 100; i++)
        sb_append(&a, "甲");
    sb_append(&b, a.data);
    sb_append(&a, "乙");
    sb_append(&b, "丙");
    for (int i = 0; i < 100; i++) {
        sb_append(&a, "丁");
        sb_append(&b, "丁");
    }
    char *h = html_of(a.data, b.data, 5);
    assert_string_equal(h, "<span class=\"diff-skip\" title=\"未修改之內容\">…</span>甲甲甲甲甲"
                           "<del>乙</del><ins>丙</ins>丁丁丁丁丁"
                           "<span class=\"diff-skip\" title=\"未修改之內容\">…</span>");
    free(h);
    sb_free(&a);
    sb_free(&b);

    /* Whole lines around a change, the lines between skipped. */
    const char *x = "第一項內容。\n第二項內容。\n第三項內容。\n第四項內容。\n第五項內容。\n"
                    "第六項內容。\n第七項內容。\n第八項內容。\n第九項內容。";
    const char *y = "第一項內容。\n第二項內容。\n第三項內容。\n第四項內容。\n第五項內容。\n"
                    "第六項內容。\n第七項內容。\n第八項內容。\n第九項修正內容。";
    h = html_of(x, y, 8);
    assert_string_equal(h, "<span class=\"diff-skip\" title=\"未修改之內容\">…</span><br>\n"
                           "第九項<ins>修正</ins>內容。");
    free(h);
    h = html_of(y, x, 8);
    assert_string_equal(h, "<span class=\"diff-skip\" title=\"未修改之內容\">…</span><br>\n"
                           "第九項<del>修正</del>內容。");
    free(h);
    h = html_of(x,
                "第一項修正內容。\n第二項內容。\n第三項內容。\n第四項內容。\n第五項內容。\n"
                "第六項內容。\n第七項內容。\n第八項內容。\n第九項內容。",
                8);
    assert_string_equal(h, "第一項<ins>修正</ins>內容。<br>\n"
                           "<span class=\"diff-skip\" title=\"未修改之內容\">…</span>");
    free(h);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    const char *a = "ab\xff\xfe資", *b = "a\xff\xfe資c";
    text_diff *d = text_diff_compute(a, b);
    assert_round_trip(d, a, b);
    text_diff_free(d);
}

/* Random pairs of short texts from a tiny alphabet: every diff gives both
 * texts back, whole characters only. */
static void test_round_trips(void **state)
{
    (void)state;
    uint32_t x = 7;
    for (int i = 0; i < 3000; i++) {
        x = x * 1103515245u + 12345u;
        size_t n = (x >> 16) % 24;
        x = x * 1103515245u + 12345u;
        size_t m = (x >> 16) % 24;
        char *a = random_text(n, x ^ 0x55u, i % 2);
        char *b = random_text(m, x ^ 0xaau, i % 3 == 0);
        text_diff *d = text_diff_compute(a, b);
        assert_round_trip(d, a, b);
        assert_spans_utf8(d);
        for (size_t k = 1; k < d->len; k++)
            assert_true(d->spans[k].op != d->spans[k - 1].op);
        text_diff_free(d);
        free(a);
        free(b);
    }
}

static void test_pathological(void **state)
{
    (void)state;
    /* Char mode that runs out of budget: 9,000 x 9,000 unrelated characters. */
    char *a = random_text(9000, 1, false), *b = random_text(9000, 2, false);
    double t0 = seconds();
    text_diff *d = text_diff_compute(a, b);
    double t1 = seconds();
    assert_true(t1 - t0 < 1.0);
    assert_false(d->line_mode);
    assert_true(d->coarse);
    assert_round_trip(d, a, b);
    assert_spans_utf8(d);
    text_diff_free(d);
    free(a);
    free(b);

    /* Lines first: 200,000 x 200,000 characters. */
    a = random_text(200000, 3, true);
    b = random_text(200000, 4, true);
    t0 = seconds();
    d = text_diff_compute(a, b);
    t1 = seconds();
    assert_true(t1 - t0 < 1.0);
    assert_true(d->line_mode);
    assert_round_trip(d, a, b);
    text_diff_free(d);
    free(b);

    /* A large text with two insertions far apart: exact, and fast. */
    size_t len = strlen(a), at1 = 3000, at2 = 300000;
    while (((unsigned char)a[at1] & 0xC0) == 0x80)
        at1++;
    while (((unsigned char)a[at2] & 0xC0) == 0x80)
        at2++;
    strbuf big;
    sb_init(&big);
    sb_appendn(&big, a, at1);
    sb_append(&big, "新");
    sb_appendn(&big, a + at1, at2 - at1);
    sb_append(&big, "增");
    sb_appendn(&big, a + at2, len - at2);
    b = sb_take(&big);
    t0 = seconds();
    d = text_diff_compute(a, b);
    t1 = seconds();
    assert_true(t1 - t0 < 1.0);
    assert_false(d->coarse);
    assert_round_trip(d, a, b);
    size_t e, del, ins;
    text_diff_counts(d, &e, &del, &ins);
    assert_int_equal(del, 0);
    assert_int_equal(ins, 2);
    text_diff_free(d);
    free(a);
    free(b);

    /* One character repeated, against another. */
    a = xmalloc(100001);
    memset(a, 'a', 100000);
    a[100000] = '\0';
    b = xstrdup(a);
    b[50000] = 'b';
    t0 = seconds();
    d = text_diff_compute(a, b);
    assert_true(seconds() - t0 < 1.0);
    assert_round_trip(d, a, b);
    assert_int_equal(d->len, 4);
    text_diff_free(d);
    free(a);
    free(b);
}

/* ---- two versions of the golden site ---- */

typedef struct sites {
    char dir[64];
    char *old_dir, *new_dir;
    site *old, *new;
} sites;

static void copy_tree(const char *from, const char *to)
{
    assert_true(fs_mkdir_p(to));
    vec names;
    vec_init(&names, free);
    assert_true(fs_list_dir(from, &names));
    for (size_t i = 0; i < names.len; i++) {
        char *src = fs_join(from, names.items[i]);
        char *dst = fs_join(to, names.items[i]);
        if (fs_is_dir(src))
            copy_tree(src, dst);
        else
            assert_true(fs_copy_file(src, dst));
        free(src);
        free(dst);
    }
    vec_free(&names);
}

/* Replaces the one occurrence of what in the file by with. */
static void edit_file(const char *dir, const char *name, const char *what, const char *with)
{
    char *path = fs_join(dir, name);
    char *text = fs_read_file(path, 1 << 20, NULL);
    assert_non_null(text);
    char *at = strstr(text, what);
    assert_non_null(at);
    assert_null(strstr(at + 1, what));
    strbuf sb;
    sb_init(&sb);
    sb_appendn(&sb, text, (size_t)(at - text));
    sb_append(&sb, with);
    sb_append(&sb, at + strlen(what));
    assert_true(fs_write_file(path, sb.data, sb.len));
    sb_free(&sb);
    free(text);
    free(path);
}

static int sites_setup(void **state)
{
    sites *s = xcalloc(1, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/policygen-diff-XXXXXX");
    if (!mkdtemp(s->dir))
        return -1;
    s->old_dir = fs_join(s->dir, "old");
    s->new_dir = fs_join(s->dir, "new");
    copy_tree(GOLDEN, s->old_dir);
    copy_tree(GOLDEN, s->new_dir);
    /* One section's text edited (壹、一、政策 of basis)... */
    edit_file(s->new_dir, "plan/01-basis.md", "為確保機密性、完整性及可用性，特制訂本政策：",
              "為確保資訊之機密性、完整性及可用性，特訂定本政策：");
    /* ... one removed (the second 政策 of scope, 貳、二、) ... */
    edit_file(s->new_dir, "plan/02-scope.md", "## 政策\n\n同一章內重複之標題取得不同錨點。\n\n",
              "");
    /* ... and one added (貳、三、無線網路, after 系統, which becomes 貳、二、). */
    edit_file(s->new_dir, "plan/02-scope.md", "## 修訂\n",
              "## 無線網路\n\n校園無線網路應使用 WPA2 以上加密，並每季檢視。\n\n## 修訂\n");
    s->old = site_load(s->old_dir, &quiet);
    s->new = site_load(s->new_dir, &quiet);
    if (!s->old || !s->new)
        return -1;
    /* Cross-references filled in on one side only must not count. */
    xref_table_free(xref_resolve_site(s->new, &quiet));
    *state = s;
    return 0;
}

static int sites_teardown(void **state)
{
    sites *s = *state;
    site_free(s->old);
    site_free(s->new);
    fs_remove_tree(s->dir);
    free(s->old_dir);
    free(s->new_dir);
    free(s);
    return 0;
}

/* Every section of either version is in exactly one entry. */
static size_t section_count(const site *s, audience aud)
{
    size_t n = 0;
    for (size_t i = 0; i < s->chapters.len; i++) {
        const document *d = s->chapters.items[i];
        if (d->audience <= aud)
            n += d->sections.len;
    }
    for (size_t i = 0; i < s->annexes.len; i++)
        n += ((const document *)s->annexes.items[i])->audience <= aud;
    return n;
}

static void assert_covers(const site_diff *d, const site *old, const site *new)
{
    size_t olds = 0, news = 0;
    for (size_t i = 0; i < d->entries.len; i++) {
        const section_diff *e = d->entries.items[i];
        olds += e->has_old;
        news += e->has_new;
        assert_true(e->has_old || e->has_new);
        assert_int_equal(e->change == SECTION_CHANGED, e->diff != NULL);
    }
    assert_int_equal(olds, section_count(old, d->audience));
    assert_int_equal(news, section_count(new, d->audience));
}

static const section_diff *find_entry(const site_diff *d, section_change change,
                                      const char *display)
{
    for (size_t i = 0; i < d->entries.len; i++) {
        const section_diff *e = d->entries.items[i];
        const section_side *side = e->has_new ? &e->new_side : &e->old_side;
        if (e->change == change && strcmp(side->display, display) == 0)
            return e;
    }
    return NULL;
}

static void test_site_diff(void **state)
{
    sites *s = *state;
    site_diff *d = site_diff_compute(s->old, s->new, AUDIENCE_INTERNAL);
    assert_covers(d, s->old, s->new);
    assert_int_equal(d->changed, 1);
    assert_int_equal(d->added, 1);
    assert_int_equal(d->removed, 1);
    assert_int_equal(d->renamed, 0);
    assert_int_equal(d->renumbered, 1); /* 系統: 貳、三、 -> 貳、二、 */
    assert_true(site_diff_has_changes(d));

    const section_diff *e = find_entry(d, SECTION_CHANGED, "壹、一、政策");
    assert_non_null(e);
    assert_string_equal(e->new_side.doc_id, "basis");
    assert_string_equal(e->new_side.id, "policy");
    assert_string_equal(e->new_side.href, "plan/basis.html#policy");
    assert_false(e->title_changed);
    assert_false(e->number_changed);
    assert_non_null(e->diff);
    strbuf sb;
    sb_init(&sb);
    text_diff_html(&sb, e->diff, 0);
    assert_non_null(strstr(sb.data,
                           "為確保<ins>資訊之</ins>機密性、完整性及可用性，特<del>制</del>訂"
                           "<ins>定</ins>本政策：<br>\n1. 應建立風險管理機制。"));
    size_t del = 0, ins = 0;
    for (size_t i = 0; i < e->diff->len; i++) {
        if (e->diff->spans[i].op == DIFF_DELETE)
            del++;
        if (e->diff->spans[i].op == DIFF_INSERT)
            ins++;
    }
    assert_int_equal(del, 1);
    assert_int_equal(ins, 2);
    sb_free(&sb);
    /* The section's text: its list with markers, its footnote, the
     * cross-references by target. */
    assert_non_null(strstr(e->old_side.text, "\n(2) 加密傳輸：\nA. 使用 TLS。\n"));
    assert_non_null(strstr(e->old_side.text, "［註］格式可參附件：資通安全保密同意書，另見附件 2"
                                             "「資通安全保密同意書」與適用範圍。"));

    e = find_entry(d, SECTION_ADDED, "貳、三、無線網路");
    assert_non_null(e);
    assert_false(e->has_old);
    assert_string_equal(e->new_side.text, "校園無線網路應使用 WPA2 以上加密，並每季檢視。");
    assert_false(e->parent_same);

    e = find_entry(d, SECTION_REMOVED, "貳、二、政策");
    assert_non_null(e);
    assert_false(e->has_new);
    assert_string_equal(e->old_side.id, "政策-2");
    assert_string_equal(e->old_side.text, "同一章內重複之標題取得不同錨點。");

    e = find_entry(d, SECTION_RENUMBERED, "貳、二、系統");
    assert_non_null(e);
    assert_string_equal(e->old_side.number, "貳、三、");
    /* The register the section prints is part of its text. */
    assert_non_null(strstr(e->new_side.text, "SYS-1"));

    /* Unchanged: the rest, with their numbers, whatever xref filled in. */
    assert_non_null(find_entry(d, SECTION_UNCHANGED, "壹、依據及目的"));
    assert_non_null(find_entry(d, SECTION_UNCHANGED, "貳、一、政策"));
    assert_non_null(find_entry(d, SECTION_UNCHANGED, "貳、四、修訂"));
    assert_non_null(find_entry(d, SECTION_UNCHANGED, "附件 2「資通安全保密同意書」"));
    assert_int_equal(d->unchanged, d->entries.len - 4);

    /* Document order: the removed section where it was. */
    const char *order[] = {"壹、依據及目的", "壹、一、政策", "貳、適用範圍",     "貳、一、政策",
                           "貳、二、政策",   "貳、二、系統", "貳、三、無線網路", "貳、四、修訂"};
    size_t k = 0;
    for (size_t i = 0; i < d->entries.len && k < sizeof order / sizeof *order; i++) {
        const section_diff *x = d->entries.items[i];
        const section_side *side = x->has_new ? &x->new_side : &x->old_side;
        if (strcmp(side->display, order[k]) == 0)
            k++;
    }
    assert_int_equal(k, sizeof order / sizeof *order);

    char *summary = site_diff_summary(d);
    assert_string_equal(summary, "修正 壹、一、政策；新增 貳、三、無線網路；刪除 貳、二、政策");
    free(summary);
    site_diff_free(d);

    /* No change: nothing listed, empty summary. */
    d = site_diff_compute(s->old, s->old, AUDIENCE_PUBLIC);
    assert_covers(d, s->old, s->old);
    assert_false(site_diff_has_changes(d));
    assert_int_equal(d->unchanged, d->entries.len);
    summary = site_diff_summary(d);
    assert_string_equal(summary, "");
    free(summary);
    site_diff_free(d);
}

/* A retitled heading (its derived id changes) is the same section, renamed;
 * a new chapter is listed once, not with each of its sections. */
static void test_rename_and_new_chapter(void **state)
{
    sites *s = *state;
    char *dir = fs_join(s->dir, "renamed");
    copy_tree(GOLDEN, dir);
    edit_file(dir, "plan/02-scope.md", "## 系統\n", "## 資通系統\n");
    edit_file(dir, "plan/01-basis.md", "#### 防火牆\n", "#### 防火牆管理\n");
    char *chapter = fs_join(dir, "plan/03-wireless.md");
    const char *text = "---\nid: wireless\ntitle: 無線網路管理\n---\n前言。\n\n"
                       "## 存取\n\n應加密。\n\n## 訪客\n\n應隔離。\n";
    assert_true(fs_write_file(chapter, text, strlen(text)));
    free(chapter);
    site *renamed = site_load(dir, &quiet);
    assert_non_null(renamed);
    site_diff *d = site_diff_compute(s->old, renamed, AUDIENCE_PUBLIC);
    assert_covers(d, s->old, renamed);
    const section_diff *e = find_entry(d, SECTION_RENAMED, "貳、三、資通系統");
    assert_non_null(e);
    assert_string_equal(e->old_side.title, "系統");
    assert_string_equal(e->old_side.id, "系統");
    assert_string_equal(e->new_side.id, "資通系統");
    /* No text of its own: paired by position. */
    e = find_entry(d, SECTION_RENAMED, "壹、一、(一)1. 防火牆管理");
    assert_non_null(e);
    assert_int_equal(d->renamed, 2);
    assert_int_equal(d->added, 3);
    assert_int_equal(d->removed, 0);
    assert_int_equal(d->changed, 0);
    char *summary = site_diff_summary(d);
    assert_string_equal(
        summary, "修正 壹、一、(一)1. 防火牆管理（原「防火牆」），貳、三、資通系統（原「系統」）；"
                 "新增 參、無線網路管理");
    free(summary);

    value *page = site_diff_page_value(d, "V1.1", "V1.2", "V1.1/", "../");
    value *entries = value_map_get(page, "entries");
    assert_int_equal(value_list_len(entries), 5); /* 2 renamed, 3 added */
    value *first = value_list_get(entries, 0);
    assert_string_equal(value_as_string(value_map_get(first, "change")), "renamed");
    assert_string_equal(value_as_string(value_map_get(first, "title_diff_html")),
                        "防火牆<ins>管理</ins>");
    assert_string_equal(value_as_string(value_map_get(first, "href")),
                        "../plan/basis.html#防火牆管理");
    assert_string_equal(value_as_string(value_map_get(first, "old_href")),
                        "V1.1/plan/basis.html#防火牆");
    value_unref(page);
    site_diff_free(d);
    site_free(renamed);
    free(dir);
}

/* Removing the first of two headings with the same title: the second, whose
 * derived id shifts from 政策-2 to 政策, is the one that stayed. */
static void test_same_titles(void **state)
{
    sites *s = *state;
    char *dir = fs_join(s->dir, "same-titles");
    copy_tree(GOLDEN, dir);
    edit_file(dir, "plan/02-scope.md", "## 政策\n\n與第一章同名之標題，編號與錨點各自獨立。\n\n",
              "");
    site *t = site_load(dir, &quiet);
    assert_non_null(t);
    site_diff *d = site_diff_compute(s->old, t, AUDIENCE_PUBLIC);
    assert_covers(d, s->old, t);
    const section_diff *e = find_entry(d, SECTION_REMOVED, "貳、一、政策");
    assert_non_null(e);
    assert_string_equal(e->old_side.id, "政策");
    e = find_entry(d, SECTION_RENUMBERED, "貳、一、政策");
    assert_non_null(e);
    assert_string_equal(e->old_side.id, "政策-2");
    assert_string_equal(e->new_side.id, "政策");
    assert_int_equal(d->changed, 0);
    char *summary = site_diff_summary(d);
    assert_string_equal(summary, "刪除 貳、一、政策");
    free(summary);
    site_diff_free(d);
    site_free(t);
    free(dir);
}

/* A staff-only chapter is not in a public diff. */
static void test_audience(void **state)
{
    sites *s = *state;
    char *dir = fs_join(s->dir, "staff");
    copy_tree(GOLDEN, dir);
    char *chapter = fs_join(dir, "plan/03-internal.md");
    const char *text = "---\nid: internal\ntitle: 內部作業\naudience: staff\n---\n機敏作業說明。\n";
    assert_true(fs_write_file(chapter, text, strlen(text)));
    free(chapter);
    site *staff = site_load(dir, &quiet);
    assert_non_null(staff);
    site_diff *pub = site_diff_compute(s->old, staff, AUDIENCE_PUBLIC);
    assert_covers(pub, s->old, staff);
    assert_false(site_diff_has_changes(pub));
    site_diff *st = site_diff_compute(s->old, staff, AUDIENCE_STAFF);
    assert_covers(st, s->old, staff);
    assert_int_equal(st->added, 1);
    char *summary = site_diff_summary(st);
    assert_string_equal(summary, "新增 參、內部作業");
    free(summary);
    site_diff_free(pub);
    site_diff_free(st);
    site_free(staff);
    free(dir);
}

/* A register the plan prints is part of its section's text, as the
 * audience sees it; a deeply nested chapter is read without recursing. */
static void test_registers_and_nesting(void **state)
{
    sites *s = *state;
    char *dir = fs_join(s->dir, "registers");
    copy_tree(GOLDEN, dir);
    edit_file(dir, "registers/systems.yaml", "ip: 192.0.2.20", "ip: 192.0.2.99");
    site *ip = site_load(dir, &quiet);
    assert_non_null(ip);
    site_diff *pub = site_diff_compute(s->old, ip, AUDIENCE_PUBLIC);
    assert_covers(pub, s->old, ip);
    assert_false(site_diff_has_changes(pub)); /* the IP field is internal */
    site_diff *in = site_diff_compute(s->old, ip, AUDIENCE_INTERNAL);
    assert_covers(in, s->old, ip);
    assert_int_equal(in->changed, 1);
    const section_diff *e = find_entry(in, SECTION_CHANGED, "貳、三、系統");
    assert_non_null(e);
    strbuf sb;
    sb_init(&sb);
    text_diff_html(&sb, e->diff, 0);
    assert_non_null(strstr(sb.data, "IP：192.0.2.<del>20</del><ins>99</ins>"));
    sb_free(&sb);
    site_diff_free(pub);
    site_diff_free(in);
    site_free(ip);

    edit_file(dir, "registers/systems.yaml", "name: 校務行政系統", "name: 校務行政暨學籍系統");
    strbuf deep;
    sb_init(&deep);
    sb_append(&deep, "---\nid: deep\ntitle: 深層\n---\n");
    for (int i = 0; i < 3000; i++)
        sb_append(&deep, "> ");
    sb_append(&deep, "深層引文。\n\n");
    for (int i = 0; i < 2000; i++)
        sb_append(&deep, "[");
    sb_append(&deep, "方括號\n");
    char *path = fs_join(dir, "plan/03-deep.md");
    assert_true(fs_write_file(path, deep.data, deep.len));
    free(path);
    sb_free(&deep);
    site *names = site_load(dir, &quiet);
    assert_non_null(names);
    pub = site_diff_compute(s->old, names, AUDIENCE_PUBLIC);
    assert_covers(pub, s->old, names);
    assert_int_equal(pub->changed, 1);
    assert_int_equal(pub->added, 1);
    e = find_entry(pub, SECTION_CHANGED, "貳、三、系統");
    assert_non_null(e);
    sb_init(&sb);
    text_diff_html(&sb, e->diff, 0);
    assert_non_null(strstr(sb.data, "SYS-1｜校務行政<ins>暨學籍</ins>系統｜"));
    assert_null(strstr(sb.data, "192.0.2")); /* nor the internal field */
    sb_free(&sb);
    e = find_entry(pub, SECTION_ADDED, "參、深層");
    assert_non_null(e);
    assert_non_null(strstr(e->new_side.text, "深層引文。"));
    char *summary = site_diff_summary(pub);
    assert_string_equal(summary, "修正 貳、三、系統；新增 參、深層");
    free(summary);
    site_diff_free(pub);
    site_free(names);
    free(dir);
}

static void test_similarity(void **state)
{
    (void)state;
    assert_true(text_similarity("", "", 0.5) == 1.0);
    assert_true(text_similarity("甲乙丙丁", "甲乙丙丁", 0.5) == 1.0);
    /* Nothing in common: the bound answers without a diff. */
    assert_true(text_similarity("甲乙丙丁", "戊己庚辛", 0.5) == 0.0);
    double sim = text_similarity("應使用加密傳輸。", "應使用安全之加密傳輸。", 0.5);
    assert_true(sim > 0.8 && sim < 1.0);
}

/* ---- the pages, through the theme ---- */

static const char *theme_resolve(void *ctx, const char *name)
{
    map *sources = ctx;
    char *src = map_get(sources, name);
    if (src)
        return src;
    char *file = xasprintf(THEME "/%s.mustache", name);
    src = fs_read_file(file, 1 << 20, NULL);
    free(file);
    if (src)
        map_set(sources, name, src);
    return src;
}

static char *render_page(const char *template_name, value *page)
{
    map sources;
    map_init(&sources, free);
    tpl_set *set = tpl_set_new(theme_resolve, &sources);
    value *data = value_map();
    value *site = value_map();
    value_map_set_string(site, "title", "資通安全維護計畫");
    value_map_set(data, "site", site);
    value_map_set_string(data, "root", "../");
    value_map_set(data, "page", page);
    strbuf out;
    sb_init(&out);
    tpl_error err = {0};
    bool ok = tpl_render_named(set, template_name, data, &out, &err);
    if (!ok)
        fprintf(stderr, "%s:%d:%d: %s\n", err.name, err.line, err.col, err.message);
    assert_true(ok);
    value_unref(data);
    tpl_set_free(set);
    map_free(&sources);
    return sb_take(&out);
}

static void test_changes_page(void **state)
{
    sites *s = *state;
    site_diff *d = site_diff_compute(s->old, s->new, AUDIENCE_PUBLIC);
    assert_covers(d, s->old, s->new);
    value *page = site_diff_page_value(d, "V1.1", "V1.2", "V1.1/", "../");
    assert_string_equal(value_as_string(value_map_get(page, "summary")),
                        "修正 壹、一、政策；新增 貳、三、無線網路；刪除 貳、二、政策");
    assert_int_equal(value_list_len(value_map_get(page, "entries")), 3);
    assert_int_equal(value_list_len(value_map_get(page, "renumbered")), 1);
    char *html = render_page("changes", page);
    if (getenv("DIFF_TEST_DUMP"))
        fs_write_file(getenv("DIFF_TEST_DUMP"), html, strlen(html));
    assert_non_null(strstr(html, "<title>修訂對照：V1.1 → V1.2"));
    assert_non_null(strstr(html, "自 V1.1 至 V1.2：修正 1 節、新增 1 節、刪除 1 節。"));
    assert_non_null(strstr(html, "<a href=\"../plan/basis.html#policy\">壹、一、政策</a>"));
    assert_non_null(strstr(html, "為確保<ins>資訊之</ins>機密性"));
    assert_non_null(strstr(html, "<del>制</del>訂<ins>定</ins>"));
    assert_non_null(strstr(html, "<ins>校園無線網路應使用 WPA2 以上加密，並每季檢視。</ins>"));
    assert_non_null(strstr(html, "<del>同一章內重複之標題取得不同錨點。</del>"));
    assert_non_null(strstr(html, "V1.1/plan/scope.html#政策-2"));
    /* The renumbered list. */
    assert_non_null(
        strstr(html, "<li>貳、三、 → <a href=\"../plan/scope.html#系統\">貳、二、系統</a></li>"));
    assert_null(strstr(html, "貳、四、修訂")); /* unchanged: not listed */
    assert_non_null(strstr(html, "name=\"viewport\""));
    free(html);
    site_diff_free(d);
}

static void test_versions_page(void **state)
{
    sites *s = *state;
    /* V1.1 of the golden site has `changes`; a row without any gets the summary. */
    char *dir = fs_join(s->dir, "v12");
    copy_tree(s->new_dir, dir);
    char *path = fs_join(dir, "registers/revisions.yaml");
    const char *row = "  - version: V1.2\n    date: 2026-03-02\n    unit: 教導處\n"
                      "    editor: 資訊教師\n    approver: 校長\n    status: draft\n";
    char *text = fs_read_file(path, 1 << 20, NULL);
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, text);
    sb_append(&sb, row);
    assert_true(fs_write_file(path, sb.data, sb.len));
    sb_free(&sb);
    free(text);
    free(path);
    site *v12 = site_load(dir, &quiet);
    assert_non_null(v12);
    site_diff *d = site_diff_compute(s->old, v12, AUDIENCE_PUBLIC);
    assert_covers(d, s->old, v12);
    version_info infos[] = {
        {.version = "V1.0", .frozen = true},
        {.version = "V1.1", .frozen = true, .changes_href = "V1.1-changes.html"},
        {.version = "V1.2", .diff = d, .changes_href = "changes-V1.1-V1.2.html"},
    };
    version_compare cmp[] = {{"V1.0 → V1.2", "changes-V1.0-V1.2.html"}};
    value *page = site_versions_page_value(v12, AUDIENCE_PUBLIC, infos, 3, cmp, 1);
    assert_non_null(page);
    value *rows = value_map_get(page, "rows");
    assert_int_equal(value_list_len(rows), 3);
    value *cur = value_list_get(rows, 0); /* newest first */
    assert_string_equal(value_as_string(value_map_get(cur, "version")), "V1.2");
    assert_string_equal(value_as_string(value_map_get(cur, "changes")),
                        "修正 壹、一、政策；新增 貳、三、無線網路；刪除 貳、二、政策");
    assert_true(value_truthy(value_map_get(cur, "changes_generated")));
    assert_true(value_truthy(value_map_get(cur, "current")));
    assert_string_equal(value_as_string(value_map_get(cur, "date")), "115/03/02");
    assert_string_equal(value_as_string(value_map_get(cur, "status_label")), "草案");
    value *v11 = value_list_get(rows, 1);
    assert_string_equal(value_as_string(value_map_get(v11, "changes")), "修正核心業務表\n新增附件");
    assert_int_equal(value_list_len(value_map_get(v11, "changes_lines")), 2);
    assert_false(value_truthy(value_map_get(v11, "changes_generated")));
    assert_string_equal(value_as_string(value_map_get(v11, "release_href")), "V1.1/index.html");
    char *html = render_page("versions", page);
    assert_non_null(strstr(html, "<a href=\"V1.1/index.html\">"));
    assert_non_null(strstr(html, "<a href=\"V1.1-changes.html\">"));
    assert_non_null(strstr(html, "<a href=\"changes-V1.0-V1.2.html\">V1.0 → V1.2</a>"));
    assert_non_null(strstr(html, "修正 壹、一、政策；新增 貳、三、無線網路；刪除 貳、二、政策"));
    assert_non_null(strstr(html, "<time datetime=\"2018-12-26\">107/12/26</time>"));
    assert_null(strstr(html, "V1.2/index.html")); /* not released */
    free(html);
    site_diff_free(d);
    site_free(v12);
    free(dir);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest text_tests[] = {
        cmocka_unit_test(test_cjk),
        cmocka_unit_test(test_identical),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_cleanup),
        cmocka_unit_test(test_context),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_pathological),
        cmocka_unit_test(test_similarity),
    };
    const struct CMUnitTest site_tests[] = {
        cmocka_unit_test(test_site_diff),
        cmocka_unit_test(test_rename_and_new_chapter),
        cmocka_unit_test(test_same_titles),
        cmocka_unit_test(test_audience),
        cmocka_unit_test(test_registers_and_nesting),
        cmocka_unit_test(test_changes_page),
        cmocka_unit_test(test_versions_page),
    };
    /* clang-format on */
    int failed = cmocka_run_group_tests_name("textdiff", text_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("sitediff", site_tests, sites_setup, sites_teardown);
    return failed ? 1 : 0;
}
