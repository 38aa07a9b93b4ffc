/* Runs the Mustache spec suites (the YAML files of the spec, read as they
 * are) against generator/template.
 *
 *   mustache_spec [DIR]     DIR defaults to tests/spec/mustache
 *
 * Prints each failing case, a line per suite file, and finally the summary
 * line `mustache: N passed, M failed`; exits 1 when anything failed. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/value.h"
#include "core/vec.h"
#include "core/xalloc.h"
#include "template/template.h"
#include "yaml/yaml.h"

typedef struct counts {
    int passed;
    int failed;
} counts;

/* Partials of one test case: the `partials` mapping of its YAML node. */
static const char *resolve_partial(void *ctx, const char *name)
{
    return ynode_str(ynode_get(ctx, name));
}

/* Shows a string with its line breaks and tabs visible. */
static void print_quoted(const char *label, const char *s)
{
    printf("    %-9s \"", label);
    for (; *s; s++) {
        switch (*s) {
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        default: putchar(*s);
        }
    }
    puts("\"");
}

static bool run_case(const char *file, const ynode *test)
{
    const char *name = ynode_str(ynode_get(test, "name"));
    const char *template = ynode_str(ynode_get(test, "template"));
    const char *expected = ynode_str(ynode_get(test, "expected"));
    if (!name)
        name = "(unnamed)";
    if (!template || !expected) {
        printf("FAIL %s: %s: the case has no template or expected text\n", file, name);
        return false;
    }
    value *data = ynode_to_value(ynode_get(test, "data"));
    tpl_set *set = tpl_set_new(resolve_partial, (void *)ynode_get(test, "partials"));
    strbuf got;
    sb_init(&got);
    tpl_error err = {0};
    bool rendered = tpl_render_string(set, name, template, data, &got, &err);
    bool pass = rendered && strcmp(got.data, expected) == 0;
    if (!pass) {
        printf("FAIL %s: %s\n", file, name);
        print_quoted("template:", template);
        print_quoted("expected:", expected);
        if (rendered)
            print_quoted("got:", got.data);
        else
            printf("    error:    %s:%d:%d: %s\n", err.name, err.line, err.col, err.message);
    }
    sb_free(&got);
    tpl_set_free(set);
    value_unref(data);
    return pass;
}

static counts run_suite(const char *dir, const char *file)
{
    counts c = {0, 0};
    char *path = xasprintf("%s/%s", dir, file);
    diag_sink diags = diag_to_stream(stderr);
    ydoc *doc = yaml_load_file(path, NULL, &diags);
    const ynode *tests = doc ? ynode_get(doc->root, "tests") : NULL;
    if (!tests || tests->kind != YNODE_SEQ) {
        printf("FAIL %s: cannot read its tests\n", file);
        c.failed = 1;
    } else {
        for (size_t i = 0; i < tests->len; i++) {
            if (run_case(file, tests->items[i]))
                c.passed++;
            else
                c.failed++;
        }
    }
    printf("%s: %d passed, %d failed\n", file, c.passed, c.failed);
    ydoc_free(doc);
    free(path);
    return c;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/spec/mustache";
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "mustache_spec: cannot open %s\n", dir);
        puts("mustache: 0 passed, 1 failed");
        return 1;
    }
    vec files;
    vec_init(&files, free);
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".yml") == 0)
            vec_push(&files, xstrdup(e->d_name));
    }
    closedir(d);
    vec_sort(&files, compare_names);

    counts total = {0, 0};
    for (size_t i = 0; i < files.len; i++) {
        const char *file = vec_get(&files, i);
        if (strcmp(file, "~lambdas.yml") == 0) {
            printf("%s: skipped (lambdas are not supported)\n", file);
            continue;
        }
        counts c = run_suite(dir, file);
        total.passed += c.passed;
        total.failed += c.failed;
    }
    if (files.len == 0) {
        fprintf(stderr, "mustache_spec: no .yml files in %s\n", dir);
        total.failed++;
    }
    vec_free(&files);
    printf("mustache: %d passed, %d failed\n", total.passed, total.failed);
    return total.failed > 0;
}
