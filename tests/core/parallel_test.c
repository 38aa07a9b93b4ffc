/* parallel_for_ordered: every job runs once, on a valid worker, and the
 * caller's thread consumes the results in order, each after its job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "core/parallel.h"
#include "core/xalloc.h"

typedef struct run {
    size_t count;
    int threads;
    int *ran;          /* per job: times run */
    size_t consumed;   /* done calls so far */
    pthread_t caller;
    int bad;           /* wrong worker, order, thread or a job consumed before it ran */
} run;

static void job(void *ctx, int worker, size_t i)
{
    run *r = ctx;
    if (worker < 0 || worker >= r->threads)
        __atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
    if (i % 7 == 0) { /* uneven work, so that jobs finish out of order */
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    __atomic_add_fetch(&r->ran[i], 1, __ATOMIC_RELEASE);
}

static void done(void *ctx, size_t i)
{
    run *r = ctx;
    if (i != r->consumed || __atomic_load_n(&r->ran[i], __ATOMIC_ACQUIRE) != 1 ||
        !pthread_equal(pthread_self(), r->caller))
        r->bad++;
    r->consumed++;
}

static void check(size_t count, int threads)
{
    run r = {.count = count, .threads = threads, .caller = pthread_self()};
    r.ran = xcalloc(count + 1, sizeof *r.ran);
    parallel_for_ordered(count, threads, job, done, &r);
    assert_int_equal(r.consumed, count);
    assert_int_equal(r.bad, 0);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(r.ran[i], 1);
    free(r.ran);
}

static void test_in_order(void **state)
{
    (void)state;
    check(0, 2);
    check(1, 4);
    check(300, 1);
    check(300, 2);
    check(300, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
    };
    return cmocka_run_group_tests_name("parallel", tests, NULL, NULL);
}
