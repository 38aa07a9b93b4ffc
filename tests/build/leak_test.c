/* The leak check: which values an edition must not show, and how a file's
 * text (a PDF's, as typeset) is reported. Uses tests/golden/site, whose
 * systems register has an internal IP field (192.0.2.10, 192.0.2.20). */
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
#include "core/xalloc.h"
#include "diag/diag.h"

static site *load_fixture(void)
{
    diag_set_stream(NULL);
    site *s = site_load("tests/golden/site");
    diag_set_stream(stderr);
    assert_non_null(s);
    return s;
}

static void test_hidden_and_visible_values(void **state)
{
    (void)state;
    site *s = load_fixture();
    leak_check *pub = leak_check_new(s, AUDIENCE_PUBLIC);
    leak_check *internal = leak_check_new(s, AUDIENCE_INTERNAL);
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
    leak_check *pub = leak_check_new(s, AUDIENCE_PUBLIC);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    diag_set_stream(mem);
    const char *text = "192.0.2.20\n192.0.2.10\n192.0.2.10\n";
    bool clean = leak_check_file_text(pub, text, strlen(text), "out/public/pdf/plan.pdf", "public");
    diag_set_stream(stderr);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hidden_and_visible_values),
        cmocka_unit_test(test_file_text_reported_at_its_path),
    };
    return cmocka_run_group_tests_name("leak", tests, NULL, NULL);
}
