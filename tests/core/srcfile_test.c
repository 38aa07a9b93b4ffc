/* core/srcfile: srcfile_check_text takes what is valid UTF-8 without
 * controls, Chinese text included (which it passes over without decoding),
 * and reports the first bad byte or control character at its line and
 * byte column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/srcfile.h"
#include "diag/diag.h"

/* Checks text; returns the diagnostics as a stream's text (caller frees). */
static char *check(const char *text, size_t len, bool *ok)
{
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    assert_non_null(f);
    diag_sink d = diag_to_stream(f);
    *ok = srcfile_check_text("t.md", text, len, 1, &d);
    diag_sink_free(&d);
    fclose(f);
    return out;
}

static void test_valid_text(void **state)
{
    (void)state;
    /* ASCII, two-byte (é), three-byte from U+0800 to U+FFFF (一, 「, U+E000,
     * U+FFFD), four-byte (𠀀), tab and CR LF. */
    const char *text = "ab\té\r\n資通安全「一」\xEE\x80\x80\xEF\xBF\xBD\n\xF0\xA0\x80\x80 x\n";
    bool ok;
    char *out = check(text, strlen(text), &ok);
    assert_true(ok);
    assert_string_equal(out, "");
    free(out);
}

static void expect(const char *text, const char *want)
{
    bool ok;
    char *out = check(text, strlen(text), &ok);
    char said[256];
    snprintf(said, sizeof said, "%s", out);
    bool found = strstr(out, want) != NULL;
    free(out);
    assert_false(ok);
    if (!found)
        fail_msg("want %s in: %s", want, said);
}

static void test_bad_bytes(void **state)
{
    (void)state;
    /* A lead byte of Chinese text whose second or third byte is not a
     * continuation byte: at its line and byte column. */
    expect("第一行\n資通\xE5\x41\x42", "t.md:2:7: error: not valid UTF-8 (byte 0xe5)");
    expect("資\xE5\x85", "t.md:1:4: error: not valid UTF-8 (byte 0xe5)");
    expect("資\xE5\x85\x41", "t.md:1:4: error: not valid UTF-8 (byte 0xe5)");
    /* Cut off at the end. */
    expect("資\xE8\xB3", "t.md:1:4: error: not valid UTF-8 (byte 0xe8)");
    /* A surrogate (U+D800) and an overlong form of U+0000. */
    expect("x\xED\xA0\x80", "t.md:1:2: error: not valid UTF-8 (byte 0xed)");
    expect("x\xE0\x80\x80", "t.md:1:2: error: not valid UTF-8 (byte 0xe0)");
    /* A stray continuation byte. */
    expect("資\x80", "t.md:1:4: error: not valid UTF-8 (byte 0x80)");
}

static void test_controls(void **state)
{
    (void)state;
    expect("資通\n\x01", "t.md:2:1: error: control character U+0001 is not allowed in text");
    expect("資通\xC2\x85", "t.md:1:7: error: control character U+0085 is not allowed in text");
    expect("a\x7F", "t.md:1:2: error: control character U+007F is not allowed in text");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_text),
        cmocka_unit_test(test_bad_bytes),
        cmocka_unit_test(test_controls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
