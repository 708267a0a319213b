/* engine.h - one session player under every front end.
 *
 * The engine owns the renderer, the one pump (read a block from the
 * renderer, shape the edges of an excerpt, write it to the sink) and the
 * transport: play, pause/resume, seek, next/previous spoken line, master
 * volume, background balance, fade-out-and-stop. Front ends (the terminal,
 * `relax render`, tests; later a remote page or media keys) send it commands
 * and hear from it through listeners; none of them touches the renderer,
 * the ring or the audio device.
 *
 * Threads:
 *  - control: the front end's thread. It opens, starts, polls and closes the
 *    engine and sends commands; listeners are called on it, from
 *    rlx_engine_poll and from the commands themselves, never from the audio
 *    callback or the pump;
 *  - pump: started by rlx_engine_start; renders and writes to the sink
 *    (blocking in write while the sink is full or paused);
 *  - the sink's own (a device's audio callback).
 *
 * Positions are frames of the session's timeline at the engine's rate and
 * come from the audio clock (frames the sink has played), not the wall clock. */
#ifndef RLX_ENGINE_H
#define RLX_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "engine/play_hooks.h"
#include "engine/sink.h"
#include "session/session.h"
#include "session/timeline.h"

#define RLX_ENGINE_VOLUME_MIN_DB (-40.0)
#define RLX_ENGINE_BACKGROUND_MIN_DB (-20.0)
#define RLX_ENGINE_BACKGROUND_MAX_DB 10.0

typedef struct {
    /* where the audio goes: a driver's ops table (sink/sink_*.h) and its target */
    const rlx_sink_ops *sink;     /* required */
    const char *sink_target;      /* file path / device name or index; NULL = default */
    bool realtime;                /* null sink: real-time pace */
    double ring_s;                /* device buffer, seconds (0 = the driver's default) */
    int rate;                     /* wanted rate; 0 = the sink's own (a device's default,
                                   * else 48000); a device may refuse it */
    size_t block_frames;          /* pump block; default 1024 */

    /* the session as rendered */
    int64_t length_ms;            /* 0 = the session's natural length */
    bool length_fit;              /* bring length_ms into the session's range (resume) */
    int64_t tail_ms;              /* ambient-only tail before the fade-out (part of the length) */
    const char *cache_dir;        /* NULL = the default cache */
    double volume_db;             /* master: <= 0 at the sink (ramped, changeable);
                                   * > 0 a fixed gain before the limiter */
    double background_db;         /* breath + ambient against the voice */
    int fade_in_ms;               /* fade in when the audio starts (resuming); 0 = none */
    int excerpt_ramp_ms;          /* ramps at the edges of a from/to excerpt (render: 5) */
    int tick_ms;                  /* RLX_ENGINE_POSITION events; 0 = every 1000 ms */

    /* preparation (a cold cache can take seconds); may be NULL */
    void (*on_prepare)(void *user, size_t done, size_t total, const char *what);
    void *user;
    const volatile sig_atomic_t *cancel;  /* non-zero: stop preparing (RLX_ERR_INTERRUPTED) */
    /* live playback on a cold cache: start before every line is spoken
     * (render.h, stream). The pump waits for a line before its place (the
     * device plays what it holds meanwhile); once every line is there the
     * unheard part is laid out again exactly, as a length change does. */
    bool stream;
} rlx_engine_config;

rlx_engine_config rlx_engine_config_init(void);

typedef struct rlx_engine rlx_engine;

/* Makes an engine; nothing is opened yet. RLX_ERR_USAGE (why) without a
 * usable sink ops table. */
rlx_err rlx_engine_open(const rlx_engine_config *cfg, rlx_engine **out, char *why, size_t whylen);

/* Opens the sink now: a device is picked and decides the rate, without
 * starting, so audio is prepared at its rate; a file sink makes its
 * temporary file. Otherwise rlx_engine_start opens it, after everything
 * has been prepared. why gets a one-line reason: RLX_ERR_NO_DEVICE,
 * RLX_ERR_OUTPUT, RLX_ERR_DISK_FULL, RLX_ERR_USAGE. */
rlx_err rlx_engine_open_sink(rlx_engine *e, char *why, size_t whylen);

/* Prepares everything that can fail (voice, decoding, resampling, the
 * timeline) at the engine's rate (the open sink's, else cfg.rate or 48000);
 * nothing is heard yet. Errors are appended
 * to diags: RLX_ERR_SESSION, RLX_ERR_LENGTH, RLX_ERR_INTERRUPTED
 * (cfg.cancel), audio, voice and cache errors. s is borrowed and must
 * outlive the engine. Once per engine. */
rlx_err rlx_engine_load(rlx_engine *e, const rlx_session *s, rlx_diags *diags);

int rlx_engine_rate(const rlx_engine *e);
int64_t rlx_engine_length(const rlx_engine *e);        /* frames; after load */
const rlx_timeline *rlx_engine_timeline(const rlx_engine *e);

/* Plays frames [from, to) (to < 0: to the end) of the loaded session.
 * Opens the sink if it is not open yet, starts it and the pump, and emits
 * RLX_ENGINE_STARTED. Errors (why): RLX_ERR_USAGE if from/to are outside
 * the session or the sink runs at another rate than the one prepared; the
 * sink's open errors; RLX_ERR_NO_DEVICE if the stream cannot start. With
 * cfg.stream it first waits for the lines of the sink's first buffer to be
 * spoken (a second or two on a cold cache; RLX_ERR_INTERRUPTED on cancel). */
rlx_err rlx_engine_start(rlx_engine *e, int64_t from, int64_t to, char *why, size_t whylen);

/* ---- transport (control thread; each returns at once) ------------------ */
/* Before rlx_engine_start: start paused. No-op on sinks that cannot pause. */
void rlx_engine_pause(rlx_engine *e, bool paused);
void rlx_engine_seek(rlx_engine *e, int64_t frame);     /* clamped to the session */
/* Seeks by ms from where playback is, or from the last target if a seek
 * was asked for within the last 600 ms (presses in a row add up). */
void rlx_engine_seek_by(rlx_engine *e, int64_t ms);
/* To the start of the next spoken line; false (nothing done) if none. */
bool rlx_engine_next_line(rlx_engine *e);
/* To the start of the current line, or of the one before when within 2 s of
 * the current one's start (like a music player's "previous"); 0 if none. */
void rlx_engine_prev_line(rlx_engine *e);
/* Master volume, clamped to RLX_ENGINE_VOLUME_MIN_DB..0; returns it. */
double rlx_engine_set_volume_db(rlx_engine *e, double db);
/* Breath + ambient against the voice, clamped to the _BACKGROUND_ range;
 * ramped over ~50 ms; returns it. */
double rlx_engine_set_background_db(rlx_engine *e, double db);
/* Fades out over ms and stops (RLX_ENGINE_ENDED, reason STOPPED). The
 * position reported from now on is where the stop was asked: the fade is
 * a way out, not part of the session to resume from. */
void rlx_engine_fade_stop(rlx_engine *e, int ms);

/* Changing the length while playing (the design; see engine.c): prepares a
 * renderer at the new length on the calling thread (voices are cached, so
 * this is quick) and hands it to the pump. What the sink already holds is
 * heard as it was; after it the old layout crossfades (40 ms) into the new
 * one at the same cue and offset, so nothing is replayed or skipped and
 * nothing clicks. The position and length reported stay the old layout's
 * until the crossfade is heard (state.length_next_ms shows the change on
 * its way; while paused it waits for the resume). RLX_ERR_LENGTH (diags)
 * when the session cannot be that long; RLX_ERR_USAGE while another change
 * is on its way, stopping, or playing an excerpt. */
rlx_err rlx_engine_set_length(rlx_engine *e, int64_t length_ms, rlx_diags *diags);

/* ---- what is going on ---------------------------------------------------- */
typedef enum {
    RLX_ENGINE_STARTED,      /* playback began (pos = from) */
    RLX_ENGINE_LINE,         /* a spoken line started (line, caption) */
    RLX_ENGINE_PAUSED,
    RLX_ENGINE_RESUMED,
    RLX_ENGINE_SEEKED,       /* pos = the target */
    RLX_ENGINE_POSITION,     /* every tick_ms while playing */
    RLX_ENGINE_BREATH,       /* the breath phase changed (breath_dir: in, hold, out) */
    RLX_ENGINE_STOPPING,     /* rlx_engine_fade_stop was called; pos = where */
    RLX_ENGINE_DEVICE_LOST,  /* why in message; ENDED follows */
    RLX_ENGINE_LENGTH,       /* the length changed (length_ms) */
    RLX_ENGINE_ENDED,        /* once, whatever the reason (end_reason) */
} rlx_engine_event_kind;

typedef enum {
    RLX_ENGINE_END_NONE,     /* still playing */
    RLX_ENGINE_END_DONE,     /* everything was played */
    RLX_ENGINE_END_STOPPED,  /* fade-stop finished */
    RLX_ENGINE_END_LOST,     /* the device was lost */
    RLX_ENGINE_END_ERROR,    /* source_err / sink_err */
} rlx_engine_end;

typedef struct {
    int64_t pos;             /* frame heard now (see rlx_engine_fade_stop) */
    int64_t pos_ms, played_ms, length_ms;  /* played: heard, not skipped, not paused */
    int64_t length_next_ms;  /* a length change asked for and not heard yet; 0 = none */
    bool paused, stopping;
    long line;               /* cue index of the spoken line playing or last played; -1 */
    const char *caption;     /* its text (borrowed from the session), or NULL */
    double breath;           /* breath shape 0 (empty lungs) .. 1 (full) */
    int breath_dir;          /* +1 breathing in, -1 out, 0 holding */
    double volume_db, background_db;
    rlx_engine_end end;
    rlx_err source_err, sink_err;
    char message[128];       /* device lost: why */
    rlx_sink_status sink;    /* the driver's state and statistics */
    int64_t line_wait_ms;    /* stream: how long the pump waited for lines being spoken */
} rlx_engine_state;

typedef struct {
    rlx_engine_event_kind kind;
    const rlx_engine_state *state;
    const rlx_session *session;
    const char *device;      /* ENDED: the device named in the config, else NULL */
} rlx_engine_event;

/* Listeners run on the control thread, in the order they were added. */
typedef void (*rlx_engine_listener)(void *user, const rlx_engine_event *ev);
rlx_err rlx_engine_listen(rlx_engine *e, rlx_engine_listener fn, void *user);
/* The store's recorder (engine/play_hooks.h) as a listener. hooks is
 * copied. */
rlx_err rlx_engine_listen_hooks(rlx_engine *e, const rlx_play_hooks *hooks);

/* Checks the pump and the sink (a device's watchdog runs here), emits the
 * events due and fills st (may be NULL). Waits up to wait_ms for something
 * to happen first. Returns false once ENDED has been emitted. */
bool rlx_engine_poll(rlx_engine *e, int wait_ms, rlx_engine_state *st);

/* Stops the pump and closes the sink: commit keeps what was written (a
 * file is renamed into place: only when everything was played), else
 * abandons it. Returns the sink's error (disk full at the end, ...).
 * Idempotent. */
rlx_err rlx_engine_finish(rlx_engine *e, bool commit);

void rlx_engine_close(rlx_engine *e);  /* finishes (abandoning) if needed; accepts NULL */

#endif
