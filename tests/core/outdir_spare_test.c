/* core/outdir: the spare (OUTDIR_SPARE). The output before the previous one
 * is kept beside the output and the next build writes over it: a file that
 * did not change is the previous output's own (the same inode, as a link
 * made it before), one that changed is a new file and the previous output's
 * keeps its bytes, what the spare held and the build did not write is gone
 * (folders too), a failed build leaves the output as it was, and a folder of
 * the spare's name that a build did not make is never taken nor touched. */
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
#include "core/outdir.h"
#include "core/xalloc.h"

typedef struct fixture {
    char *dir, *target, *spare;
    diag_sink diags;
} fixture;

static int setup(void **state)
{
    fixture *f = xcalloc(1, sizeof *f);
    char templ[] = "/tmp/outdir_spare_test.XXXXXX";
    assert_non_null(mkdtemp(templ));
    f->dir = xstrdup(templ);
    f->target = fs_join(f->dir, "site");
    f->spare = outdir_spare_path(f->target);
    f->diags = diag_to_stream(stderr);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    assert_true(fs_remove_tree(f->dir));
    diag_sink_free(&f->diags);
    free(f->spare);
    free(f->target);
    free(f->dir);
    free(f);
    return 0;
}

/* One file: relpath, then its bytes (NULL ends the list). */
static void build(fixture *f, const char *const *files)
{
    outdir od;
    assert_true(outdir_begin(&od, f->target, &f->diags));
    for (const char *const *p = files; *p; p += 2)
        assert_true(outdir_write_string(&od, p[0], p[1]));
    assert_false(od.failed);
    assert_true(outdir_commit(&od));
}

static ino_t inode(const char *dir, const char *relpath)
{
    char *path = fs_join(dir, relpath);
    struct stat st;
    ino_t ino = lstat(path, &st) == 0 ? st.st_ino : 0;
    free(path);
    return ino;
}

static void assert_bytes(const char *dir, const char *relpath, const char *want)
{
    char *path = fs_join(dir, relpath);
    size_t len = 0;
    char *got = fs_read_file(path, 1 << 20, &len);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    free(path);
}

static bool exists(const char *dir, const char *relpath)
{
    char *path = fs_join(dir, relpath);
    struct stat st;
    bool there = lstat(path, &st) == 0;
    free(path);
    return there;
}

static void test_the_spare_is_written_over(void **state)
{
    fixture *f = *state;
    const char *one[] = {"a/same.html", "same", "a/changes.html", "v1", "a/goes.html", "goes",
                         "gone/only.html", "only", NULL};
    build(f, one);
    assert_false(fs_is_dir(f->spare)); /* no previous output: nothing kept */
    build(f, one);
    assert_true(fs_is_dir(f->spare)); /* the first output */
    ino_t same = inode(f->target, "a/same.html");
    assert_true(same == inode(f->spare, "a/same.html")); /* linked, as before */
    ino_t changes = inode(f->target, "a/changes.html");

    /* However a writer names it: the same file. */
    const char *two[] = {"a//./same.html", "same", "a/changes.html", "v2", "a/new.html", "new", NULL};
    outdir od;
    assert_true(outdir_begin(&od, f->target, &f->diags));
    assert_false(fs_is_dir(f->spare)); /* taken: it is the staging folder now */
    for (const char *const *p = two; *p; p += 2)
        assert_true(outdir_write_string(&od, p[0], p[1]));
    /* Before the commit: the output as it was, its changed file too (the
     * spare's was a link to it, and was not written through). */
    assert_bytes(f->target, "a/changes.html", "v1");
    assert_true(inode(f->target, "a/changes.html") == changes);
    assert_true(outdir_commit(&od));

    assert_true(inode(f->target, "a/same.html") == same); /* kept, not linked anew */
    assert_true(inode(f->target, "a/changes.html") != changes);
    assert_bytes(f->target, "a/changes.html", "v2");
    assert_bytes(f->target, "a/new.html", "new");
    /* What the build did not write is gone, and the folder it left empty. */
    assert_false(exists(f->target, "a/goes.html"));
    assert_false(exists(f->target, "gone"));
    /* The previous output is the spare now, as it was. */
    assert_bytes(f->spare, "a/changes.html", "v1");
    assert_bytes(f->spare, "a/goes.html", "goes");
    assert_true(exists(f->spare, OUTDIR_MARKER));
    assert_false(exists(f->target, "a/changes.html.policygen-link"));
}

/* outdir_sweep of one folder before the commit: only below it, and a file
 * written there afterwards stays. */
static void test_sweep_below_a_folder(void **state)
{
    fixture *f = *state;
    const char *one[] = {"ed/old.html", "old", "ed/keep.html", "keep", "other/old.html", "o", NULL};
    build(f, one);
    build(f, one);
    outdir od;
    assert_true(outdir_begin(&od, f->target, &f->diags));
    char *staging = xstrdup(od.staging);
    assert_true(outdir_write_string(&od, "ed/keep.html", "keep"));
    outdir_sweep(&od, "ed");
    assert_false(exists(staging, "ed/old.html"));
    assert_true(exists(staging, "ed/keep.html"));
    assert_true(exists(staging, "other/old.html")); /* not below ed */
    assert_true(outdir_write_string(&od, "ed/old.html", "late"));
    assert_true(outdir_commit(&od));
    assert_bytes(f->target, "ed/old.html", "late");
    assert_false(exists(f->target, "other"));
    free(staging);
}

/* A file written in pieces that equals the previous output's is linked to
 * it, which may be the inode the spare held: it stays. */
static void test_linked_file_stays(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 3; i++) {
        outdir od;
        assert_true(outdir_begin(&od, f->target, &f->diags));
        outdir_file *file = outdir_open(&od, "search/index.js");
        assert_non_null(file);
        assert_true(outdir_file_write(file, "var index = 1;", 14));
        assert_true(outdir_file_close(file));
        assert_true(outdir_write_string(&od, "index.html", "home"));
        assert_true(outdir_commit(&od));
        assert_bytes(f->target, "search/index.js", "var index = 1;");
    }
    assert_true(inode(f->target, "search/index.js") == inode(f->spare, "search/index.js"));
}

/* A failed build: the output as it was (bytes and inodes), no staging
 * folder left; the spare was the build's own, and goes with it. */
static void test_failed_build(void **state)
{
    fixture *f = *state;
    const char *one[] = {"p.html", "one", "q.html", "same", NULL};
    build(f, one);
    build(f, one);
    ino_t p = inode(f->target, "p.html"), q = inode(f->target, "q.html");
    outdir od;
    assert_true(outdir_begin(&od, f->target, &f->diags));
    char *staging = xstrdup(od.staging);
    assert_true(outdir_write_string(&od, "p.html", "two"));
    assert_true(outdir_write_string(&od, "q.html", "same"));
    outdir_abort(&od);
    assert_false(fs_is_dir(staging));
    assert_bytes(f->target, "p.html", "one");
    assert_bytes(f->target, "q.html", "same");
    assert_true(inode(f->target, "p.html") == p && inode(f->target, "q.html") == q);
    free(staging);
    build(f, one); /* and the next build makes its staging folder anew */
    assert_bytes(f->target, "p.html", "one");
}

/* What the spare holds in the way: a file where the build needs a folder, a
 * folder where it writes a file. */
static void test_in_the_way(void **state)
{
    fixture *f = *state;
    const char *one[] = {"a", "file", "c/d.html", "in a folder", NULL};
    build(f, one);
    build(f, one);
    const char *two[] = {"a/b.html", "now a folder", "c", "now a file", NULL};
    build(f, two);
    assert_bytes(f->target, "a/b.html", "now a folder");
    assert_bytes(f->target, "c", "now a file");
    /* A file written in pieces too: the spare is the second output now. */
    outdir od;
    assert_true(outdir_begin(&od, f->target, &f->diags)); /* the spare holds "a" and "c/" */
    outdir_file *file = outdir_open(&od, "a/index.js");
    assert_non_null(file);
    assert_true(outdir_file_write(file, "js", 2));
    assert_true(outdir_file_close(file));
    file = outdir_open(&od, "c");
    assert_non_null(file);
    assert_true(outdir_file_write(file, "c", 1));
    assert_true(outdir_file_close(file));
    assert_true(outdir_commit(&od));
    assert_bytes(f->target, "a/index.js", "js");
    assert_bytes(f->target, "c", "c");
}

/* A folder of the spare's name without the marker (or a link) is not the
 * program's: never taken, written or removed; the previous output goes. */
static void test_a_foreign_spare(void **state)
{
    fixture *f = *state;
    const char *one[] = {"p.html", "one", NULL};
    assert_int_equal(mkdir(f->spare, 0755), 0);
    char *mine = fs_join(f->spare, "notes.txt");
    assert_true(fs_write_file(mine, "mine", 4));
    build(f, one);
    build(f, one);
    build(f, one);
    assert_bytes(f->spare, "notes.txt", "mine");
    assert_false(exists(f->spare, OUTDIR_MARKER));
    assert_bytes(f->target, "p.html", "one");
    char *parent_list = xasprintf("%s/site.old-%ld", f->dir, (long)getpid());
    assert_false(fs_is_dir(parent_list)); /* the previous output was removed */
    free(parent_list);
    assert_true(fs_remove_tree(f->spare));
    char *elsewhere = fs_join(f->dir, "elsewhere");
    assert_int_equal(mkdir(elsewhere, 0755), 0);
    char *marker = fs_join(elsewhere, OUTDIR_MARKER);
    assert_true(fs_write_file(marker, "x", 1));
    assert_int_equal(symlink(elsewhere, f->spare), 0);
    build(f, one);
    assert_true(exists(elsewhere, OUTDIR_MARKER)); /* not taken through the link */
    assert_bytes(f->target, "p.html", "one");
    free(marker);
    free(elsewhere);
    free(mine);
}

/* fs_write_file replaces a file: one linked to it keeps its bytes. */
static void test_write_replaces(void **state)
{
    fixture *f = *state;
    char *a = fs_join(f->dir, "a"), *b = fs_join(f->dir, "b");
    assert_true(fs_write_file(a, "first", 5));
    assert_int_equal(link(a, b), 0);
    assert_true(fs_write_file(b, "second", 6));
    assert_bytes(f->dir, "a", "first");
    assert_bytes(f->dir, "b", "second");
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_the_spare_is_written_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep_below_a_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linked_file_stays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_build, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_the_way, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_foreign_spare, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_replaces, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
