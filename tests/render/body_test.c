/* A document's body rendered once at load (html_prerender_body, holes filled
 * for each page) is byte for byte the body rendered from its tree parsed
 * again: for every document of the example plan, of the golden site and of
 * a site written here with what the holes must get right (cross-references
 * an edition hides or cannot resolve, empty ones, footnotes marked twice and
 * inside `only` blocks, directives, an image whose text holds a link, a
 * table with an empty link), in every edition, from both page depths, with
 * and without heading marks; and the audiences a body asked about while it
 * was rendered (audience_track) are ones that all get its bytes; values
 * kept with a body (html_body_value) are made once. Run from the repository
 * root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "content/site.h"
#include "core/fs.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "render/html/body.h"
#include "xref/xref.h"

typedef struct loaded {
    site *s;
    xref_table *xref;
} loaded;

static loaded load(const char *dir, bool prerender)
{
    diag_sink quiet = diag_to_stream(NULL);
    site_visitor bodies = {.visit = html_prerender_body};
    loaded l;
    l.s = site_load_visiting(dir, 2, prerender ? &bodies : NULL, &quiet);
    assert_non_null(l.s);
    l.xref = xref_resolve_site(l.s, &quiet);
    return l;
}

static void unload(loaded *l)
{
    xref_table_free(l->xref);
    site_free(l->s);
}

static char *render(const site *s, const document *d, audience aud, const char *root,
                    html_id_marks *marks)
{
    strbuf sb;
    sb_init(&sb);
    html_body_options opts = {.site = s, .audience = aud, .root = root, .id_marks = marks};
    html_render_body(&sb, d, &opts);
    return sb_take(&sb);
}

/* The audiences d's body asked about when rendered for aud (the range
 * audience_track narrows): every edition in it gets the same bytes. */
static audience_range same_range(const site *s, const document *d, audience aud)
{
    audience_range same = {AUDIENCE_PUBLIC, AUDIENCE_INTERNAL};
    audience_track(&same);
    char *body = render(s, d, aud, "../", NULL);
    audience_track(NULL);
    if (aud < same.lo || aud > same.hi)
        fail_msg("%s, edition %d: outside its own range %d-%d", d->path, aud, same.lo, same.hi);
    for (int b = (int)same.lo; b <= (int)same.hi; b++) {
        char *other = render(s, d, (audience)b, "../", NULL);
        if (strcmp(other, body) != 0)
            fail_msg("%s: editions %d and %d differ, but the range %d-%d says alike", d->path,
                     aud, b, same.lo, same.hi);
        free(other);
    }
    free(body);
    return same;
}

static void compare_document(const site *pre_site, const document *pre, const site *tree_site,
                             const document *tree)
{
    for (int a = AUDIENCE_PUBLIC; a <= AUDIENCE_INTERNAL; a++) {
        audience_range r1 = same_range(pre_site, pre, (audience)a);
        audience_range r2 = same_range(tree_site, tree, (audience)a);
        assert_int_equal(r1.lo, r2.lo);
        assert_int_equal(r1.hi, r2.hi);
    }
    static const char *const roots[] = {"../", ""};
    for (int a = AUDIENCE_PUBLIC; a <= AUDIENCE_INTERNAL; a++) {
        for (size_t k = 0; k < 2; k++) {
            html_id_marks m1 = {0}, m2 = {0};
            char *from_load = render(pre_site, pre, (audience)a, roots[k], &m1);
            char *from_tree = render(tree_site, tree, (audience)a, roots[k], &m2);
            if (strcmp(from_load, from_tree) != 0)
                fail_msg("%s, edition %d, root '%s': the bodies differ", pre->path, a, roots[k]);
            assert_int_equal(m1.len, m2.len);
            for (size_t i = 0; i < m1.len; i++)
                assert_int_equal(m1.at[i], m2.at[i]);
            free(m1.at);
            free(m2.at);
            free(from_load);
            free(from_tree);
            char *plain_load = render(pre_site, pre, (audience)a, roots[k], NULL);
            char *plain_tree = render(tree_site, tree, (audience)a, roots[k], NULL);
            assert_string_equal(plain_load, plain_tree);
            free(plain_load);
            free(plain_tree);
        }
    }
}

/* Returns how many documents were rendered at load. */
static size_t compare_site(const char *dir)
{
    loaded pre = load(dir, true), tree = load(dir, false);
    size_t made = 0;
    const vec *lists[2][2] = {{&pre.s->chapters, &tree.s->chapters},
                              {&pre.s->annexes, &tree.s->annexes}};
    for (int l = 0; l < 2; l++) {
        assert_int_equal(lists[l][0]->len, lists[l][1]->len);
        for (size_t i = 0; i < lists[l][0]->len; i++) {
            const document *p = lists[l][0]->items[i], *t = lists[l][1]->items[i];
            assert_null(t->made);
            made += p->made != NULL;
            compare_document(pre.s, p, tree.s, t);
        }
    }
    if (pre.s->digest) {
        made += pre.s->digest->made != NULL;
        compare_document(pre.s, pre.s->digest, tree.s, tree.s->digest);
    }
    unload(&pre);
    unload(&tree);
    return made;
}

static void test_example_plan(void **state)
{
    (void)state;
    assert_true(compare_site("content") > 10);
}

static void test_golden_site(void **state)
{
    (void)state;
    assert_true(compare_site("tests/golden/site") > 0);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = fs_join(dir, name);
    assert_true(fs_write_file(path, text, strlen(text)));
    free(path);
}

static int values_made;

static value *count_made(const document *d, int slot)
{
    values_made++;
    value *v = value_map();
    value_map_set_string(v, "id", d->id);
    value_map_set_number(v, "slot", slot);
    return v;
}

/* html_body_value: with keep, made once for a body made at load, kept per
 * slot and given to every caller after; without, the kept one given away
 * (then made anew); made at each call for a body not made at load. */
static void test_values_kept(void **state)
{
    (void)state;
    loaded l = load("tests/golden/site", true), t = load("tests/golden/site", false);
    const document *d = l.s->chapters.items[0], *unmade = t.s->chapters.items[0];
    assert_non_null(d->made);
    values_made = 0;
    value *a = html_body_value(d, 1, true, count_made), *b = html_body_value(d, 1, true, count_made);
    value *c = html_body_value(d, 2, true, count_made);
    assert_int_equal(values_made, 2);
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, c);
    assert_int_equal(value_map_get(c, "slot")->as.number, 2);
    /* The last user takes it; after it, one is made again. */
    value *last = html_body_value(d, 1, false, count_made);
    assert_ptr_equal(last, a);
    assert_int_equal(values_made, 2);
    value *again = html_body_value(d, 1, false, count_made);
    assert_ptr_not_equal(again, a);
    assert_int_equal(values_made, 3);
    value *x = html_body_value(unmade, 1, true, count_made);
    value *y = html_body_value(unmade, 1, true, count_made);
    assert_int_equal(values_made, 5);
    assert_ptr_not_equal(x, y);
    value *all[] = {a, b, c, last, again, x, y};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        value_unref(all[i]); /* ASan: slot 2's goes with the site */
    unload(&l);
    unload(&t);
}

static void test_what_the_holes_fill(void **state)
{
    (void)state;
    char dir[] = "/tmp/policygen-body-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *plan = fs_join(dir, "plan"), *annexes = fs_join(dir, "annexes");
    assert_true(fs_mkdir_p(plan) && fs_mkdir_p(annexes));
    write_file(dir, "site.yaml",
               "organization: {name: 測試學校}\n"
               "document: {id: plan, title: 計畫}\n"
               "editions: [public, staff, internal]\n");
    write_file(plan, "01-open.md",
               "---\nid: open\ntitle: 公開\n---\n"
               "## 依據 {#basis}\n\n"
               "見[](sec:inner/secret)與[內部](sec:inner)，表單[](annex:form \"標題\")。\n"
               "另見[外部](https://example.org/ \"說明\")與[不明](sec:nowhere)。[^a]\n\n"
               "再次[^a]及[^b]。![圖](x.png \"圖說\")\n\n"
               "```only staff\n同仁才看得到[^b]與[](annex:form)。\n```\n\n"
               "```annexes\n```\n\n"
               "1. 一\n   1. 二[^a]\n\n"
               "| 甲 | 乙 |\n|:--|--:|\n| [依據](sec:open/basis) | ~~刪~~ |\n\n"
               "[^a]: 註一見[](annex:form)。\n"
               "[^b]: 註二。\n");
    write_file(plan, "02-inner.md",
               "---\nid: inner\ntitle: 內部\naudience: internal\n---\n"
               "## 秘密 {#secret}\n\n內容。\n");
    write_file(plan, "03-image.md",
               "---\nid: image\ntitle: 圖\n---\n"
               "![圖 [](annex:form)](x.png)與[](annex:form)。\n");
    write_file(plan, "04-table.md",
               "---\nid: table\ntitle: 表\n---\n"
               "| 甲 | 乙 |\n|:--|--:|\n| [](sec:open/basis) | 長長的一格 |\n");
    write_file(annexes, "01-form.md",
               "---\nid: form\nnumber: 1\ntitle: 表單\n---\n"
               "回到[](sec:open/basis)。\n");
    /* The image's text holds a link, and a table's cell an empty link (its
     * column widths want the text xref gives it): those two bodies are
     * rendered from their trees; the other three at load. */
    size_t made = compare_site(dir);
    assert_int_equal(made, 3);
    /* The ranges, as the search index shares a page's part by them: the
     * `only staff` block and the link to the internal chapter make each
     * edition's chapter its own; the annex asks nothing that differs. */
    loaded l = load(dir, true);
    const document *open = l.s->chapters.items[0], *form = l.s->annexes.items[0];
    for (int a = AUDIENCE_PUBLIC; a <= AUDIENCE_INTERNAL; a++) {
        audience_range r = same_range(l.s, open, (audience)a);
        assert_int_equal(r.lo, a);
        assert_int_equal(r.hi, a);
        r = same_range(l.s, form, (audience)a);
        assert_int_equal(r.lo, AUDIENCE_PUBLIC);
        assert_int_equal(r.hi, AUDIENCE_INTERNAL);
    }
    unload(&l);
    fs_remove_tree(dir);
    free(plan);
    free(annexes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_plan),
        cmocka_unit_test(test_golden_site),
        cmocka_unit_test(test_what_the_holes_fill),
        cmocka_unit_test(test_values_kept),
    };
    return cmocka_run_group_tests_name("body", tests, NULL, NULL);
}
