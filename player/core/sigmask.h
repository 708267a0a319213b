/* sigmask.h - threads that take no asynchronous signals.
 *
 * A signal sent to the process (Ctrl-C, SIGTERM, SIGTSTP, SIGWINCH, ...) is
 * delivered to any one thread that does not block it. Its handler must not
 * run on the audio callback's thread (it may write to the terminal or stop
 * the process mid-cycle) nor on a worker that sleeps in a library call, so
 * every thread relax starts, and every thread a library starts for it
 * (PortAudio's and JACK's, libmicrohttpd's), blocks them: they all reach
 * the main thread, whose loop watches the flags the handlers set. A new
 * thread inherits its creator's mask, so the mask is blocked around the
 * call that creates it. Synchronous signals (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGABRT, SIGTRAP, SIGSYS) are never blocked. */
#ifndef RLX_SIGMASK_H
#define RLX_SIGMASK_H

#include <pthread.h>
#include <signal.h>

/* Blocks the asynchronous signals in the calling thread; *old gets the
 * mask to give back to rlx_signals_restore. */
void rlx_signals_block(sigset_t *old);
void rlx_signals_restore(const sigset_t *old);

/* pthread_create for a thread that takes no asynchronous signals. */
int rlx_thread_start(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);

#endif
