/* pa_quiet.c - PortAudio start-up workarounds (see pa_quiet.h). */
#include "sink/pa_quiet.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <pa_jack.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void rlx_quiet_begin(rlx_quiet_fd *q)
{
    fflush(stderr);
    q->saved = dup(2);
    int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (nul >= 0) {
        dup2(nul, 2);
        close(nul);
    }
}

void rlx_quiet_end(rlx_quiet_fd *q)
{
    if (q->saved >= 0) {
        dup2(q->saved, 2);
        close(q->saved);
        q->saved = -1;
    }
}

/* PortAudio 19.6 asserts (abort) in its ALSA device scan on some broken ALSA
 * configurations (an empty one, say) and on devices that change mid-scan.
 * While Pa_Initialize runs, SIGABRT jumps back here instead: relax then sees
 * no audio system and says so (exit 6, or `next` renders) instead of dying. */
static sigjmp_buf pa_abort_jump;
static volatile sig_atomic_t pa_abort_armed;

static void on_pa_abort(int sig)
{
    (void)sig;
    if (pa_abort_armed)
        siglongjmp(pa_abort_jump, 1);
}

PaError rlx_pa_init_quiet(void)
{
    /* PortAudio's JACK host API would otherwise start a JACK server. */
    setenv("JACK_NO_START_SERVER", "1", 1);
    rlx_quiet_fd q;
    rlx_quiet_begin(&q);
    PaJack_SetClientName("relax");
    struct sigaction sa = {.sa_handler = on_pa_abort}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGABRT, &sa, &old);
    volatile PaError e = paInternalError;   /* stays so if PortAudio aborted */
    if (sigsetjmp(pa_abort_jump, 1) == 0) {
        pa_abort_armed = 1;
        e = Pa_Initialize();
    }
    pa_abort_armed = 0;
    sigaction(SIGABRT, &old, NULL);
    rlx_quiet_end(&q);
    return e;
}

void rlx_pa_terminate_quiet(void)
{
    rlx_quiet_fd q;
    rlx_quiet_begin(&q);
    Pa_Terminate();
    rlx_quiet_end(&q);
}

typedef struct {
    PaStream *stream;
    bool abort;
    _Atomic bool done;
} closer;

static void *closer_main(void *arg)
{
    closer *k = arg;
    if (k->stream) {
        if (k->abort)
            Pa_AbortStream(k->stream);
        else
            Pa_StopStream(k->stream);
        Pa_CloseStream(k->stream);
    }
    Pa_Terminate();
    atomic_store(&k->done, true);
    return NULL;
}

bool rlx_pa_close_bounded(PaStream *stream, bool abort, int wait_ms)
{
    closer *k = calloc(1, sizeof *k);
    if (!k)
        return true;   /* nothing started: nothing is stuck */
    k->stream = stream;
    k->abort = abort;
    bool finished = true;
    pthread_t th;
    rlx_quiet_fd q;
    rlx_quiet_begin(&q);
    if (pthread_create(&th, NULL, closer_main, k) == 0) {
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
            if (atomic_load(&k->done))
                break;
            clock_gettime(CLOCK_MONOTONIC, &t);
            if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= wait_ms)
                break;
            nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
        }
        if (atomic_load(&k->done)) {
            pthread_join(th, NULL);
            free(k);
        } else {
            pthread_detach(th);
            finished = false;   /* k stays alive for the stuck thread */
        }
    } else {
        free(k);
    }
    rlx_quiet_end(&q);
    return finished;
}
