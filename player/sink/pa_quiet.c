/* pa_quiet.c - PortAudio start-up workarounds (see pa_quiet.h). */
#include "sink/pa_quiet.h"
#include "core/sigmask.h"

#include <fcntl.h>
#include <inttypes.h>
#include <pa_jack.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/capability.h>
#include <sys/syscall.h>
#endif

void rlx_quiet_begin(rlx_quiet_fd *q)
{
    rlx_signals_block(&q->mask);
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
    rlx_signals_restore(&q->mask);
}

/* JACK 2's client library maps the server's graph (a table of 4096 port
 * slots of 8192 frames each: about 100 MB) and mlock()s all of it where
 * locking is allowed: as root, or with the unlimited memlock that a JACK
 * desktop gives the audio group. Every page of it then counted in the
 * player's resident memory (105 of the 130 MB `relax play` held), and
 * faulting them all in cost 10-30 ms of the start. The client itself uses a
 * few pages of it (its own ports and the connections).
 *
 * So while Pa_Initialize opens the JACK client, locking more than a little
 * is refused (the soft RLIMIT_MEMLOCK lowered, and CAP_IPC_LOCK, which
 * overrides it, left out of this thread's effective set); JACK notes that it
 * could not lock and goes on. Both are put back afterwards. PortAudio's port
 * look-ups still read a header in every slot (and the kernel maps 64 kB
 * around each such read), so once the stream runs rlx_pa_release_jack_graph
 * drops our mappings of those pages: the memory is the server's shared
 * segment (MAP_SHARED: nothing is lost), and the pages the process callback
 * uses come back on first touch, once. */
#define RLX_MEMLOCK_SMALL (1u << 20)   /* JACK's control segments are a page each */

typedef struct {
    bool rlimit_set, cap_dropped;
    struct rlimit rl;
} memlock_guard;

#ifdef __linux__
static bool cap_ipc_lock_effective(bool on, bool *was)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &h, d) != 0)
        return false;
    unsigned bit = 1u << (CAP_IPC_LOCK % 32);
    __u32 *eff = &d[CAP_IPC_LOCK / 32].effective;
    if (was)
        *was = (*eff & bit) != 0;
    if (((*eff & bit) != 0) == on)
        return false;
    *eff = on ? *eff | bit : *eff & ~bit;
    return syscall(SYS_capset, &h, d) == 0;
}
#endif

static void memlock_deny(memlock_guard *g)
{
    memset(g, 0, sizeof *g);
#ifdef __linux__
    if (getrlimit(RLIMIT_MEMLOCK, &g->rl) == 0 && g->rl.rlim_cur > RLX_MEMLOCK_SMALL) {
        struct rlimit small = {.rlim_cur = RLX_MEMLOCK_SMALL, .rlim_max = g->rl.rlim_max};
        g->rlimit_set = setrlimit(RLIMIT_MEMLOCK, &small) == 0;
    }
    bool had = false;
    g->cap_dropped = cap_ipc_lock_effective(false, &had) && had;
#endif
}

static void memlock_restore(memlock_guard *g)
{
#ifdef __linux__
    if (g->cap_dropped)
        cap_ipc_lock_effective(true, NULL);
    if (g->rlimit_set)
        setrlimit(RLIMIT_MEMLOCK, &g->rl);
#endif
    (void)g;
}

void rlx_pa_release_jack_graph(void)
{
#ifdef __linux__
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        uintptr_t lo, hi;
        int path_at = 0;
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %*s %*s %*s %*s %n", &lo, &hi, &path_at) != 2 || !path_at)
            continue;
        if (strncmp(line + path_at, "/dev/shm/jack-", 14) != 0 || hi - lo < RLX_MEMLOCK_SMALL)
            continue;
        /* a lock JACK got anyway (memlock_deny could not refuse it) goes too */
        munlock((void *)lo, hi - lo);
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
    }
    fclose(f);
#endif
}

/* PortAudio 19.6 asserts (abort) in its ALSA device scan on some broken ALSA
 * configurations (an empty one, say) and on devices that change mid-scan.
 * While Pa_Initialize runs, SIGABRT jumps back here instead: relax then sees
 * no audio system and says so (exit 6, or `next` renders) instead of dying. */
static sigjmp_buf pa_abort_jump;
static volatile sig_atomic_t pa_abort_armed;

/* The same for a close: PortAudio 19.6's JACK host asserts when it cannot
 * unregister its ports, which is what happens after the JACK server has
 * dropped relax as a client (relax was stopped, SIGSTOP or Ctrl-Z, for
 * longer than the server's client timeout). The device is lost then, and
 * relax says so instead of dying. Only the closing thread jumps; an abort
 * anywhere else goes on to the handler that was there before. (Jumping out
 * of abort() leaves glibc's abort lock held: a later abort would wait; the
 * process is on its way out by then.) */
static sigjmp_buf pa_close_jump;
static volatile pid_t pa_close_tid;
static struct sigaction pa_close_prev;

static void on_pa_abort(int sig)
{
    if (pa_abort_armed)
        siglongjmp(pa_abort_jump, 1);
    if (pa_close_tid && pa_close_tid == (pid_t)syscall(SYS_gettid))
        siglongjmp(pa_close_jump, 1);
    if (pa_close_tid && !(pa_close_prev.sa_flags & SA_SIGINFO) && pa_close_prev.sa_handler != SIG_DFL &&
        pa_close_prev.sa_handler != SIG_IGN)
        pa_close_prev.sa_handler(sig);
}

/* The JACK client's name: "relax", or RELAX_JACK_CLIENT when it is a
 * plain name (letters, digits, '-', '_', '.', at most 48). libjack names a
 * client's notification socket after the client alone, not its server
 * (/dev/shm/jack_NAME_UID_0), so two players named alike on two JACK
 * servers of one machine (a room per sound card) take each other's
 * socket, and one of them cannot start. */
const char *rlx_jack_client_name(void)
{
    const char *n = getenv("RELAX_JACK_CLIENT");
    size_t len = n ? strlen(n) : 0;
    if (!len || len > 48)
        return "relax";
    for (const char *c = n; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            return "relax";
    return n;
}

PaError rlx_pa_init_quiet(void)
{
    /* PortAudio's JACK host API would otherwise start a JACK server. */
    setenv("JACK_NO_START_SERVER", "1", 1);
    rlx_quiet_fd q;
    rlx_quiet_begin(&q);
    memlock_guard g;
    memlock_deny(&g);
    PaJack_SetClientName(rlx_jack_client_name());
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
    memlock_restore(&g);
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
    struct sigaction sa = {.sa_handler = on_pa_abort};
    sigemptyset(&sa.sa_mask);
    pa_close_tid = (pid_t)syscall(SYS_gettid);
    sigaction(SIGABRT, &sa, &pa_close_prev);
    volatile bool aborted = false;
    if (sigsetjmp(pa_close_jump, 1) == 0) {
        if (k->stream) {
            if (k->abort)
                Pa_AbortStream(k->stream);
            else
                Pa_StopStream(k->stream);
            Pa_CloseStream(k->stream);
        }
    } else {
        aborted = true;   /* PortAudio's state is not to be trusted: no Pa_Terminate */
    }
    sigaction(SIGABRT, &pa_close_prev, NULL);
    pa_close_tid = 0;
    if (!aborted)
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
    if (rlx_thread_start(&th, NULL, closer_main, k) == 0) {
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
