/* core/fs: fs_remove_tree removes a whole tree (folders, files, links) and
 * nothing a link in it leads to; a missing path is not an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/fs.h"
#include "core/xalloc.h"

static char *at(const char *root, const char *rel)
{
    return fs_join(root, rel);
}

static void put(const char *root, const char *rel, const char *text)
{
    char *p = at(root, rel);
    assert_true(fs_write_file(p, text, strlen(text)));
    free(p);
}

static bool exists(const char *root, const char *rel)
{
    char *p = at(root, rel);
    struct stat st;
    bool ok = lstat(p, &st) == 0;
    free(p);
    return ok;
}

static void test_remove_tree(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/fs_test.XXXXXX";
    char *root = mkdtemp(tmpl);
    assert_non_null(root);
    char *tree = at(root, "tree"), *deep = at(root, "tree/a/b/c"), *outside = at(root, "outside");
    assert_true(fs_mkdir_p(deep));
    assert_true(fs_mkdir_p(outside));
    put(root, "tree/top.html", "x");
    put(root, "tree/a/page.html", "x");
    put(root, "tree/a/b/c/deep.html", "x");
    put(root, "outside/keep.txt", "keep");
    /* Links out of the tree: to a file and to a folder. */
    char *to_file = at(root, "tree/a/file-link"), *to_dir = at(root, "tree/a/b/dir-link");
    char *keep = at(root, "outside/keep.txt");
    assert_int_equal(symlink(keep, to_file), 0);
    assert_int_equal(symlink(outside, to_dir), 0);

    assert_true(fs_remove_tree(tree));
    assert_false(exists(root, "tree"));
    assert_true(exists(root, "outside/keep.txt"));
    assert_true(exists(root, "outside"));
    /* Gone already: not an error; a lone file goes too. */
    assert_true(fs_remove_tree(tree));
    assert_true(fs_remove_tree(keep));
    assert_false(exists(root, "outside/keep.txt"));

    assert_true(fs_remove_tree(root));
    struct stat st;
    assert_int_not_equal(lstat(root, &st), 0);
    free(keep);
    free(to_dir);
    free(to_file);
    free(outside);
    free(deep);
    free(tree);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remove_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
