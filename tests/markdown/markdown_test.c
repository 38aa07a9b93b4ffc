/* md_parse from many threads at once: cmark-gfm 0.29 keeps strikethrough's
 * '~' in a global table that each parse's inline pass adds and removes, so
 * unless md_parse keeps the passes from doing so (markdown.c), a parse on one
 * thread can miss its ~~deletions~~. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cmark-gfm.h>

#include "core/parallel.h"
#include "core/strbuf.h"
#include "markdown/markdown.h"

#define PARSES 400

static int count_strikethrough(cmark_node *root)
{
    int n = 0;
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_ENTER && strcmp(cmark_node_get_type_string(node), "strikethrough") == 0)
            n++;
    }
    cmark_iter_free(it);
    return n;
}

static char *text;
static int found[PARSES];

static void parse_job(void *ctx, int worker, size_t i)
{
    (void)ctx;
    (void)worker;
    cmark_node *root = md_parse(text, strlen(text));
    found[i] = count_strikethrough(root);
    cmark_node_free(root);
}

static void test_parallel_parses_keep_strikethrough(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb);
    /* Long enough that the inline passes of different threads overlap. */
    for (int i = 0; i < 200; i++)
        sb_printf(&sb, "第 %d 段：本段有~~刪除~~文字與 *強調*。\n\n", i);
    text = sb.data;
    parallel_for(PARSES, 4, parse_job, NULL);
    for (size_t i = 0; i < PARSES; i++)
        assert_int_equal(found[i], 200);
    sb_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_parses_keep_strikethrough),
    };
    return cmocka_run_group_tests_name("markdown", tests, NULL, NULL);
}
