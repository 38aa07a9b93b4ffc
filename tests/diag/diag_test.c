/* Diagnostics captured on worker threads are told in job order, and counted
 * only when they are told; and a content folder loaded on several threads
 * reports its problems in file order, as one thread would. */
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

/* Runs fn with diagnostics going to a temporary file; returns what it wrote. */
static char *told(void (*fn)(void *), void *ctx)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    diag_reset();
    diag_set_stream(f);
    fn(ctx);
    diag_set_stream(stderr);
    long len = ftell(f);
    rewind(f);
    char *text = xcalloc(1, (size_t)len + 1);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return text;
}

#define JOBS 64

typedef struct jobs {
    diag_buffer *buffers[JOBS];
} jobs;

static void job(void *ctx, int worker, size_t i)
{
    (void)worker;
    jobs *j = ctx;
    j->buffers[i] = diag_buffer_new();
    diag_capture(j->buffers[i]);
    char path[32];
    snprintf(path, sizeof path, "plan/%02zu.md", i);
    diag_error((srcpos){path, (int)i + 1, 2}, "job", "first of job %zu", i);
    if (i % 3 == 0)
        diag_warning(srcpos_file(path), "job", "second of job %zu", i);
    diag_capture(NULL);
}

static void run_jobs(void *ctx)
{
    jobs *j = ctx;
    parallel_for(JOBS, 4, job, j);
    /* Nothing is told or counted before the replay. */
    assert_int_equal(diag_get_counts().errors, 0);
    for (size_t i = 0; i < JOBS; i++)
        diag_buffer_replay(j->buffers[i]);
}

static void test_replay_in_job_order(void **state)
{
    (void)state;
    jobs j;
    char *text = told(run_jobs, &j);
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
    assert_int_equal(diag_get_counts().errors, JOBS);
    assert_int_equal(diag_get_counts().warnings, (JOBS + 2) / 3);
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

static void load(void *ctx)
{
    load_ctx *l = ctx;
    site_free(site_load_jobs(l->dir, l->jobs));
}

static void test_parallel_load_tells_in_file_order(void **state)
{
    (void)state;
    char *dir = write_site(true);
    load_ctx one = {dir, 1}, four = {dir, 4};
    char *serial = told(load, &one);
    int errors = diag_get_counts().errors;
    assert_int_equal(errors, 8);
    for (int k = 0; k < 5; k++) {
        char *parallel = told(load, &four);
        assert_string_equal(parallel, serial);
        assert_int_equal(diag_get_counts().errors, errors);
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

static void resolve(void *ctx)
{
    resolve_ctx *r = ctx;
    xref_table_free(xref_resolve_site_jobs(r->site, r->jobs));
}

/* Broken links in 40 chapters: reported in chapter order on any number of threads. */
static void test_parallel_xref_tells_in_document_order(void **state)
{
    (void)state;
    char *dir = write_site(false);
    diag_set_stream(NULL);
    site *one = site_load_jobs(dir, 1), *four = site_load_jobs(dir, 1);
    diag_set_stream(stderr);
    assert_non_null(one);
    assert_non_null(four);
    resolve_ctx a = {one, 1}, b = {four, 4};
    char *serial = told(resolve, &a);
    assert_int_equal(diag_get_counts().errors, 40);
    char *parallel = told(resolve, &b);
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

static void hostile(void *ctx)
{
    (void)ctx;
    diag_error((srcpos){"plan/\x1b[2Ja.md", 3, 1}, "rule\nx",
               "a\rplan/b.md:1: error: forged\n\x1b[31mred\x01\x7f\t|\xff\xc2\x9b|\u202e|%s", "ok");
}

/* User text in a diagnostic can neither start a line of its own nor drive
 * the terminal: control characters, C1, bidi overrides and bytes that are
 * not UTF-8 are escaped; the recorded JSON stays valid. */
static void test_user_text_is_escaped(void **state)
{
    (void)state;
    diag_set_recording(true);
    char *text = told(hostile, NULL);
    assert_string_equal(text, "plan/\\x1b[2Ja.md:3:1: error: a\\rplan/b.md:1: error: forged\\n"
                              "\\x1b[31mred\\x01\\x7f\\x09|\\xff\\u009b|\\u202e|ok [rule\\nx]\n");
    char *json = diag_json();
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
    diag_set_recording(false);
    diag_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_in_job_order),
        cmocka_unit_test(test_parallel_load_tells_in_file_order),
        cmocka_unit_test(test_parallel_xref_tells_in_document_order),
        cmocka_unit_test(test_user_text_is_escaped),
    };
    return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
