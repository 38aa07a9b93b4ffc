/* render/pdf/text: how the PDFs' paragraphs break. A label's short value
 * that ends a line (a name after "：") is kept whole on the next line when
 * the line is full, where a longer value breaks anywhere as Chinese text
 * does; the column measure counts the kept value as one piece. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/xalloc.h"
#include "render/pdf/style.h"
#include "render/pdf/text.h"

static pdf_style style;
static pdf_ctx ctx;

static int setup(void **state)
{
    (void)state;
    pdf_style_defaults(&style);
    pdf_ctx_init(&ctx, &style);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pdf_ctx_free(&ctx);
    pdf_style_free(&style);
    return 0;
}

static const text_style BODY = {PDF_FONT_BODY, false, false, false, 10};

/* The lines of text laid out at a width of n characters and a half (the
 * text's characters are all as wide: full-width), each a string; caller
 * frees. */
static char **lines_at(const char *text, double chars, int *n)
{
    rich r;
    rich_init(&r, PDF_FONT_BODY, 10);
    rich_appends(&r, text);
    double one = text_width(&ctx, "國", &BODY);
    para_opts o = {.width = one * chars, .line_height = 1.4};
    para *p = para_new(&ctx, &r, &o);
    char **out = xcalloc((size_t)p->nlines + 1, sizeof *out);
    for (int i = 0; i < p->nlines; i++) {
        size_t s = p->lines[i].start, e = p->lines[i].end;
        while (e > s && p->r.text.data[e - 1] == '\n')
            e--;
        out[i] = xstrndup(p->r.text.data + s, e - s);
    }
    *n = p->nlines;
    para_free(p);
    return out;
}

static void free_lines(char **lines, int n)
{
    for (int i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

static void test_a_name_is_kept_whole(void **state)
{
    (void)state;
    int n;
    /* Eight and a half characters: 陳 would fit on the first line. */
    char **l = lines_at("系統管理人員：陳素梅", 8.5, &n);
    assert_int_equal(n, 2);
    assert_string_equal(l[0], "系統管理人員：");
    assert_string_equal(l[1], "陳素梅");
    free_lines(l, n);
    /* Where it fits, it stays on the line. */
    l = lines_at("管理人員：陳素梅", 8.5, &n);
    assert_int_equal(n, 1);
    free_lines(l, n);
}

static void test_a_longer_value_breaks(void **state)
{
    (void)state;
    int n;
    char **l = lines_at("系統維護廠商：本市公文系統廠商", 8.5, &n);
    assert_int_equal(n, 2);
    assert_string_equal(l[0], "系統維護廠商：本");
    assert_string_equal(l[1], "市公文系統廠商");
    free_lines(l, n);
    /* Not after a colon, or not at the end of the line: as any text. */
    l = lines_at("系統管理人員陳素梅", 8.5, &n);
    assert_int_equal(n, 2);
    assert_string_equal(l[0], "系統管理人員陳素");
    free_lines(l, n);
    l = lines_at("系統管理人員：陳素梅等人", 8.5, &n);
    assert_int_equal(n, 2);
    assert_string_equal(l[0], "系統管理人員：陳");
    free_lines(l, n);
}

static void test_the_measure_counts_it_whole(void **state)
{
    (void)state;
    double one = text_width(&ctx, "國", &BODY);
    rich r;
    rich_init(&r, PDF_FONT_BODY, 10);
    rich_appends(&r, "系統管理人員：陳素梅\n其他：無");
    double mn, mx;
    rich_measure(&ctx, &r, &mn, &mx);
    rich_free(&r);
    assert_true(mn >= 3 * one - 0.01);
    assert_true(mn < 4 * one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_name_is_kept_whole),
        cmocka_unit_test(test_a_longer_value_breaks),
        cmocka_unit_test(test_the_measure_counts_it_whole),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
