/* Diagnostics sinks: each counts its own, a child passes what it is told on
 * to its parent, a silent one counts without printing; jobs on worker
 * threads hold theirs in buffered sinks, told in job order at the replay
 * whatever order they finished in; and a content folder loaded on several
 * threads reports its problems in file order, as one thread would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "content/site.h"
#include "core/fs.h"
#include "core/parallel.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "xref/xref.h"

/* Runs fn(ctx, sink) with a sink printing to a temporary file; returns
 * what it printed, and the sink's counts in *counts. */
static char *told(void (*fn)(void *, diag_sink *), void *ctx, diag_counts *counts)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    diag_sink d = diag_to_stream(f);
    fn(ctx, &d);
    if (counts)
        *counts = diag_get_counts(&d);
    diag_sink_free(&d);
    long len = ftell(f);
    rewind(f);
    char *text = xcalloc(1, (size_t)len + 1);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return text;
}

/* Two sinks count and print apart. */
static void test_sinks_are_independent(void **state)
{
    (void)state;
    FILE *fa = tmpfile(), *fb = tmpfile();
    diag_sink a = diag_to_stream(fa), b = diag_to_stream(fb);
    diag_error(&a, srcpos_file("a.md"), "x", "first");
    diag_warning(&b, (srcpos){"b.md", 2, 3}, "y", "second");
    diag_error(&a, srcpos_file(NULL), "", "third");
    assert_int_equal(diag_get_counts(&a).errors, 2);
    assert_int_equal(diag_get_counts(&a).warnings, 0);
    assert_int_equal(diag_get_counts(&b).errors, 0);
    assert_int_equal(diag_get_counts(&b).warnings, 1);
    char ta[256] = "", tb[256] = "";
    rewind(fa);
    rewind(fb);
    assert_true(fread(ta, 1, sizeof ta - 1, fa) > 0);
    assert_true(fread(tb, 1, sizeof tb - 1, fb) > 0);
    assert_string_equal(ta, "a.md: error: first [x]\npolicygen: error: third\n");
    assert_string_equal(tb, "b.md:2:3: warning: second [y]\n");
    fclose(fa);
    fclose(fb);
}

/* A child counts only what was told to it, and passes everything on: the
 * parent prints it once and counts it too. */
static void test_child_counts_only_its_own(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    diag_sink root = diag_to_stream(f);
    diag_error(&root, srcpos_file("before.md"), "x", "before the stage");
    diag_sink stage = diag_child(&root);
    assert_false(diag_has_errors(&stage));
    diag_warning(&stage, srcpos_file("stage.md"), "x", "a warning of the stage");
    assert_false(diag_has_errors(&stage)); /* the root's error is not the stage's */
    diag_sink inner = diag_child(&stage);
    diag_error(&inner, srcpos_file("inner.md"), "x", "an error of a stage inside it");
    assert_int_equal(diag_get_counts(&inner).errors, 1);
    assert_int_equal(diag_get_counts(&stage).errors, 1);
    assert_int_equal(diag_get_counts(&stage).warnings, 1);
    assert_int_equal(diag_get_counts(&root).errors, 2);
    assert_int_equal(diag_get_counts(&root).warnings, 1);
    char text[512] = "";
    rewind(f);
    assert_true(fread(text, 1, sizeof text - 1, f) > 0);
    assert_string_equal(text, "before.md: error: before the stage [x]\n"
                              "stage.md: warning: a warning of the stage [x]\n"
                              "inner.md: error: an error of a stage inside it [x]\n");
    fclose(f);
}

/* A silent sink counts what it is told and prints nothing; a child of it
 * neither. */
static void test_silent_sink_counts(void **state)
{
    (void)state;
    diag_sink quiet = diag_to_stream(NULL);
    diag_sink stage = diag_child(&quiet);
    for (int i = 0; i < 5; i++)
        diag_error(&stage, srcpos_file("x.md"), "x", "error %d", i);
    diag_warning(&quiet, srcpos_file("x.md"), "x", "a warning");
    assert_int_equal(diag_get_counts(&stage).errors, 5);
    assert_int_equal(diag_get_counts(&quiet).errors, 5);
    assert_int_equal(diag_get_counts(&quiet).warnings, 1);
    assert_null(quiet.stream);
}

/* A stderr sink prints to the stream stderr names when it prints, not the
 * one it named when the sink was made: the build cache points stderr at a
 * tee while a build runs, and the build's sink (main's) was made before. */
static void test_stderr_sink_follows_stderr(void **state)
{
    (void)state;
    diag_sink d = diag_to_stderr();
    diag_sink stage = diag_child(&d);
    FILE *was = stderr, *f = tmpfile();
    assert_non_null(f);
    stderr = f;
    diag_warning(&stage, srcpos_file("a.md"), "x", "while stderr was elsewhere");
    stderr = was;
    assert_int_equal(diag_get_counts(&d).warnings, 1);
    char text[256] = "";
    rewind(f);
    assert_true(fread(text, 1, sizeof text - 1, f) > 0);
    assert_string_equal(text, "a.md: warning: while stderr was elsewhere [x]\n");
    fclose(f);
}

#define JOBS 64

typedef struct jobs {
    diag_sink sinks[JOBS];
} jobs;

/* The last jobs finish first: the replay, not the finishing, sets the order. */
static void job(void *ctx, int worker, size_t i)
{
    (void)worker;
    jobs *j = ctx;
    usleep((useconds_t)(JOBS - i) * 200);
    char path[32];
    snprintf(path, sizeof path, "plan/%02zu.md", i);
    diag_error(&j->sinks[i], (srcpos){path, (int)i + 1, 2}, "job", "first of job %zu", i);
    if (i % 3 == 0)
        diag_warning(&j->sinks[i], srcpos_file(path), "job", "second of job %zu", i);
}

static void run_jobs(void *ctx, diag_sink *d)
{
    jobs *j = ctx;
    for (size_t i = 0; i < JOBS; i++)
        j->sinks[i] = diag_buffered(d);
    parallel_for(JOBS, 8, job, j);
    /* Nothing is told to the parent or counted there before the replay;
     * each job's sink counts its own. */
    assert_int_equal(diag_get_counts(d).errors, 0);
    for (size_t i = 0; i < JOBS; i++)
        assert_int_equal(diag_get_counts(&j->sinks[i]).errors, 1);
    for (size_t i = 0; i < JOBS; i++)
        diag_replay(&j->sinks[i]);
}

static void test_replay_in_job_order(void **state)
{
    (void)state;
    jobs j;
    diag_counts n;
    char *text = told(run_jobs, &j, &n);
    char expected[8192] = "";
    for (size_t i = 0; i < JOBS; i++) {
        char line[128];
        snprintf(line, sizeof line, "plan/%02zu.md:%zu:2: error: first of job %zu [job]\n", i, i + 1, i);
        strcat(expected, line);
        if (i % 3 == 0) {
            snprintf(line, sizeof line, "plan/%02zu.md: warning: second of job %zu [job]\n", i, i);
            strcat(expected, line);
        }
    }
    assert_string_equal(text, expected);
    assert_int_equal(n.errors, JOBS);
    assert_int_equal(n.warnings, (JOBS + 2) / 3);
    free(text);
}

/* A site of 40 chapters, each linking to a section that does not exist;
 * with broken, every fifth has a broken front matter too. */
static char *write_site(bool broken)
{
    char tmpl[] = "/tmp/policygen-diag-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *dir = xstrdup(tmpl);
    char *path = fs_join(dir, "site.yaml");
    const char *config = "organization:\n  name: 測試國小\ndocument:\n  id: plan\n  title: 計畫\n";
    assert_true(fs_write_file(path, config, strlen(config)));
    free(path);
    char *plan = fs_join(dir, "plan");
    assert_true(fs_mkdir_p(plan));
    for (int i = 1; i <= 40; i++) {
        char name[32], text[128];
        snprintf(name, sizeof name, "%02d-ch.md", i);
        if (broken && i % 5 == 0)
            snprintf(text, sizeof text, "---\ntitle: [第 %d 章\n---\n# 標題\n", i);
        else
            snprintf(text, sizeof text, "---\ntitle: 第 %d 章\n---\n## 標題\n\n見[甲](sec:nowhere-%d)。\n", i, i);
        char *file = fs_join(plan, name);
        assert_true(fs_write_file(file, text, strlen(text)));
        free(file);
    }
    free(plan);
    return dir;
}

typedef struct load_ctx {
    const char *dir;
    int jobs;
} load_ctx;

static void load(void *ctx, diag_sink *d)
{
    load_ctx *l = ctx;
    site_free(site_load_jobs(l->dir, l->jobs, d));
}

static void test_parallel_load_tells_in_file_order(void **state)
{
    (void)state;
    char *dir = write_site(true);
    load_ctx one = {dir, 1}, four = {dir, 4};
    diag_counts serial_n, parallel_n;
    char *serial = told(load, &one, &serial_n);
    assert_int_equal(serial_n.errors, 8);
    for (int k = 0; k < 5; k++) {
        char *parallel = told(load, &four, &parallel_n);
        assert_string_equal(parallel, serial);
        assert_int_equal(parallel_n.errors, serial_n.errors);
        free(parallel);
    }
    /* In file order: 05 before 10 before 40. */
    char *a = strstr(serial, "05-ch.md"), *b = strstr(serial, "10-ch.md"), *c = strstr(serial, "40-ch.md");
    assert_true(a && b && c && a < b && b < c);
    free(serial);
    fs_remove_tree(dir);
    free(dir);
}

typedef struct resolve_ctx {
    site *site;
    int jobs;
} resolve_ctx;

static void resolve(void *ctx, diag_sink *d)
{
    resolve_ctx *r = ctx;
    xref_table_free(xref_resolve_site_jobs(r->site, r->jobs, d));
}

/* Broken links in 40 chapters: reported in chapter order on any number of threads. */
static void test_parallel_xref_tells_in_document_order(void **state)
{
    (void)state;
    char *dir = write_site(false);
    diag_sink quiet = diag_to_stream(NULL);
    site *one = site_load_jobs(dir, 1, &quiet), *four = site_load_jobs(dir, 1, &quiet);
    assert_non_null(one);
    assert_non_null(four);
    resolve_ctx a = {one, 1}, b = {four, 4};
    diag_counts n;
    char *serial = told(resolve, &a, &n);
    assert_int_equal(n.errors, 40);
    char *parallel = told(resolve, &b, &n);
    assert_int_equal(n.errors, 40);
    assert_string_equal(parallel, serial);
    char *first = strstr(serial, "01-ch.md:6:4:"), *last = strstr(serial, "40-ch.md:6:4:");
    assert_true(first && last && first < last);
    free(serial);
    free(parallel);
    site_free(one);
    site_free(four);
    fs_remove_tree(dir);
    free(dir);
}

/* Told through a child of a recording sink: recorded at the root. */
static void hostile(void *ctx, diag_sink *d)
{
    (void)ctx;
    diag_record(d);
    diag_sink stage = diag_child(d);
    diag_error(&stage, (srcpos){"plan/\x1b[2Ja.md", 3, 1}, "rule\nx",
               "a\rplan/b.md:1: error: forged\n\x1b[31mred\x01\x7f\t|\xff\xc2\x9b|\u202e|%s", "ok");
    char **json = ctx;
    *json = diag_json(d);
}

/* User text in a diagnostic can neither start a line of its own nor drive
 * the terminal: control characters, C1, bidi overrides and bytes that are
 * not UTF-8 are escaped; the recorded JSON stays valid. */
static void test_user_text_is_escaped(void **state)
{
    (void)state;
    char *json = NULL;
    char *text = told(hostile, &json, NULL);
    assert_string_equal(text, "plan/\\x1b[2Ja.md:3:1: error: a\\rplan/b.md:1: error: forged\\n"
                              "\\x1b[31mred\\x01\\x7f\\x09|\\xff\\u009b|\\u202e|ok [rule\\nx]\n");
    size_t n = strlen(json);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_decode(json + i, n - i, &cp);
        assert_true(len > 0);                           /* valid UTF-8 */
        assert_true(cp >= 0x20 || cp == '\n' || cp == ' '); /* pretty-printing only */
        assert_true(cp != 0x7F);
        i += len;
    }
    assert_non_null(strstr(json, "\"message\": \"a\\rplan/b.md:1: error: forged\\n\\u001b[31mred\\u0001\\u007f\\t|\\ufffd\xc2\x9b|\xe2\x80\xae|ok\""));
    free(json);
    free(text);
}

/* A sink that does not record gives an empty list. */
static void test_json_without_recording(void **state)
{
    (void)state;
    diag_sink d = diag_to_stream(NULL);
    diag_error(&d, srcpos_file("x.md"), "x", "not recorded");
    char *json = diag_json(&d);
    assert_string_equal(json, "[]");
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sinks_are_independent),
        cmocka_unit_test(test_child_counts_only_its_own),
        cmocka_unit_test(test_silent_sink_counts),
        cmocka_unit_test(test_stderr_sink_follows_stderr),
        cmocka_unit_test(test_replay_in_job_order),
        cmocka_unit_test(test_parallel_load_tells_in_file_order),
        cmocka_unit_test(test_parallel_xref_tells_in_document_order),
        cmocka_unit_test(test_user_text_is_escaped),
        cmocka_unit_test(test_json_without_recording),
    };
    return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
