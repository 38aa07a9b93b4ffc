/* The leak check: which values an edition must not show, and how a file's
 * text (a PDF's, as typeset) is reported. Uses tests/golden/site, whose
 * systems register has an internal IP field (192.0.2.10, 192.0.2.20), and a
 * site written here with an internal chapter of values of every length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "build/leak.h"
#include "content/site.h"
#include "core/fs.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"

/* Where the leak checks tell what they find: nowhere, but while a test
 * points its stream at a buffer. */
static diag_sink told;

static site *load_fixture(void)
{
    diag_sink quiet = diag_to_stream(NULL);
    site *s = site_load("tests/golden/site", &quiet);
    assert_non_null(s);
    return s;
}

static void test_hidden_and_visible_values(void **state)
{
    (void)state;
    site *s = load_fixture();
    leak_check *pub = leak_check_new(s, AUDIENCE_PUBLIC, &told);
    leak_check *internal = leak_check_new(s, AUDIENCE_INTERNAL, &told);
    const char *text = "伺服器 IP 192.0.2.10，校務行政系統";
    const char *hit = leak_check_text(pub, text, strlen(text));
    assert_non_null(hit);
    assert_string_equal(hit, "192.0.2.10");
    /* The internal edition may show it; a value shown in public is no leak. */
    assert_null(leak_check_text(internal, text, strlen(text)));
    const char *visible = "校務行政系統與公文系統";
    assert_null(leak_check_text(pub, visible, strlen(visible)));
    assert_true(leak_check_size(pub) > 0);
    leak_check_free(pub);
    leak_check_free(internal);
    site_free(s);
}

static void test_file_text_reported_at_its_path(void **state)
{
    (void)state;
    site *s = load_fixture();
    leak_check *pub = leak_check_new(s, AUDIENCE_PUBLIC, &told);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    told.stream = mem;
    const char *text = "192.0.2.20\n192.0.2.10\n192.0.2.10\n";
    bool clean = leak_check_file_text(pub, text, strlen(text), "out/public/pdf/plan.pdf", "public");
    told.stream = NULL;
    fclose(mem);
    assert_false(clean);
    /* Each value once per file, in the order found. */
    assert_string_equal(buf,
                        "out/public/pdf/plan.pdf: error: shows '192.0.2.20', which the public "
                        "edition must not show [leak]\n"
                        "out/public/pdf/plan.pdf: error: shows '192.0.2.10', which the public "
                        "edition must not show [leak]\n");
    free(buf);
    const char *fine = "第 1 頁，共 5 頁";
    assert_true(leak_check_file_text(pub, fine, strlen(fine), "x.pdf", "public"));
    leak_check_free(pub);
    site_free(s);
}

/* ---- a site with an internal chapter ---- */

/* Hidden values from 7 bytes (the shortest checked) up, around the 16 bytes
 * where values are indexed by longer pieces, and many that begin alike. */
static const char *const HIDDEN[] = {
    "1234567",
    "abcdefghijklmn",
    "ABCDEFGHIJKLMNO",
    "PQRSTUVWXYZ01234",
    "machine room host 10.1.2.3 is kept by the head of IT",
    "機房主機管理帳號",
    "the \"server room\" key box",
};
#define SHOWN_TOO "shown in public as well"
#define ALIKE 40 /* "秘密事項第N號：…", N = 1..ALIKE */

typedef struct fixture {
    char dir[64];
    site *site;
} fixture;

static void write_file(const char *dir, const char *rel, const char *text)
{
    char *path = fs_join(dir, rel);
    char *folder = fs_dirname(path);
    assert_true(fs_mkdir_p(folder));
    assert_true(fs_write_file(path, text, strlen(text)));
    free(folder);
    free(path);
}

static int fixture_setup(void **state)
{
    fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/policygen-leak-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char *config = fs_read_file("tests/golden/site/site.yaml", 1 << 20, NULL);
    write_file(f->dir, "site.yaml", config);
    free(config);
    write_file(f->dir, "plan/01-open.md",
               "---\nid: open\ntitle: 公開章節\n---\n" SHOWN_TOO " here.\n\n"
               "```only internal\nonly-block secret value\n```\n");
    strbuf md;
    sb_init(&md);
    sb_append(&md, "---\nid: closed\naudience: internal\ntitle: 內部章節標題\n---\n");
    for (size_t i = 0; i < sizeof HIDDEN / sizeof *HIDDEN; i++)
        sb_printf(&md, "%s\n\n", HIDDEN[i]);
    sb_append(&md, SHOWN_TOO "\n\n");
    for (int i = 1; i <= ALIKE; i++)
        sb_printf(&md, "秘密事項第%d號：本校機房主機之帳號由專人保管。\n\n", i);
    write_file(f->dir, "plan/02-closed.md", md.data);
    sb_free(&md);
    diag_sink quiet = diag_to_stream(NULL);
    f->site = site_load(f->dir, &quiet);
    if (!f->site)
        return -1;
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    fixture *f = *state;
    site_free(f->site);
    fs_remove_tree(f->dir);
    free(f);
    return 0;
}

/* Values are looked up at sampled places only: each must still be found
 * wherever it starts, at the start and at the very end of a text too. */
static void test_found_at_every_offset(void **state)
{
    fixture *f = *state;
    leak_check *lc = leak_check_new(f->site, AUDIENCE_PUBLIC, &told);
    for (size_t i = 0; i < sizeof HIDDEN / sizeof *HIDDEN; i++) {
        for (size_t before = 0; before < 20; before++) {
            for (size_t after = 0; after < 3; after++) {
                strbuf t;
                sb_init(&t);
                for (size_t k = 0; k < before; k++)
                    sb_appendc(&t, '-');
                sb_append(&t, HIDDEN[i]);
                for (size_t k = 0; k < after; k++)
                    sb_appendc(&t, '-');
                const char *hit = leak_check_text(lc, t.data, t.len);
                assert_non_null(hit);
                assert_string_equal(hit, HIDDEN[i]);
                /* One byte short is no leak. */
                assert_null(leak_check_text(lc, t.data, t.len - after - 1));
                sb_free(&t);
            }
        }
    }
    leak_check_free(lc);
}

/* The search index (search/index.js) holds the text as JSON strings: a
 * quote or a backslash there is escaped, and the value is still found. */
static void test_found_in_search_index(void **state)
{
    fixture *f = *state;
    leak_check *lc = leak_check_new(f->site, AUDIENCE_PUBLIC, &told);
    const char *js = "window.POLICYGEN_SEARCH={\"v\":1,\"docs\":[[\"plan/open.html\",\"壹、\","
                     "\"公開章節\",\"near the \\\"server room\\\" key box\"]]};";
    const char *hit = leak_check_text(lc, js, strlen(js));
    assert_non_null(hit);
    assert_string_equal(hit, "the \\\"server room\\\" key box");
    leak_check_free(lc);
}

static void test_alike_values_and_sources(void **state)
{
    fixture *f = *state;
    leak_check *lc = leak_check_new(f->site, AUDIENCE_PUBLIC, &told);
    for (int i = 1; i <= ALIKE; i++) {
        char *v = xasprintf("前文秘密事項第%d號：本校機房主機之帳號由專人保管。後文", i);
        const char *hit = leak_check_text(lc, v, strlen(v));
        assert_non_null(hit);
        assert_non_null(strstr(v, hit));
        free(v);
    }
    const char *title = "見內部章節標題。";
    assert_string_equal(leak_check_text(lc, title, strlen(title)), "內部章節標題");
    const char *only = "an only-block secret value";
    assert_string_equal(leak_check_text(lc, only, strlen(only)), "only-block secret value");
    /* Shown by the public chapter too: no leak. */
    assert_null(leak_check_text(lc, SHOWN_TOO, strlen(SHOWN_TOO)));
    leak_check_free(lc);
    /* The internal edition hides nothing: no file is even read. */
    leak_check *internal = leak_check_new(f->site, AUDIENCE_INTERNAL, &told);
    assert_int_equal(leak_check_size(internal), 0);
    assert_null(leak_check_look(internal, HIDDEN[0], strlen(HIDDEN[0])));
    assert_true(leak_check_dir(internal, "/nonexistent", "out", "internal"));
    leak_check_free(internal);
}

/* Pages scanned from memory are judged by what was found then; other files,
 * and pages whose size on disk differs, are read. */
static void test_pages_from_memory(void **state)
{
    fixture *f = *state;
    leak_check *lc = leak_check_new(f->site, AUDIENCE_PUBLIC, &told);
    char *out = fs_join(f->dir, "out");
    const char *leaky = "<p>1234567</p>", *clean = "<p>-------</p>";
    write_file(out, "a.html", leaky);                  /* never looked at: read */
    write_file(out, "plan/b.html", clean);             /* looked at as leaky */
    write_file(out, "plan/c.html", leaky);             /* looked at as clean */
    write_file(out, "plan/d.html", "<p>--</p>");       /* rewritten since: read */
    leak_check_written(lc, "plan/b.html", leak_check_look(lc, leaky, strlen(leaky)));
    leak_check_written(lc, "plan/c.html", leak_check_look(lc, clean, strlen(clean)));
    leak_check_written(lc, "plan/d.html", leak_check_look(lc, leaky, strlen(leaky)));
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    told.stream = mem;
    bool ok = leak_check_dir(lc, out, "shown", "public");
    told.stream = NULL;
    fclose(mem);
    assert_false(ok);
    assert_string_equal(buf, "shown/a.html: error: shows '1234567', which the public edition "
                             "must not show [leak]\n"
                             "shown/plan/b.html: error: shows '1234567', which the public "
                             "edition must not show [leak]\n");
    free(buf);
    free(out);
    leak_check_free(lc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hidden_and_visible_values),
        cmocka_unit_test(test_file_text_reported_at_its_path),
        cmocka_unit_test_setup_teardown(test_found_at_every_offset, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_found_in_search_index, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_alike_values_and_sources, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_pages_from_memory, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("leak", tests, NULL, NULL);
}
