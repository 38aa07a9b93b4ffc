/* interrupt_init's watcher thread takes no signal meant for the process:
 * one that blocks SIGCHLD to read it from a signalfd (as serve does) gets
 * it even when the watcher runs already. A watcher that left SIGCHLD
 * unblocked got it instead and discarded it (serve, when main started the
 * watcher, never reaped its build and spun on its pipe). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/interrupt.h"

static void test_sigchld_reaches_signalfd(void **state)
{
    (void)state;
    interrupt_init();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    assert_int_equal(sigprocmask(SIG_BLOCK, &set, NULL), 0);
    int fd = signalfd(-1, &set, SFD_CLOEXEC);
    assert_true(fd >= 0);
    /* Several children: the watcher, when it takes signals, wins the race
     * for most of them. */
    for (int i = 0; i < 20; i++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            _exit(0);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_int_equal(poll(&p, 1, 2000), 1);
        struct signalfd_siginfo si;
        assert_int_equal(read(fd, &si, sizeof si), (ssize_t)sizeof si);
        assert_int_equal(si.ssi_signo, SIGCHLD);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
    }
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigchld_reaches_signalfd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
