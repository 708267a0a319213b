/* pa_quiet.h - PortAudio start-up workarounds (pa_quiet.c), kept apart from
 * the device driver: PortAudio, ALSA and JACK chatter never reaches the
 * terminal (fd 2 points at /dev/null around their calls), no JACK server is
 * ever spawned (JACK_NO_START_SERVER=1), and PortAudio 19.6's assertion in
 * its ALSA scan on broken configurations becomes "no audio system". */
#ifndef RLX_PA_QUIET_H
#define RLX_PA_QUIET_H

#include <portaudio.h>
#include <signal.h>
#include <stdbool.h>

typedef struct {
    int saved;
    sigset_t mask;
} rlx_quiet_fd;

/* Points fd 2 at /dev/null until rlx_quiet_end, and blocks the
 * asynchronous signals meanwhile (core/sigmask.h): every thread PortAudio
 * or JACK starts inside takes none, the audio callback's above all. */
void rlx_quiet_begin(rlx_quiet_fd *q);
void rlx_quiet_end(rlx_quiet_fd *q);

/* The JACK client name: "relax", or RELAX_JACK_CLIENT if it is a plain
 * name (see pa_quiet.c for why one machine may need two). */
const char *rlx_jack_client_name(void);

/* Pa_Initialize, silenced and guarded against its abort(); paInternalError
 * if it aborted. JACK's client may not lock its 100 MB graph meanwhile. */
PaError rlx_pa_init_quiet(void);
void rlx_pa_terminate_quiet(void);

/* Drops this process's mappings of the pages of JACK's shared graph that
 * port look-ups touched (tens of MB resident otherwise; see pa_quiet.c).
 * Safe at any time, also while a stream runs; does nothing without JACK.
 * Call it after starting a stream. */
void rlx_pa_release_jack_graph(void);

/* How long a close may take before the stream is abandoned (the wait_ms
 * below). A server that still answers may be slow on a loaded machine: 1 s
 * was too tight for a sanitizer build there (an abandoned close leaves
 * JACK's thread running into the exit; one crash on exit was seen in CI).
 * A lost server (no callbacks any more) gets the short bound. */
#define RLX_PA_CLOSE_WAIT_MS 5000
#define RLX_PA_CLOSE_WAIT_LOST_MS 300

/* Stops (abort: drops what is queued, as for a lost device) and closes
 * stream (may be NULL) and terminates PortAudio on a thread of its own,
 * silenced, waiting at most wait_ms: a dead JACK server must not hang us.
 * Returns false when that thread is still stuck: the caller must then leave
 * alive whatever the stream's callback uses. */
bool rlx_pa_close_bounded(PaStream *stream, bool abort, int wait_ms);

#endif
