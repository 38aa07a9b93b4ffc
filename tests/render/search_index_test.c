/* render/html/search_index: the index made from parts, as the pages are
 * written: the docs' entries in order, the terms in the order first seen
 * with their docs numbered across parts; parts shared between editions in
 * the range of audiences a page was made alike for; and the file written out in pieces that make the same file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "render/html/search_index.h"

typedef struct sink {
    strbuf out;
    int writes;
} sink;

static void collect(void *ctx, const char *data, size_t len)
{
    sink *s = ctx;
    sb_appendn(&s->out, data, len);
    s->writes++;
}

/* A register's table (no document): a doc before the rows, one per row;
 * rendered for aud's edition, the same bytes for every audience in same. */
static search_part *rows_for(search_share *share, audience aud, audience_range same,
                             const char *name, const char *html)
{
    char *href = xasprintf("registers/%s.html", name);
    search_part *p = search_part_of_html(share, aud, same, NULL, href, "", "紀錄及清冊", name,
                                         html, strlen(html));
    free(href);
    return p;
}

static const audience_range EVERY = {AUDIENCE_PUBLIC, AUDIENCE_INTERNAL};

/* A table whose rendering asked nothing of the audience. */
static search_part *rows(search_share *share, const char *name, const char *html)
{
    return rows_for(share, AUDIENCE_PUBLIC, EVERY, name, html);
}

/* The index of the parts, as written; with a share, *same gets the file
 * of an earlier index it is the same as (then nothing is written). */
static char *index_with(search_share *share, const char *file, search_part **parts, size_t n,
                        int *writes, char **same)
{
    sink s = {0};
    sb_init(&s.out);
    search_index *ix = search_index_new(share, file, collect, &s);
    for (size_t i = 0; i < n; i++)
        search_index_add(ix, parts[i]);
    char *was = search_index_finish(ix);
    if (same)
        *same = was;
    else
        assert_null(was);
    if (writes)
        *writes = s.writes;
    return sb_take(&s.out);
}

static char *index_of(search_part **parts, size_t n, int *writes)
{
    return index_with(NULL, "search/index.js", parts, n, writes, NULL);
}

static const char A[] = "<p>資通安全 &amp; Firewall</p>"
                        "<table><tr id=\"r-1\"><td>安全\"稽核\"</td></tr>"
                        "<tr id=\"r-2\"><td>FIREWALL firewall<sup>1</sup></td></tr></table>";
static const char B[] = "<tr id=\"x\"><td>稽核 extraordinarily</td></tr>";

static void test_index_of_parts(void **state)
{
    (void)state;
    search_part *parts[2] = {rows(NULL, "a", A), rows(NULL, "b", B)};
    char *js = index_of(parts, 2, NULL);
    /* Docs 0-2 from the first part, 3-4 from the second, each row's titled
     * by its id and numbered by the register: 稽核 is in docs 1 and 4 (gaps
     * 1,3); titles' terms come first; a long word keeps its text; upper
     * case folds; footnote marks are no text. */
    assert_string_equal(js,
        "window.POLICYGEN_SEARCH={\"v\":1,\"docs\":[\n"
        "[\"registers/a.html\",\"紀錄及清冊\",\"a\",\"資通安全 & Firewall\"],\n"
        "[\"registers/a.html#r-1\",\"a\",\"r-1\",\"安全\\\"稽核\\\"\"],\n"
        "[\"registers/a.html#r-2\",\"a\",\"r-2\",\"FIREWALL firewall\"],\n"
        "[\"registers/b.html\",\"紀錄及清冊\",\"b\",\"\"],\n"
        "[\"registers/b.html#x\",\"b\",\"x\",\"稽核 extraordinarily\"]],\n"
        "\"terms\":{\"a\":\"0\",\"資通\":\"0\",\"通安\":\"0\",\"安全\":\"0,1\",\"firewall\":\"0,2\","
        "\"r\":\"1,1\",\"1\":\"1\",\"稽核\":\"1,3\",\"2\":\"2\",\"b\":\"3\",\"x\":\"4\","
        "\"extraordinarily\":\"4\"}};\n");
    free(js);
    search_part_release(parts[0]);
    search_part_release(parts[1]);
}

/* A doc's text: white space runs (spaces, tabs, line ends) made one space
 * and trimmed, which separate terms as one space does; full-width letters
 * fold for the terms but keep their form in the text; U+2028 and U+2029 are
 * escaped in the text; a word of more than 8 bytes keeps its text. */
static void test_text_and_terms(void **state)
{
    (void)state;
    static const char H[] = "<p>  資通\t\n 安全 </p><p>\r\nＡＢ管理\xE2\x80\xA8x\xE2\x80\xA9 "
                            "superlongword   </p>";
    search_part *parts[1] = {rows(NULL, "t", H)};
    char *js = index_of(parts, 1, NULL);
    assert_string_equal(js,
        "window.POLICYGEN_SEARCH={\"v\":1,\"docs\":[\n"
        "[\"registers/t.html\",\"紀錄及清冊\",\"t\","
        "\"資通 安全 ＡＢ管理\\u2028x\\u2029 superlongword\"]],\n"
        "\"terms\":{\"t\":\"0\",\"資通\":\"0\",\"安全\":\"0\",\"ab\":\"0\",\"管理\":\"0\","
        "\"x\":\"0\",\"superlongword\":\"0\"}};\n");
    free(js);
    search_part_release(parts[0]);
}

static void test_share(void **state)
{
    (void)state;
    search_share *share = search_share_new();
    search_part *a1 = rows(share, "a", A);
    /* Another edition in the range the page was made for: the same part. */
    search_part *a2 = rows_for(share, AUDIENCE_STAFF, EVERY, "a", A);
    assert_ptr_equal(a1, a2);
    /* A page the public edition made its own (it asked what only the
     * public edition answers so): the staff edition makes its part, which
     * the internal edition then finds, as that rendering's range says. */
    audience_range pub = {AUDIENCE_PUBLIC, AUDIENCE_PUBLIC};
    audience_range above = {AUDIENCE_STAFF, AUDIENCE_INTERNAL};
    search_part *b = rows_for(share, AUDIENCE_PUBLIC, pub, "b", A);
    search_part *b_staff = rows_for(share, AUDIENCE_STAFF, above, "b", B);
    assert_ptr_not_equal(b_staff, b);
    search_part *b_internal = rows_for(share, AUDIENCE_INTERNAL, above, "b", B);
    assert_ptr_equal(b_internal, b_staff);
    /* Another page: a part of its own. */
    search_part *c = rows(share, "c", A);
    assert_ptr_not_equal(c, a1);
    /* The last edition takes the part; after it, the share has none. */
    assert_true(search_share_more(share));
    search_share_last(share);
    assert_false(search_share_more(share));
    search_part *a3 = rows_for(share, AUDIENCE_INTERNAL, EVERY, "a", A);
    assert_ptr_equal(a3, a1);
    search_part *a4 = rows_for(share, AUDIENCE_INTERNAL, EVERY, "a", A);
    assert_ptr_not_equal(a4, a1);
    /* A shared part and one made anew give the same file. */
    search_part *x[2] = {a1, b}, *y[2] = {a4, b};
    char *jx = index_of(x, 2, NULL), *jy = index_of(y, 2, NULL);
    assert_string_equal(jx, jy);
    free(jx);
    free(jy);
    search_part *all[] = {a1, a2, b, b_staff, b_internal, c, a3, a4};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        search_part_release(all[i]); /* ASan: nothing left, nothing freed twice */
    search_share_free(share);
}

/* An edition whose parts are all those of the last index, in order, is
 * that index (its file); one part more, less or other, and it is made. */
static void test_same_index(void **state)
{
    (void)state;
    search_share *share = search_share_new();
    search_part *a = rows(share, "a", A), *b = rows(share, "b", B);
    search_part *ab[] = {a, b};
    char *same = NULL;
    char *first = index_with(share, "public/search/index.js", ab, 2, NULL, &same);
    assert_null(same);
    char *again = index_with(share, "staff/search/index.js", ab, 2, NULL, &same);
    assert_string_equal(again, "");
    assert_string_equal(same, "public/search/index.js");
    free(same);
    free(again);
    /* A prefix, another order, one more: made (and the same as made anew). */
    search_part *c = rows(share, "c", B);
    search_part *prefix[] = {a}, *swapped[] = {b, a}, *more[] = {a, b, c};
    search_part **lists[] = {prefix, swapped, more};
    size_t lens[] = {1, 2, 3};
    for (size_t i = 0; i < 3; i++) {
        char *made = index_with(share, "x/search/index.js", lists[i], lens[i], NULL, &same);
        assert_null(same);
        char *fresh = index_of(lists[i], lens[i], NULL);
        assert_string_equal(made, fresh);
        free(made);
        free(fresh);
    }
    /* The last made ({a, b, c}) is the one to be the same as now. */
    char *last = index_with(share, "y/search/index.js", more, 3, NULL, &same);
    assert_string_equal(same, "x/search/index.js");
    free(same);
    free(last);
    assert_true(strlen(first) > 100);
    free(first);
    search_part_release(a);
    search_part_release(b);
    search_part_release(c);
    search_share_free(share);
}

static void test_written_in_pieces(void **state)
{
    (void)state;
    /* About 2 MB of docs: written out in pieces. */
    size_t n = 1200;
    search_part **parts = xcalloc(n, sizeof *parts);
    strbuf html;
    sb_init(&html);
    for (size_t i = 0; i < n; i++) {
        sb_clear(&html);
        sb_printf(&html, "<p>共同 word%zu</p>", i);
        for (int k = 0; k < 300; k++)
            sb_append(&html, "資料");
        char name[32];
        snprintf(name, sizeof name, "r%zu", i);
        parts[i] = search_part_of_html(NULL, AUDIENCE_PUBLIC, EVERY, NULL, name, "", "n", "t",
                                       html.data, html.len);
    }
    sb_free(&html);
    int writes = 0;
    char *js = index_of(parts, n, &writes);
    assert_true(writes >= 2);
    assert_true(strlen(js) > ((size_t)3 << 19));
    /* The pieces make one file: every doc in order, 共同 in each. */
    assert_non_null(strstr(js, "[\"r0\",\"n\",\"t\",\"共同 word0 資料"));
    assert_non_null(strstr(js, "\n[\"r1199\",\"n\",\"t\",\"共同 word1199 資料"));
    const char *term = strstr(js, "\"共同\":\"");
    assert_non_null(term);
    term += strlen("\"共同\":\"");
    assert_true(strncmp(term, "0,1,1,", 6) == 0);
    size_t ones = 0;
    for (const char *p = term + 1; *p == ',' && p[1] == '1'; p += 2)
        ones++;
    assert_int_equal(ones, n - 1);
    assert_string_equal(js + strlen(js) - 4, "}};\n");
    free(js);
    for (size_t i = 0; i < n; i++)
        search_part_release(parts[i]);
    free(parts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_of_parts),
        cmocka_unit_test(test_text_and_terms),
        cmocka_unit_test(test_share),
        cmocka_unit_test(test_same_index),
        cmocka_unit_test(test_written_in_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
