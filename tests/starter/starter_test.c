/* starter_short_name: official school names lose their city or county,
 * owner and district and abbreviate their level; anything else is kept. And
 * starter_options_problem: what `policygen new` refuses before it touches
 * anything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "starter/starter.h"

static void expect_short(const char *org, const char *want)
{
    char *got = starter_short_name(org);
    if (strcmp(got, want) != 0)
        print_error("%s -> %s, expected %s\n", org, got, want);
    assert_string_equal(got, want);
    free(got);
}

static void test_school_names_shorten(void **state)
{
    (void)state;
    expect_short("基隆市隆聖國民小學", "隆聖國小");
    expect_short("臺北市大安區金華國民小學", "金華國小");
    expect_short("臺北市立建國高級中學", "建國高中");
    expect_short("新北市私立南山高級中學", "南山高中");
    expect_short("新竹縣竹北市竹北國民小學", "竹北國小");
    expect_short("臺南市新市區新市國民小學", "新市國小");
    expect_short("屏東縣三地門鄉三地國民小學", "三地國小");
    expect_short("宜蘭縣三星鄉三星國民中學", "三星國中");
    expect_short("國立臺灣師範大學附屬高級中學", "國立臺灣師範大學附屬高中");
    expect_short("桃園市立大園國際高級中等學校", "大園國際高中");
}

static void test_what_is_cut_leaves_a_name(void **state)
{
    (void)state;
    /* the own name is never cut below two characters */
    expect_short("新北市新市國民小學", "新市國小");
    expect_short("臺中市立人國民小學", "立人國小");
    expect_short("國民小學", "國民小學");
    expect_short("大同國民小學", "大同國小");
}

static void test_other_names_are_kept(void **state)
{
    (void)state;
    expect_short("基隆市政府教育處", "基隆市政府教育處");
    expect_short("國立臺灣大學", "國立臺灣大學");
    expect_short("Example School", "Example School");
    expect_short("", "");
}

static void expect_problem(const starter_options *o, const char *want)
{
    char *got = starter_options_problem(o);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_non_null(strstr(got, want));
    free(got);
}

static void test_options_refused(void **state)
{
    (void)state;
    starter_options o = {.dir = "x", .org = "測試國民小學"};
    expect_problem(&o, NULL);
    o.level = "D";
    expect_problem(&o, NULL);
    o.level = "d";
    expect_problem(&o, NULL);
    o.level = "B";
    expect_problem(&o, "those of level B are not encoded yet");
    o.level = "DD";
    expect_problem(&o, "is not a 資通安全責任等級");
    o.level = NULL;
    o.org = NULL;
    expect_problem(&o, "--org is required");
    o.org = "測試\t國小";
    expect_problem(&o, "--org holds a control character");
    o.org = "\xe6\xb8\xac\xff";
    expect_problem(&o, "--org is not UTF-8 text");
    o.org = "測試國民小學";
    o.parent = "";
    expect_problem(&o, "--parent is required and may not be empty");
    o.parent = NULL;
    o.short_name = "a\nb";
    expect_problem(&o, "--short-name holds a control character");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_school_names_shorten),
        cmocka_unit_test(test_what_is_cut_leaves_a_name),
        cmocka_unit_test(test_other_names_are_kept),
        cmocka_unit_test(test_options_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
