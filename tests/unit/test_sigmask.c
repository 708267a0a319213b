/* test_sigmask.c - a thread started by rlx_thread_start takes no
 * asynchronous signal (a Ctrl-C, SIGTERM or SIGTSTP reaches the main
 * thread, never the audio callback's) but still gets the synchronous ones;
 * the starting thread's mask is as it was; rlx_signals_block/restore pair. */
#include "rlx_test.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "core/sigmask.h"

static void *report_mask(void *arg)
{
    pthread_sigmask(SIG_SETMASK, NULL, (sigset_t *)arg);
    return NULL;
}

static void started_threads_block_async_signals(void **state)
{
    (void)state;
    sigset_t before, after, in_thread;
    pthread_sigmask(SIG_SETMASK, NULL, &before);
    assert_int_equal(sigismember(&before, SIGINT), 0);
    pthread_t t;
    assert_int_equal(rlx_thread_start(&t, NULL, report_mask, &in_thread), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    const int async[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCONT, SIGWINCH, SIGPIPE, SIGUSR1, SIGCHLD, SIGALRM};
    for (size_t i = 0; i < sizeof async / sizeof *async; i++)
        assert_int_equal(sigismember(&in_thread, async[i]), 1);
    const int sync[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof sync / sizeof *sync; i++)
        assert_int_equal(sigismember(&in_thread, sync[i]), 0);
    pthread_sigmask(SIG_SETMASK, NULL, &after);
    for (int s = 1; s < 32; s++)
        assert_int_equal(sigismember(&before, s), sigismember(&after, s));
}

static void block_and_restore_pair(void **state)
{
    (void)state;
    sigset_t old, now;
    rlx_signals_block(&old);
    pthread_sigmask(SIG_SETMASK, NULL, &now);
    assert_int_equal(sigismember(&now, SIGTERM), 1);
    assert_int_equal(sigismember(&now, SIGSEGV), 0);
    rlx_signals_restore(&old);
    pthread_sigmask(SIG_SETMASK, NULL, &now);
    assert_int_equal(sigismember(&now, SIGTERM), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(started_threads_block_async_signals),
        cmocka_unit_test(block_and_restore_pair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
