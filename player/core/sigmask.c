/* sigmask.c - threads that take no asynchronous signals (see sigmask.h). */
#include "core/sigmask.h"

void rlx_signals_block(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    static const int sync_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof sync_signals / sizeof sync_signals[0]; i++)
        sigdelset(&all, sync_signals[i]);
    pthread_sigmask(SIG_BLOCK, &all, old);
}

void rlx_signals_restore(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

int rlx_thread_start(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    sigset_t old;
    rlx_signals_block(&old);
    int rc = pthread_create(t, attr, fn, arg);
    rlx_signals_restore(&old);
    return rc;
}
