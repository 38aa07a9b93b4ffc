/* cache_build: a build that succeeded is told again when nothing changed;
 * one that failed is always made again (its cause may be the machine: a
 * full disk, a folder in the way), and so is one after a failure; the
 * program's key it gives the build does not change with the date. */
#define _GNU_SOURCE
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

#include "cache/rebuild.h"
#include "core/fs.h"
#include "core/xalloc.h"
#include "diag/diag.h"

typedef struct fake {
    const char *output_dir;
    int calls;
    char settings[65], program[65]; /* the keys the last build was given */
    int result; /* what the next build returns */
} fake;

/* Writes a page into the output folder and returns f->result. */
static int fake_build(void *ctx, cache *c, const char *settings, const char *program,
                      diag_sink *diags)
{
    (void)c;
    (void)diags;
    fake *f = ctx;
    f->calls++;
    snprintf(f->settings, sizeof f->settings, "%s", settings);
    snprintf(f->program, sizeof f->program, "%s", program);
    if (f->result == 0) {
        mkdir(f->output_dir, 0755);
        char *page = fs_join(f->output_dir, "index.html");
        assert_true(fs_write_file(page, "<p>ok</p>\n", 10));
        free(page);
    }
    return f->result;
}

typedef struct dirs {
    char root[64];
    char *content, *data, *output, *cache;
} dirs;

static void make_dirs(dirs *d)
{
    strcpy(d->root, "/tmp/policygen-rebuild-XXXXXX");
    assert_non_null(mkdtemp(d->root));
    d->content = fs_join(d->root, "content");
    d->data = fs_join(d->root, "data");
    d->output = fs_join(d->root, "out");
    d->cache = fs_join(d->root, ".out.policygen-cache");
    assert_int_equal(mkdir(d->content, 0755), 0);
    assert_int_equal(mkdir(d->data, 0755), 0);
    char *chapter = fs_join(d->content, "site.yaml");
    assert_true(fs_write_file(chapter, "title: x\n", 9));
    free(chapter);
}

static void free_dirs(dirs *d)
{
    fs_remove_tree(d->root);
    free(d->content);
    free(d->data);
    free(d->output);
    free(d->cache);
}

static int run_on(dirs *d, fake *f, date today, diag_sink *sink)
{
    cache_build_inputs in = {.content_dir = d->content,
                             .output_dir = d->output,
                             .data_dir = d->data,
                             .today = today,
                             .no_pdf = true,
                             .jobs = 1};
    return cache_build(d->cache, &in, fake_build, f, sink);
}

static int run(dirs *d, fake *f, diag_sink *sink)
{
    return run_on(d, f, (date){2026, 11, 28}, sink);
}

static void test_success_is_told_again(void **state)
{
    (void)state;
    dirs d;
    make_dirs(&d);
    diag_sink sink = diag_to_stream(NULL);
    fake f = {.output_dir = d.output, .result = 0};
    assert_int_equal(run(&d, &f, &sink), 0);
    assert_int_equal(run(&d, &f, &sink), 0);
    assert_int_equal(f.calls, 1); /* the second was a replay */
    diag_sink_free(&sink);
    free_dirs(&d);
}

static void test_failure_is_made_again(void **state)
{
    (void)state;
    dirs d;
    make_dirs(&d);
    diag_sink sink = diag_to_stream(NULL);
    fake f = {.output_dir = d.output, .result = 3};
    assert_int_equal(run(&d, &f, &sink), 3);
    /* The cause went away (the disk has room again): the same inputs build. */
    f.result = 0;
    assert_int_equal(run(&d, &f, &sink), 0);
    assert_int_equal(f.calls, 2);
    /* A success after a failure is told again as any other. */
    assert_int_equal(run(&d, &f, &sink), 0);
    assert_int_equal(f.calls, 2);
    /* A failure after a success: the success is no longer told. */
    char *page = fs_join(d.content, "site.yaml");
    assert_true(fs_write_file(page, "title: y\n", 9));
    f.result = 3;
    assert_int_equal(run(&d, &f, &sink), 3);
    assert_int_equal(run(&d, &f, &sink), 3);
    assert_int_equal(f.calls, 4);
    free(page);
    diag_sink_free(&sink);
    free_dirs(&d);
}

/* The settings key (the PDFs' keys start from it) changes with the date;
 * the program's (the documents' keys start from it) does not: parsing a
 * document reads no date. */
static void test_program_key_is_the_program_alone(void **state)
{
    (void)state;
    dirs d;
    make_dirs(&d);
    diag_sink sink = diag_to_stream(NULL);
    fake f = {.output_dir = d.output, .result = 0};
    assert_int_equal(run_on(&d, &f, (date){2026, 11, 28}, &sink), 0);
    char settings[65], program[65];
    strcpy(settings, f.settings);
    strcpy(program, f.program);
    assert_int_equal(strlen(program), 64);
    assert_string_not_equal(settings, program);
    assert_int_equal(run_on(&d, &f, (date){2026, 12, 1}, &sink), 0);
    assert_int_equal(f.calls, 2);
    assert_string_not_equal(f.settings, settings);
    assert_string_equal(f.program, program);
    diag_sink_free(&sink);
    free_dirs(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success_is_told_again),
        cmocka_unit_test(test_failure_is_made_again),
        cmocka_unit_test(test_program_key_is_the_program_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
