/* core/map: lookups, replacement and insertion order, for small maps (whose
 * keys are compared in turn) and maps past the size where hash slots begin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/map.h"
#include "core/xalloc.h"

static void check_sized(size_t n)
{
    map m;
    map_init(&m, free);
    char key[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%zu", i);
        map_set(&m, key, xasprintf("v%zu", i));
    }
    /* Replacing keeps the place and frees the old value. */
    for (size_t i = 0; i < n; i += 3) {
        snprintf(key, sizeof key, "k%zu", i);
        map_set(&m, key, xasprintf("w%zu", i));
    }
    assert_int_equal(m.len, n);
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%zu", i);
        assert_true(map_has(&m, key));
        char want[32];
        snprintf(want, sizeof want, "%c%zu", i % 3 ? 'v' : 'w', i);
        assert_string_equal(map_get(&m, key), want);
        assert_string_equal(m.entries[i].key, key);
    }
    assert_false(map_has(&m, "missing"));
    assert_null(map_get(&m, "k"));
    map_free(&m);
}

static void test_small_and_large_maps(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 7, 8, 9, 16, 17, 100, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        check_sized(sizes[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_and_large_maps),
    };
    return cmocka_run_group_tests_name("map", tests, NULL, NULL);
}
