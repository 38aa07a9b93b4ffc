/* Unit tests for generator/template beyond what the Mustache spec covers:
 * error reports, reuse of compiled templates, the recursion guard. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/value.h"
#include "template/template.h"

/* Partials as a NULL-terminated list of name, source pairs. */
static const char *resolve_pairs(void *ctx, const char *name)
{
    const char *const *pairs = ctx;
    for (size_t i = 0; pairs[i]; i += 2)
        if (strcmp(pairs[i], name) == 0)
            return pairs[i + 1];
    return NULL;
}

static void test_unclosed_section_reports_position(void **state)
{
    (void)state;
    tpl_error err = {0};
    tpl *t = tpl_compile("page.html", "<ul>\n  {{#items}}\n  <li>{{name}}</li>\n</ul>\n", &err);
    assert_null(t);
    assert_string_equal(err.name, "page.html");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 3);
    assert_non_null(strstr(err.message, "items"));
}

static void test_mismatched_end_reports_closing_tag(void **state)
{
    (void)state;
    tpl_error err = {0};
    tpl *t = tpl_compile("t", "{{#a}}\n{{#b}}x{{/a}}\n{{/b}}", &err);
    assert_null(t);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 8);
    assert_non_null(strstr(err.message, "'a'"));
    assert_non_null(strstr(err.message, "'b'"));
}

static void test_unclosed_tag_and_stray_close(void **state)
{
    (void)state;
    tpl_error err = {0};
    assert_null(tpl_compile("t", "ok\nbad {{name", &err));
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 5);

    memset(&err, 0, sizeof err);
    assert_null(tpl_compile("t", "x{{/a}}", &err));
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 2);

    memset(&err, 0, sizeof err);
    assert_null(tpl_compile("t", "{{=<% %>=}}\n<%#a%>", &err));
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
}

static void test_error_in_partial_names_the_partial(void **state)
{
    (void)state;
    const char *partials[] = {"broken", "line one\n{{#open}}", NULL};
    tpl_set *set = tpl_set_new(resolve_pairs, partials);
    strbuf out;
    sb_init(&out);
    sb_append(&out, "kept");
    tpl_error err = {0};
    assert_false(tpl_render_string(set, "page", "a {{>broken}} b", NULL, &out, &err));
    assert_string_equal(err.name, "broken");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
    assert_string_equal(out.data, "kept"); /* output untouched on failure */
    sb_free(&out);
    tpl_set_free(set);
}

static void test_compiled_template_renders_the_same_twice(void **state)
{
    (void)state;
    const char *partials[] = {
        "layout",
        "<title>{{$title}}Site{{/title}}</title>\n<main>\n  {{$body}}\n  {{/body}}\n</main>\n",
        "item",
        "<li>{{name}}</li>\n",
        NULL,
    };
    tpl_set *set = tpl_set_new(resolve_pairs, partials);
    tpl_error err = {0};
    tpl *t = tpl_compile("page",
                         "{{<layout}}{{$title}}{{heading}}{{/title}}{{$body}}\n"
                         "<ul>\n{{#items}}\n  {{>item}}\n{{/items}}\n</ul>\n{{/body}}{{/layout}}\n",
                         &err);
    assert_non_null(t);

    value *data = value_map();
    value_map_set_string(data, "heading", "A & B");
    value *items = value_list();
    for (int i = 0; i < 2; i++) {
        value *item = value_map();
        value_map_set_string(item, "name", i ? "<two>" : "one");
        value_list_push(items, item);
    }
    value_map_set(data, "items", items);

    strbuf first, second;
    sb_init(&first);
    sb_init(&second);
    assert_true(tpl_render(set, t, data, &first, &err));
    assert_true(tpl_render(set, t, data, &second, &err));
    /* The page's block is re-indented to where the layout puts it. */
    assert_string_equal(first.data, "<title>A &amp; B</title>\n"
                                    "<main>\n"
                                    "  <ul>\n"
                                    "    <li>one</li>\n"
                                    "    <li>&lt;two&gt;</li>\n"
                                    "  </ul>\n"
                                    "</main>\n");
    assert_string_equal(first.data, second.data);

    /* The named path goes through the same cache. */
    strbuf named;
    sb_init(&named);
    assert_true(tpl_render_named(set, "item", items->as.list.items[0], &named, &err));
    assert_string_equal(named.data, "<li>one</li>\n");

    sb_free(&named);
    sb_free(&first);
    sb_free(&second);
    value_unref(data);
    tpl_free(t);
    tpl_set_free(set);
}

static void test_self_including_partial_stops_at_fixed_depth(void **state)
{
    (void)state;
    const char *partials[] = {"self", "x\n{{>self}}", NULL};
    tpl_set *set = tpl_set_new(resolve_pairs, partials);
    strbuf out;
    sb_init(&out);
    tpl_error err = {0};
    assert_false(tpl_render_named(set, "self", NULL, &out, &err));
    assert_string_equal(err.name, "self");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
    char depth[16];
    snprintf(depth, sizeof depth, "%d", TPL_MAX_INCLUDE_DEPTH);
    assert_non_null(strstr(err.message, depth));
    assert_int_equal(out.len, 0);

    /* So does a parent that is its own parent. */
    const char *parents[] = {"p", "{{<p}}{{/p}}", NULL};
    tpl_set *set2 = tpl_set_new(resolve_pairs, parents);
    assert_false(tpl_render_named(set2, "p", NULL, &out, &err));
    assert_string_equal(err.name, "p");

    sb_free(&out);
    tpl_set_free(set);
    tpl_set_free(set2);
}

static void test_recursion_with_changing_data_is_allowed(void **state)
{
    (void)state;
    const char *partials[] = {"node", "{{n}}{{#child}}({{>node}}){{/child}}", NULL};
    tpl_set *set = tpl_set_new(resolve_pairs, partials);
    value *root = value_map();
    value *cur = root;
    for (int i = 0; i < 10; i++) {
        value_map_set_number(cur, "n", i);
        if (i == 9) {
            /* Else the lookup would find the parent's child: the context stack. */
            value_map_set_bool(cur, "child", false);
        } else {
            value *child = value_map();
            value_map_set(cur, "child", child);
            cur = child;
        }
    }
    strbuf out;
    sb_init(&out);
    tpl_error err = {0};
    assert_true(tpl_render_named(set, "node", root, &out, &err));
    assert_string_equal(out.data, "0(1(2(3(4(5(6(7(8(9)))))))))");
    sb_free(&out);
    value_unref(root);
    tpl_set_free(set);
}

static void test_missing_named_template_is_an_error(void **state)
{
    (void)state;
    const char *partials[] = {NULL};
    tpl_set *set = tpl_set_new(resolve_pairs, partials);
    strbuf out;
    sb_init(&out);
    tpl_error err = {0};
    assert_false(tpl_render_named(set, "nope", NULL, &out, &err));
    assert_string_equal(err.name, "nope");
    /* ...while a missing partial renders as nothing. */
    assert_true(tpl_render_string(set, "t", "[{{>nope}}]", NULL, &out, &err));
    assert_string_equal(out.data, "[]");
    sb_free(&out);
    tpl_set_free(set);
}

static void test_deep_section_nesting_is_an_error(void **state)
{
    (void)state;
    strbuf src;
    sb_init(&src);
    for (int i = 0; i <= TPL_MAX_NESTING; i++)
        sb_append(&src, "{{#a}}");
    for (int i = 0; i <= TPL_MAX_NESTING; i++)
        sb_append(&src, "{{/a}}");
    tpl_error err = {0};
    assert_null(tpl_compile("deep", src.data, &err));
    assert_non_null(strstr(err.message, "nested"));
    sb_free(&src);
}

static void test_standalone_partial_inside_inline_partial(void **state)
{
    (void)state;
    /* The inner partial's indentation is text on the outer line. */
    const char *partials[] = {"outer", "  {{>inner}}\n", "inner", "a\nb\n", NULL};
    tpl_set *set = tpl_set_new(resolve_pairs, partials);
    strbuf out;
    sb_init(&out);
    tpl_error err = {0};
    assert_true(tpl_render_string(set, "t", "x{{>outer}}y", NULL, &out, &err));
    assert_string_equal(out.data, "x  a\n  b\ny");
    sb_free(&out);
    tpl_set_free(set);
}

/* n sections over `items` nested inside each other, around text. */
static char *nested_sections(int n, const char *text)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < n; i++)
        sb_append(&sb, "{{#items}}");
    sb_append(&sb, text);
    for (int i = 0; i < n; i++)
        sb_append(&sb, "{{/items}}");
    return sb_take(&sb);
}

static value *items(int n)
{
    value *v = value_map();
    value *list = value_list();
    for (int i = 0; i < n; i++)
        value_list_push(list, value_map());
    value_map_set(v, "items", list);
    return v;
}

/* Found by fuzzing: sections that repeat inside each other multiply, and a
 * template of a few hundred bytes asked for gigabytes (4^14 copies of 64
 * bytes here) or for billions of steps (2^40 with no text): each stops with
 * an error at its limit (here lower than the real ones, to be quick), and
 * the output is left as it was. */
static void test_multiplying_sections_stop_at_the_limits(void **state)
{
    (void)state;
    value *four = items(4), *two = items(2);
    tpl_set *set = tpl_set_new(NULL, NULL);
    tpl_set_limits(set, TPL_MAX_OUTPUT / 16, TPL_MAX_STEPS / 10);
    char *big = nested_sections(14, "0123456789012345678901234567890123456789012345678901234567890123");
    char *slow = nested_sections(40, "");
    strbuf out;
    sb_init(&out);
    sb_append(&out, "before");
    tpl_error err = {0};
    assert_false(tpl_render_string(set, "big", big, four, &out, &err));
    assert_non_null(strstr(err.message, "larger than 16 MiB"));
    assert_string_equal(out.data, "before");
    assert_false(tpl_render_string(set, "slow", slow, two, &out, &err));
    assert_non_null(strstr(err.message, "more than 1000000 tags"));
    assert_string_equal(out.data, "before");
    sb_free(&out);
    free(big);
    free(slow);
    tpl_set_free(set);
    value_unref(four);
    value_unref(two);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unclosed_section_reports_position),
        cmocka_unit_test(test_mismatched_end_reports_closing_tag),
        cmocka_unit_test(test_unclosed_tag_and_stray_close),
        cmocka_unit_test(test_error_in_partial_names_the_partial),
        cmocka_unit_test(test_compiled_template_renders_the_same_twice),
        cmocka_unit_test(test_self_including_partial_stops_at_fixed_depth),
        cmocka_unit_test(test_recursion_with_changing_data_is_allowed),
        cmocka_unit_test(test_missing_named_template_is_an_error),
        cmocka_unit_test(test_deep_section_nesting_is_an_error),
        cmocka_unit_test(test_standalone_partial_inside_inline_partial),
        cmocka_unit_test(test_multiplying_sections_stop_at_the_limits),
    };
    return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
