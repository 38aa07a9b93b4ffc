/* core/outdir: a file written in pieces (outdir_open), as the search index
 * is: its bytes whatever the pieces, linked to the previous output's file
 * only when that holds the same bytes (not one more or less) with the mode
 * it would get, and a failure reported with its place; and a page compared
 * with the previous output before it is written (outdir_unchanged). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/fs.h"
#include "core/outdir.h"
#include "core/xalloc.h"

static char *tmp_dir(void)
{
    char templ[] = "/tmp/outdir_file_test.XXXXXX";
    assert_non_null(mkdtemp(templ));
    return xstrdup(templ);
}

/* Builds target with relpath written in the given pieces (NULL-terminated);
 * returns the committed file's inode. */
static ino_t build(const char *target, const char *relpath, const char *const *pieces,
                   unsigned mode)
{
    diag_sink d = diag_to_stream(stderr);
    outdir od;
    assert_true(outdir_begin(&od, target, &d));
    if (mode)
        assert_true(outdir_set_modes(&od, "ed", mode, 0750));
    outdir_file *f = outdir_open(&od, relpath);
    assert_non_null(f);
    for (const char *const *p = pieces; *p; p++)
        assert_true(outdir_file_write(f, *p, strlen(*p)));
    assert_true(outdir_file_close(f));
    assert_false(od.failed);
    assert_true(outdir_commit(&od));
    diag_sink_free(&d);
    char *path = fs_join(target, relpath);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    free(path);
    return st.st_ino;
}

static void assert_file(const char *target, const char *relpath, const char *want)
{
    char *path = fs_join(target, relpath);
    size_t len = 0;
    char *got = fs_read_file(path, 1 << 20, &len);
    assert_non_null(got);
    assert_int_equal(len, strlen(want));
    assert_string_equal(got, want);
    free(got);
    free(path);
}

static void test_pieces_and_links(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    char *target = fs_join(dir, "out");
    const char *rel = "ed/search/index.js"; /* its folders are made */
    const char *first[] = {"abc", "", "defg", "h", NULL};
    ino_t a = build(target, rel, first, 0);
    assert_file(target, rel, "abcdefgh");
    /* The same bytes in other pieces: the previous file, linked. */
    const char *same[] = {"abcdefg", "h", NULL};
    assert_true(build(target, rel, same, 0) == a);
    assert_file(target, rel, "abcdefgh");
    /* One byte more, one less, one other: a file of its own each time. */
    const char *longer[] = {"abcdefgh", "i", NULL};
    ino_t b = build(target, rel, longer, 0);
    assert_true(b != a);
    assert_file(target, rel, "abcdefghi");
    const char *shorter[] = {"abcdefgh", NULL};
    ino_t c = build(target, rel, shorter, 0);
    assert_true(c != b);
    assert_file(target, rel, "abcdefgh");
    const char *other[] = {"abcdefgX", NULL};
    ino_t e = build(target, rel, other, 0);
    assert_true(e != c);
    assert_file(target, rel, "abcdefgX");
    /* The same bytes but another mode for the edition: not linked (that
     * would change the previous output's file), and the file has the mode. */
    ino_t m = build(target, rel, other, 0600);
    assert_true(m != e);
    char *path = fs_join(target, rel);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_true(build(target, rel, other, 0600) == m);
    free(path);
    /* Pieces held while they match (more than one chunk of them) and
     * written once one differs: the file has every byte, in order. */
    char *big = xmalloc(100001);
    for (size_t i = 0; i < 100000; i++)
        big[i] = (char)('a' + i % 26);
    big[100000] = '\0';
    const char *big1[] = {big, big, "end", NULL}, *big2[] = {big, big, "END", NULL};
    ino_t g = build(target, rel, big1, 0);
    assert_true(build(target, rel, big1, 0) == g);
    assert_true(build(target, rel, big2, 0) != g);
    char *want = xasprintf("%s%sEND", big, big);
    assert_file(target, rel, want);
    free(want);
    free(big);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(target);
    free(dir);
}

/* Writes ed/page.html, as a page's rendering thread compares it first
 * (outdir_unchanged) and the writing thread then writes it; returns the
 * committed file's inode and what the comparison said. */
static ino_t build_page(const char *target, const char *text, unsigned mode, bool *unchanged)
{
    diag_sink d = diag_to_stream(stderr);
    outdir od;
    assert_true(outdir_begin(&od, target, &d));
    if (mode)
        assert_true(outdir_set_modes(&od, "ed", mode, 0750));
    *unchanged = outdir_unchanged(&od, "ed/page.html", text, strlen(text));
    assert_true(outdir_write_compared(&od, "ed/page.html", text, strlen(text), *unchanged));
    assert_false(od.failed);
    assert_true(outdir_commit(&od));
    diag_sink_free(&d);
    char *path = fs_join(target, "ed/page.html");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    free(path);
    return st.st_ino;
}

static void test_compared_first(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    char *target = fs_join(dir, "out");
    bool same;
    ino_t a = build_page(target, "<p>頁</p>", 0, &same);
    assert_false(same); /* no previous output */
    /* The same bytes: unchanged, linked. */
    assert_true(build_page(target, "<p>頁</p>", 0, &same) == a);
    assert_true(same);
    assert_file(target, "ed/page.html", "<p>頁</p>");
    /* A byte more, one less, another: a file of its own. */
    const char *others[] = {"<p>頁</p>\n", "<p>頁</p", "<p>頁</b>"};
    for (size_t i = 0; i < 3; i++) {
        ino_t b = build_page(target, others[i], 0, &same);
        assert_false(same);
        assert_true(b != a);
        assert_file(target, "ed/page.html", others[i]);
        a = b;
    }
    /* The same bytes but another mode than the file would get: written. */
    ino_t c = build_page(target, "<p>頁</b>", 0600, &same);
    assert_false(same);
    assert_true(c != a);
    char *path = fs_join(target, "ed/page.html");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    free(path);
    assert_true(build_page(target, "<p>頁</b>", 0600, &same) == c);
    assert_true(same);
    assert_true(fs_remove_tree(dir));
    free(target);
    free(dir);
}

static void test_failure_is_reported(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    char *target = fs_join(dir, "out");
    char *log_path = fs_join(dir, "log");
    FILE *log = fopen(log_path, "w+");
    assert_non_null(log);
    diag_sink d = diag_to_stream(log);
    outdir od;
    assert_true(outdir_begin(&od, target, &d));
    /* A file where the folder should be. */
    assert_true(outdir_write(&od, "search", "x", 1));
    assert_null(outdir_open(&od, "search/index.js"));
    assert_true(od.failed);
    /* Out of the output folder: refused. */
    assert_null(outdir_open(&od, "../index.js"));
    outdir_abort(&od);
    fflush(log);
    rewind(log);
    char buf[1024] = {0};
    assert_true(fread(buf, 1, sizeof buf - 1, log) > 0);
    assert_non_null(strstr(buf, "search/index.js: error: cannot write: Not a directory [write]"));
    assert_non_null(strstr(buf, "refused to write ../index.js"));
    assert_true(diag_has_errors(&d));
    fclose(log);
    diag_sink_free(&d);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(log_path);
    free(target);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces_and_links),
        cmocka_unit_test(test_compared_first),
        cmocka_unit_test(test_failure_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
